// Issue 14, launch to first image: the calls a page makes before the contract's code has loaded
// (transports/early.ts), and the page transport taking their answers instead of asking again.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const ORIGIN = 'http://127.0.0.1:4321';
let sent: { url: string; body: string; auth: string }[];
let answers: (() => Promise<Response>)[];

const ok = (result: unknown) => async () => new Response(JSON.stringify({ ok: true, result }), { status: 200, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  vi.resetModules(); // the page's token is read once per page: a fresh module per test
  sent = [];
  answers = [];
  vi.stubGlobal('location', { href: `${ORIGIN}/?token=tok#/image/a`, origin: ORIGIN });
  vi.stubGlobal('history', { state: null, replaceState: () => {} });
  vi.stubGlobal('sessionStorage', undefined);
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    sent.push({ url, body: String(init.body), auth: (init.headers as Record<string, string>).Authorization });
    const next = answers.shift();
    if (!next) throw new Error('no answer queued');
    return next();
  });
});

afterEach(() => vi.unstubAllGlobals());

const info = { version: '1', project: null, demoDir: '/d', training: { monitor: 'val_loss', minDelta: 0, patience: 5 } };

describe('early calls', () => {
  it('the first identical call of the page transport takes the early answer; later calls ask again', async () => {
    const { earlyCall } = await import('../../src/api/transports/early.ts');
    const { createPageTransport } = await import('../../src/api/transports/web.ts');
    answers.push(ok(info), ok(info));
    earlyCall('appInfo', undefined);
    expect(sent).toEqual([{ url: `${ORIGIN}/api/appInfo`, body: '{}', auth: 'Bearer tok' }]);
    // The token was taken out of the address bar by the early call; the transport still has it
    // (no sessionStorage here: read once per page).
    const t = createPageTransport();
    await expect(t.call('appInfo', {})).resolves.toEqual(info);
    expect(sent).toHaveLength(1);
    await expect(t.call('appInfo', {})).resolves.toEqual(info);
    expect(sent).toHaveLength(2);
  });

  it('keeps no answer of a call made for its effect, and makes a failed early call again', async () => {
    const { earlyCall } = await import('../../src/api/transports/early.ts');
    const { createPageTransport } = await import('../../src/api/transports/web.ts');
    answers.push(ok({}), async () => Promise.reject(new TypeError('connection refused')), ok(info));
    earlyCall('prefetchImage', { name: 'a' }, { answer: 'drop' });
    earlyCall('appInfo', undefined);
    expect(sent.map((s) => [s.url, s.body])).toEqual([
      [`${ORIGIN}/api/prefetchImage`, '{"name":"a"}'],
      [`${ORIGIN}/api/appInfo`, '{}'],
    ]);
    await expect(createPageTransport().call('appInfo', {})).resolves.toEqual(info);
    expect(sent).toHaveLength(3);
  });

  it('does not hand out an answer asked for more than 10 s before', async () => {
    const { earlyCall } = await import('../../src/api/transports/early.ts');
    const { createPageTransport } = await import('../../src/api/transports/web.ts');
    answers.push(ok({ ...info, version: 'old' }), ok(info));
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now);
    earlyCall('appInfo', undefined);
    clock.mockReturnValue(now + 10_001);
    await expect(createPageTransport().call('appInfo', {})).resolves.toEqual(info);
    expect(sent).toHaveLength(2);
    clock.mockRestore();
  });

  it('sends nothing from a page with the Electron bridge', async () => {
    const { earlyCall } = await import('../../src/api/transports/early.ts');
    earlyCall('appInfo', undefined, { scope: { seglens: {}, fetch: globalThis.fetch, location } });
    expect(sent).toEqual([]);
  });
});
