// The shell's pure parts: command-line flags, the window's security settings, the URL policy,
// and the build (main bundle and a self-contained preload that requires only 'electron').
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShellArgs } from '../../electron/args.ts';
import { BLOCKED_REQUESTS, appWebPreferences, isAppUrl, isReportBlobUrl, reportWebPreferences } from '../../electron/policy.ts';

describe('parseShellArgs', () => {
  it('reads --demo and --project, resolving the project against the working directory', () => {
    expect(parseShellArgs(['electron', 'out/electron/main.js', '--demo'])).toEqual({ project: null, demo: true });
    expect(parseShellArgs(['electron', 'main.js', '--project', 'data/p'], '/home/u')).toEqual({ project: '/home/u/data/p', demo: false });
    expect(parseShellArgs(['seglens', '--project=/abs/p', '--demo'])).toEqual({ project: '/abs/p', demo: false });
  });
  it('ignores Chromium switches, test-driver flags and positionals', () => {
    const argv = ['electron', '--inspect=0', '--remote-debugging-port=0', '--user-data-dir', '/tmp/x', 'out/electron/main.js', '--no-sandbox'];
    expect(parseShellArgs(argv)).toEqual({ project: null, demo: false });
  });
});

describe('window policy', () => {
  it('isolates and sandboxes the renderer, with no Node and no webview', () => {
    const p = appWebPreferences('/x/preload.cjs', false);
    expect(p).toMatchObject({
      preload: '/x/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
    });
  });
  it('allows only URLs of the app origin', () => {
    expect(isAppUrl('seglens://app/index.html')).toBe(true);
    expect(isAppUrl('seglens://app/index.html#/image/3')).toBe(true);
    for (const u of ['https://example.com', 'file:///etc/passwd', 'seglens://app.evil/x', 'seglens://user@app/x', 'seglens://other/', 'javascript:alert(1)', 'about:blank', '']) {
      expect(isAppUrl(u)).toBe(false);
    }
  });
  it('opens a window only for the report blob of the app origin, without script or Node', () => {
    expect(isReportBlobUrl('blob:seglens://app/0b6c8a1e-5f7a-4f7e-9d59-2b7f0f3c9a11')).toBe(true);
    for (const u of ['blob:https://example.com/0b6c8a1e-5f7a-4f7e-9d59-2b7f0f3c9a11', 'blob:seglens://app.evil/0b6c8a1e-5f7a-4f7e-9d59-2b7f0f3c9a11', 'blob:seglens://app/../x', 'seglens://app/index.html', 'https://example.com']) {
      expect(isReportBlobUrl(u)).toBe(false);
    }
    expect(reportWebPreferences()).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false });
  });
  it('blocks network and file requests', () => {
    expect(BLOCKED_REQUESTS).toEqual(expect.arrayContaining(['http://*/*', 'https://*/*', 'file://*/*', 'ws://*/*']));
  });
});

describe('electron/build.mjs', () => {
  it('bundles main (ESM) and a preload that requires nothing but electron', async () => {
    const out = await mkdtemp(join(tmpdir(), 'seglens-build-'));
    try {
      const { buildElectron } = await import('../../electron/build.mjs');
      await buildElectron(out);
      const preload = await readFile(join(out, 'preload.cjs'), 'utf8');
      expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
      expect(preload).toContain('exposeInMainWorld');
      // No generic escape hatch: the only channels are the fixed request and event channels.
      expect([...new Set([...preload.matchAll(/"(seglens:[^"]+)"/g)].map((m) => m[1].split(':').slice(0, 2).join(':')))].sort()).toEqual(['seglens:call', 'seglens:download', 'seglens:event', 'seglens:upload']);
      // The compute window's preload: requires only electron, exposes nothing, one channel.
      const computePreload = await readFile(join(out, 'compute-preload.cjs'), 'utf8');
      expect([...computePreload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
      expect(computePreload).not.toContain('exposeInMainWorld');
      expect([...new Set([...computePreload.matchAll(/"(seglens:[^"]+)"/g)].map((m) => m[1]))]).toEqual(['seglens:compute-port']);
      const main = await readFile(join(out, 'main.js'), 'utf8');
      const imports = new Set([...main.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]));
      for (const m of imports) expect(m === 'electron' || m.startsWith('node:')).toBe(true);
      expect(main).toContain('registerSchemesAsPrivileged');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
