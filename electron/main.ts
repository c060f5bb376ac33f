// Main process of the desktop app. It only assembles the pieces beside it: the app scheme
// (protocol.ts), the hardened window (window.ts, policy.ts), the menu, the engine in a utility
// process (engine-host.ts -> out/node/engine.js, the bundle of engine-main.ts) and the IPC between window and
// engine (ipc-main.ts, ipc-guard.ts). Built by tools/bundle.mjs to out/electron/main.js.
//
//   electron out/electron/main.js [--demo | --project DIR]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, MessageChannelMain, app, dialog, ipcMain, protocol, utilityProcess } from 'electron';
import { errorToWire } from '../src/api/errors.ts';
import type { ContractEvent } from '../src/api/contract.ts';
import { parseShellArgs } from './args.ts';
import { EngineHost } from './engine-host.ts';
import type { RequestInput } from './engine-host.ts';
import { deliverEvent, registerIpc } from './ipc-main.ts';
import { installMenu } from './menu.ts';
import { APP_ORIGIN, SCHEME, handleAppRequest } from './protocol.ts';
import { ComputeWindow, computeWindowOptions } from './compute-window.ts';
import { createAppWindow, hardenContents, hardenSession } from './window.ts';

/** out/electron, both in the repository and inside a packaged app's resources. */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const PATHS = {
  renderer: join(ROOT, 'dist', 'renderer'),
  compute: join(ROOT, 'dist', 'compute'),
  preload: join(HERE, 'preload.cjs'),
  computePreload: join(HERE, 'compute-preload.cjs'),
  // The engine and the job processes: bundles of electron/engine-main.ts and
  // src/app/training/worker.ts (tools/bundle.mjs), inside app.asar in a package.
  engine: join(ROOT, 'out', 'node', 'engine.js'),
  job: join(ROOT, 'out', 'node', 'worker.js'),
};
const log = (m: string) => console.error(m);

// Before `ready` (hence at module top level): the scheme is standard and secure so that the page
// gets a real origin, relative URLs and fetch, and every renderer is sandboxed.
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();
// WebGPU for the compute window: on by default on Windows and macOS; on Linux behind these switches
// (and Chromium may still find no adapter there: electron issue 41763; training then uses the CPU).
if (process.platform === 'linux') {
  app.commandLine.appendSwitch('enable-unsafe-webgpu');
  app.commandLine.appendSwitch('enable-features', 'Vulkan');
}

const args = parseShellArgs(process.argv);
let projectDir: string | null = null;
const appContents = new Set<number>();

const engine = new EngineHost({
  fork: () => utilityProcess.fork(PATHS.engine, [], { serviceName: 'seglens engine', stdio: 'inherit' }),
  // Trainings and reports: utility processes of their own, started here for the engine (the
  // RunAsNode fuse is off, so the engine cannot fork Node children itself).
  forkJob: () => utilityProcess.fork(PATHS.job, [], { serviceName: 'seglens job', stdio: 'inherit' }),
  onEvent: (event: ContractEvent) => {
    if (event.type === 'project.opened') projectDir = event.payload.dir;
    deliverEvent(event, BrowserWindow.getAllWindows().map((w) => w.webContents), APP_ORIGIN);
  },
  onRestart: async (send) => {
    // The new engine gets a fresh channel to the compute window's worker.
    computeWindow.connect();
    if (!projectDir) return;
    const r = await send({ kind: 'call', method: 'openProject', params: { dir: projectDir } });
    if (!r.ok) dialog.showErrorBox('seglens', `The engine was restarted but could not reopen ${projectDir}: ${r.error.message}`);
  },
  log,
});

// The GPU: a hidden window running the compute worker, lent to trainings by the engine.
const computeWindow = new ComputeWindow({
  createWindow: () => new BrowserWindow(computeWindowOptions(PATHS.computePreload)),
  channel: () => new MessageChannelMain(),
  toEngine: (port) => engine.sendComputePort(port),
  log,
});

/** A request from the main process itself (menu, command line); failures are shown to the user. */
async function engineCall(input: RequestInput): Promise<void> {
  const r = await engine.request(input);
  if (!r.ok) dialog.showErrorBox('seglens', r.error.message);
}

function openWindow(): BrowserWindow {
  const win = createAppWindow(PATHS.preload, !app.isPackaged);
  const id = win.webContents.id;
  appContents.add(id);
  win.on('closed', () => {
    appContents.delete(id);
    // The hidden compute window is not a reason to stay: the app ends with its last app window.
    if (appContents.size === 0) app.quit();
  });
  return win;
}

/** The native folder dialog; null when cancelled. */
async function pickFolder(title: string): Promise<string | null> {
  const win = BrowserWindow.getAllWindows()[0];
  const options = { title, properties: ['openDirectory' as const, 'createDirectory' as const] };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return !r.canceled && r.filePaths[0] ? r.filePaths[0] : null;
}

async function chooseProject(): Promise<void> {
  const dir = await pickFolder('Open a seglens project folder');
  if (dir) await engineCall({ kind: 'call', method: 'openProject', params: { dir } });
}

function start(): void {
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, log));
  // A second launch (e.g. `seglens start --project X` while the app runs) goes to this window.
  app.on('second-instance', (_e, argv, cwd) => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win?.isMinimized()) win.restore();
    win?.focus();
    const again = parseShellArgs(argv, cwd);
    if (again.project) void engineCall({ kind: 'call', method: 'openProject', params: { dir: again.project } });
    else if (again.demo) void engineCall({ kind: 'call', method: 'openDemo', params: {} });
  });
  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (e) => {
    if (quitting) return;
    quitting = true;
    e.preventDefault();
    // The engine stops training first: the trainer saves its `last` checkpoint on abort.
    computeWindow.stop();
    engine.shutdown().finally(() => app.exit(0));
  });

  app
    .whenReady()
    .then(() => {
      hardenSession(log);
      protocol.handle(SCHEME, (request) => handleAppRequest(request, { rendererDir: PATHS.renderer, computeDir: PATHS.compute, projectDir: () => projectDir, log }));
      registerIpc(ipcMain, { origin: APP_ORIGIN, isAppWebContents: (id) => appContents.has(id), engine, pickFolder: () => pickFolder('Choose a folder of images and masks'), log });
      installMenu({
        openProject: () => void chooseProject(),
        openDemo: () => void engineCall({ kind: 'call', method: 'openDemo', params: {} }),
        development: !app.isPackaged,
      });
      engine.start();
      computeWindow.start();
      // The page subscribes to events before asking appInfo, so it sees the project either way.
      if (args.project) void engineCall({ kind: 'call', method: 'openProject', params: { dir: args.project } });
      else if (args.demo) void engineCall({ kind: 'call', method: 'openDemo', params: {} });
      openWindow();
    })
    .catch((e: unknown) => {
      dialog.showErrorBox('seglens could not start', errorToWire(e).message);
      app.exit(1);
    });
}

if (app.requestSingleInstanceLock()) start();
else app.quit();
