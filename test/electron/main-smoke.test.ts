// The main process as built (electron/main.ts bundled like electron/build.mjs does), run in plain
// Node against a stand-in 'electron' module (helpers/fake-electron.mjs) with the REAL engine
// process: checks the wiring that only main.ts does, i.e. the scheme registered before `ready`,
// the sandbox, the hardened window and session, the app scheme serving the open project and
// refusing escapes, IPC from trusted and untrusted frames, --demo, events reaching the window,
// and a clean engine shutdown on quit. Electron itself is exercised by test/e2e/electron.test.ts.
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_NAMES } from '../../src/api/index.ts';
import { REPO } from '../helpers/paths.ts';

const FAKE = fileURLToPath(new URL('./helpers/fake-electron.mjs', import.meta.url));
// Two levels under the repository, like out/electron, so that main.ts finds electron/ and dist/.
const OUT = join(REPO, 'out', 'electron-smoke');

interface Report {
  schemes: { schemes: { scheme: string; privileges: Record<string, boolean> }[]; beforeReady: boolean };
  sandbox: boolean;
  windows: { url: string; webPreferences: Record<string, unknown> }[];
  blocked: string[];
  menu: string[];
  errors: string[];
  page: { status: number; csp: string };
  openWindow: { action: string };
  permission: boolean;
  permissionCheck: boolean;
  project: { dir: string; isDemo: boolean } | null;
  firstImage: { name: string; ok: boolean; bytes: number };
  projectFile: number;
  escape: number;
  untrusted: { ok: boolean; error?: { name: string } };
  invalid: { ok: boolean; error?: { name: string } };
  eventsSent: string[];
  exitCode: number;
  switches: string[];
  computeWindow: { url: string; status: number; csp: string; options: { show: boolean; webPreferences: Record<string, unknown> }; posted: { channel: string; ports: number }[] };
  computePorts: number;
}

let home: string;
let report: Report;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'seglens-main-smoke-'));
  const { buildComputeWorker, WORKER_BUNDLE } = await import('../../src/train/compute/bundle.mjs');
  if (!existsSync(WORKER_BUNDLE.replace(/worker\.js$/, 'page.html'))) await buildComputeWorker();
  await build({
    absWorkingDir: REPO,
    entryPoints: { main: 'electron/main.ts' },
    outdir: OUT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    alias: { electron: FAKE },
    logLevel: 'warning',
  });
  const child = fork(join(OUT, 'main.js'), ['--demo'], { env: { ...process.env, SEGLENS_HOME: home, SEGLENS_TEST_PORT_SHIM: new URL('./helpers/parent-port-shim.mjs', import.meta.url).href }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  report = await new Promise<Report>((resolve, reject) => {
    let got: Report | null = null;
    child.on('message', (m: { type: string; report: Report }) => {
      if (m.type === 'report') got = m.report;
    });
    child.on('exit', (code) => (got ? resolve(got) : reject(new Error(`main exited with ${code} without a report`))));
  });
}, 120_000);

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
  await rm(OUT, { recursive: true, force: true });
});

describe('the main process (stand-in Electron, real engine)', () => {
  it('registers a standard, secure scheme before ready, and sandboxes every renderer', () => {
    expect(report.schemes.beforeReady).toBe(true);
    expect(report.schemes.schemes).toEqual([{ scheme: 'seglens', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(report.sandbox).toBe(true);
  });

  it('opens one hardened window on the app scheme', () => {
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0].url).toBe('seglens://app/index.html');
    expect(report.windows[0].webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false });
    expect(String(report.windows[0].webPreferences.preload)).toBe(join(OUT, 'preload.cjs'));
    expect(report.page.status).toBe(200);
    expect(report.page.csp).toContain("script-src 'self'");
    expect(report.openWindow).toEqual({ action: 'deny' });
    expect(report.permission).toBe(false);
    expect(report.permissionCheck).toBe(false);
    expect(report.blocked).toContain('https://*/*');
    expect(report.menu).toEqual(['File', 'editMenu', 'View', 'windowMenu']);
  });

  it('opens the hidden GPU compute window (unthrottled, sandboxed) on the app scheme and connects it to the engine', () => {
    const cw = report.computeWindow;
    expect(cw.url).toBe('seglens://app/compute/page.html');
    expect(cw.status).toBe(200);
    expect(cw.csp).toContain("worker-src 'self'");
    expect(cw.options.show).toBe(false);
    expect(cw.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, backgroundThrottling: false });
    expect(String(cw.options.webPreferences.preload)).toBe(join(OUT, 'compute-preload.cjs'));
    // One end of a channel to the page, the other to the engine.
    expect(cw.posted).toEqual([{ channel: 'seglens:compute-port', ports: 1 }]);
    expect(report.computePorts).toBe(1);
    if (process.platform === 'linux') expect(report.switches).toEqual(expect.arrayContaining(['enable-unsafe-webgpu', 'enable-features=Vulkan']));
  });

  it('opens the demo (--demo), serves its first image over IPC and its files over the scheme', () => {
    expect(report.project).toMatchObject({ dir: join(home, 'demo'), isDemo: true });
    expect(report.firstImage.ok).toBe(true);
    expect(report.firstImage.bytes).toBeGreaterThan(1000);
    expect(report.projectFile).toBe(200);
    expect(report.escape).toBeGreaterThanOrEqual(400);
    expect(report.eventsSent).toContain('seglens:event:project.opened');
  });

  it('refuses an untrusted frame and an invalid payload', () => {
    expect(report.untrusted).toMatchObject({ ok: false, error: { name: ERROR_NAMES.accessDenied } });
    expect(report.invalid).toMatchObject({ ok: false, error: { name: ERROR_NAMES.validation } });
  });

  it('stops the engine on quit and exits cleanly, with no error shown', () => {
    expect(report.errors).toEqual([]);
    expect(report.exitCode).toBe(0);
  });
});
