// The desktop app end to end through Playwright's Electron driver: build the shell, launch it on
// the demo project (generated in a temp SEGLENS_HOME), and check that the window shows the demo's
// first image, that the page has the bridge and nothing else of Electron or Node, and that it
// cannot open windows. Electron is a dev dependency whose binary download can fail or be skipped
// (ELECTRON_SKIP_BINARY_DOWNLOAD=1, as .ci/run sets it); where it is absent this prints why and
// skips. The engine and job processes are the bundles in out/node (test/global-setup.ts builds them).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.ts';

/** The Electron binary, or why there is none. */
function electronBinary(): { path: string } | { absent: string } {
  const req = createRequire(join(REPO, 'package.json'));
  try {
    req.resolve('electron');
  } catch {
    return { absent: 'the electron package is not in node_modules (a dev dependency: npm ci)' };
  }
  let bin: unknown;
  try {
    bin = req('electron');
  } catch (e) {
    return { absent: `require('electron') failed: ${(e as Error).message.split('\n')[0]}` };
  }
  if (typeof bin !== 'string' || !existsSync(bin)) return { absent: `its binary ${String(bin)} is missing (its download during install failed or was skipped with ELECTRON_SKIP_BINARY_DOWNLOAD)` };
  return { path: bin };
}

const found = electronBinary();
if ('absent' in found) console.warn(`SKIP electron e2e: electron is not installed (${found.absent}).`);

const OUT = join(REPO, 'test-output', 'e2e');

describe.skipIf('absent' in found)('Electron desktop app', () => {
  let home: string;
  let app: ElectronApplication;
  let win: Page;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'seglens-electron-e2e-'));
    await mkdir(OUT, { recursive: true });
    const { buildElectron } = await import('../../electron/build.mjs');
    await buildElectron();
    if (!existsSync(join(REPO, 'dist', 'renderer', 'index.html'))) {
      execFileSync(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(REPO, 'renderer', 'vite.config.ts')], { cwd: REPO, stdio: 'inherit' });
    }
    app = await _electron.launch({
      executablePath: (found as { path: string }).path,
      args: [join(REPO, 'out', 'electron', 'main.js'), '--demo'],
      cwd: REPO,
      env: { ...(process.env as Record<string, string>), SEGLENS_HOME: home },
      timeout: 60_000,
    });
    win = await app.firstWindow({ timeout: 60_000 });
  }, 180_000);

  afterAll(async () => {
    await app?.close().catch(() => {});
    await rm(home, { recursive: true, force: true });
  });

  it('loads the renderer from the app scheme', async () => {
    await win.waitForLoadState('domcontentloaded');
    expect(win.url()).toMatch(/^seglens:\/\/app\//);
  });

  it('gives the page the bridge and no Node or Electron', async () => {
    const seen = await win.evaluate(() => {
      const g = globalThis as Record<string, unknown>;
      return { require: typeof g.require, process: typeof g.process, bridge: Object.keys((g.seglens as object) ?? {}).sort() };
    });
    expect(seen).toEqual({ require: 'undefined', process: 'undefined', bridge: ['call', 'download', 'subscribe', 'upload'] });
  });

  it('cannot open new windows', async () => {
    expect(await win.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
    expect(app.windows()).toHaveLength(1);
  });

  it('shows the demo project and its first image', async () => {
    // The demo is generated on first start; poll the engine through the page's own bridge.
    const first = await win.evaluate(async () => {
      const s = (globalThis as unknown as { seglens: { call(m: string, p: unknown): Promise<{ ok: boolean; result?: unknown }> } }).seglens;
      for (let i = 0; i < 600; i++) {
        const info = await s.call('appInfo', {});
        const project = info.ok ? (info.result as { project: unknown }).project : null;
        if (project) {
          const list = await s.call('listImages', {});
          return list.ok ? (list.result as { images: { name: string }[] }).images[0]?.name ?? null : null;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return null;
    });
    expect(first).toBeTruthy();
    await win.getByText(first as string).first().waitFor({ timeout: 60_000 });
    const canvas = win.locator('canvas').first();
    await canvas.waitFor({ state: 'visible', timeout: 60_000 });
    const box = await canvas.boundingBox();
    expect(box && box.width > 0 && box.height > 0).toBe(true);
    await win.screenshot({ path: join(OUT, 'electron-demo-first-image.png') });
  }, 120_000);
});
