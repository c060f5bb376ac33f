// Issue 13: the browser-mode token stays with seglens's own page. Real Chromium opens the URL
// `seglens serve` printed, then (in the same browser) a page of another server on another local
// port, which records every request it receives and tries the seglens API and event socket. That
// server never receives the token (no cookie: cookies ignore ports; no referrer; nothing in a URL),
// its page cannot read it nor call seglens with it, and seglens's own page works, reloads
// included, with the token gone from its address bar.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { collectErrors, ensureRendererBuilt, launchChromium, serve, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';

let tmp: string;
let server: Served;
let browser: Browser;
let spy: Server;
let spyPort: number;
const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

/** The other local server: records what reaches it; its page probes seglens from another origin. */
function spyPage(seglensOrigin: string): string {
  return `<!doctype html><html><body><a id="back" href="${seglensOrigin}/">back</a><script>
  window.probe = (async () => {
    const out = { cookie: document.cookie, storage: sessionStorage.getItem('seglens-token') };
    try {
      const r = await fetch('${seglensOrigin}/api/appInfo', { method: 'POST', body: '{}', credentials: 'include' });
      out.api = r.status;
    } catch (e) { out.api = 'blocked: ' + e.message; }
    out.socket = await new Promise((res) => {
      const ws = new WebSocket('${seglensOrigin.replace('http', 'ws')}/events');
      ws.onopen = () => { res('open'); ws.close(); };
      ws.onerror = () => res('refused');
    });
    return out;
  })();
</script></body></html>`;
}

describe.skipIf(skipWithoutChromium('the browser token test'))('the browser-mode token', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-token-'));
    await generateDemoProject(join(tmp, 'proj'), { count: 2, size: 32, plantErrors: false });
    server = await serve([join(tmp, 'proj')], { SEGLENS_HOME: tmp });
    const origin = new URL(server.url).origin;
    spy = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(spyPage(origin));
    });
    await new Promise<void>((r) => spy.listen(0, '127.0.0.1', r));
    spyPort = (spy.address() as AddressInfo).port;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((r) => spy?.close(r));
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('never reaches a page on another local port, and only seglens\'s own page can use it', { timeout: 90_000 }, async () => {
    const token = new URL(server.url).searchParams.get('token')!;
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=image-table] tbody tr');
    // The token left the address bar (and so the history) once the page had it.
    expect(page.url()).not.toContain(token);
    expect(page.url()).not.toContain('token=');
    // A reload works: the page kept the token for this tab.
    await page.reload();
    await page.waitForSelector('[data-testid=image-table] tbody tr');
    expect(errors).toEqual([]);

    // The user follows a link to another local server, in the same tab and in a new one.
    await page.goto(`http://127.0.0.1:${spyPort}/from-link`);
    const probe = (await page.evaluate('window.probe')) as { cookie: string; storage: string | null; api: unknown; socket: string };
    const other = await context.newPage();
    await other.goto(`http://127.0.0.1:${spyPort}/second-tab`);
    const probe2 = (await other.evaluate('window.probe')) as typeof probe;

    for (const p of [probe, probe2]) {
      expect(p.cookie).not.toContain(token);
      expect(p.storage).toBeNull();
      expect(p.api === 200).toBe(false);
      expect(p.socket).toBe('refused');
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const r of seen) {
      expect(r.url).not.toContain(token);
      for (const [name, value] of Object.entries(r.headers)) expect(`${name}: ${String(value)}`).not.toContain(token);
    }
    await context.close();
  });
});
