// `seglens serve [PROJECT]` (browser mode) and `seglens start` (Electron where it is installed,
// else browser mode on the demo, saying why). Browser mode runs as its own process (the bundle
// out/node/web.js; src/web/entry.ts through tsx when this code runs from the sources, in tests):
// the CLI starts it the way it starts Electron, without importing the web layer.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { BUNDLED, INSTALL_ROOT as REPO, programFile } from '../../seg/runtime.ts';
import { numberOption } from '../output.ts';

const WEB_MAIN = programFile('src/web/entry.ts', 'web');
/** Where the Electron shell's main entry is (tools/bundle.mjs builds it with the other bundles). */
const ELECTRON_ENTRIES = ['out/electron/main.js'];

interface ServeFlags {
  port?: number;
  host?: string;
  demo?: boolean;
}

/** Runs a child with this terminal, forwards Ctrl-C / SIGTERM, resolves with its exit code. */
function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** Node flags that load the TypeScript sources (tsx, a dev dependency); none for the bundle. */
function tsxImport(): string[] {
  return BUNDLED ? [] : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

export function serveArgs(project: string | undefined, f: ServeFlags, note?: string): string[] {
  return [
    ...tsxImport(),
    WEB_MAIN,
    ...(project ? [project] : []),
    ...(f.port !== undefined ? ['--port', String(f.port)] : []),
    ...(f.host ? ['--host', f.host] : []),
    ...(f.demo ? ['--demo'] : []),
    ...(note ? ['--note', note] : []),
  ];
}

export type ElectronCheck = { ok: true; binary: string; entry: string } | { ok: false; why: string };

const RENDERER_INDEX = join(REPO, 'dist', 'renderer', 'index.html');

/**
 * The UI is built with vite into dist/renderer; a fresh checkout has none, so `start` and `serve`
 * build it first (a few seconds) rather than showing a page that says how to.
 */
async function ensureRendererBuilt(): Promise<void> {
  if (existsSync(RENDERER_INDEX)) return;
  const vite = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    console.error('The UI is not built (dist/renderer) and vite is not installed to build it: run `npm ci` (with dev dependencies), then `npm run build:renderer`.');
    return;
  }
  console.error('Building the UI (first start) ...');
  const code = await run(process.execPath, [vite, 'build', '--config', join(REPO, 'renderer', 'vite.config.ts'), '--logLevel', 'warn']);
  if (code !== 0) console.error('Building the UI failed (see above); the server will say how to build it by hand.');
}

const COMPUTE_WORKER = join(REPO, 'dist', 'compute', 'worker.js');

/** The GPU compute worker (dist/compute/worker.js) the page starts; built on first start, ~1 s. */
async function ensureComputeWorkerBuilt(): Promise<void> {
  if (existsSync(COMPUTE_WORKER)) return;
  const code = await run(process.execPath, [join(REPO, 'src', 'train', 'compute', 'bundle.mjs')]);
  if (code !== 0) console.error('Building the GPU compute worker failed (see above); training uses the CPU. Build it with `npm run build:compute`.');
}

/** Builds the bundles (out/node, out/electron: tools/bundle.mjs); a second or two. */
async function buildElectronShell(): Promise<boolean> {
  return (await run(process.execPath, [join(REPO, 'tools', 'bundle.mjs')])) === 0;
}

/** Whether the desktop app can run here: the electron package, its binary, and the shell's entry. */
export function checkElectron(repo = REPO): ElectronCheck {
  const req = createRequire(join(repo, 'package.json'));
  let binary: string;
  try {
    req.resolve('electron');
  } catch {
    return { ok: false, why: 'the electron package is not installed (a dev dependency: npm ci installs it)' };
  }
  // Electron's index.js downloads a missing binary when required (on every start, with a stack
  // trace when offline): its path.txt, written by that download, tells first.
  const pathFile = join(dirname(req.resolve('electron/package.json')), 'path.txt');
  if (!process.env.ELECTRON_OVERRIDE_DIST_PATH && !existsSync(pathFile)) {
    return { ok: false, why: 'the Electron binary is not installed (its download was skipped or failed during npm ci; `npx install-electron` fetches it)' };
  }
  try {
    binary = req('electron') as string;
  } catch (e) {
    return { ok: false, why: `the electron package is installed but unusable (${(e as Error).message.split('\n')[0]})` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { ok: false, why: `the Electron binary ${String(binary)} is missing (its download during install failed)` };
  const entry = ELECTRON_ENTRIES.map((e) => join(repo, e)).find((e) => existsSync(e));
  if (!entry) return { ok: false, why: `the Electron shell is not built (no ${ELECTRON_ENTRIES.join(' or ')})` };
  return { ok: true, binary, entry };
}

export function registerServe(program: Command, setExit: (code: number) => void): void {
  program
    .command('serve')
    .description('serve the app to a web browser on this computer (127.0.0.1), with a per-launch access token in the printed URL')
    .argument('[project]', 'project folder to open (default: none; the page offers the demo)')
    .option('--port <n>', 'port (default: a free one)', numberOption('--port', 0, 65535))
    .option('--host <address>', 'interface to listen on (default 127.0.0.1; anything else is reachable from the network)')
    .option('--demo', 'open the demo project (generated on first use)')
    .action(async (project: string | undefined, f: ServeFlags) => {
      await ensureRendererBuilt();
      await ensureComputeWorkerBuilt();
      setExit(await run(process.execPath, serveArgs(project, f)));
    });

  program
    .command('start')
    .description('start the desktop app (Electron); where Electron is not installed, serve the demo to a web browser instead')
    .option('--port <n>', 'port of the browser fallback (default: a free one)', numberOption('--port', 0, 65535))
    .action(async (f: ServeFlags) => {
      await ensureRendererBuilt();
      await ensureComputeWorkerBuilt();
      let e = checkElectron();
      // The package and its binary are there but the shell is not built yet: build it now.
      if (!e.ok && e.why.startsWith('the Electron shell is not built') && (await buildElectronShell())) e = checkElectron();
      if (e.ok) {
        setExit(await run(e.binary, [e.entry, '--demo']));
        return;
      }
      const note = `Electron is not available: ${e.why}. Starting browser mode on the demo project instead.`;
      setExit(await run(process.execPath, serveArgs(undefined, { ...f, demo: true }, note)));
    });
}

