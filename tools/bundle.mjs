// Builds what seglens runs, with esbuild, so that nothing compiles TypeScript at run time:
//
//   out/node/      the Node programs, ESM, one build with shared chunks, every file flat in the
//                  folder (src/seg/runtime.ts relies on that: two folders under the install root):
//     cli.js         the `seglens` command (bin/seglens.js imports it)
//     web.js         browser mode, a process of its own (`seglens serve`, `seglens start`)
//     engine.js      the desktop app's engine, an Electron utility process (electron/engine-main.ts)
//     worker.js      a job process: a training, a report or a prediction (src/app/training/worker.ts),
//                    started by child_process.fork (launcher.ts) or by Electron's main process
//     train-job.js, report-runner.js, predict-job.js   the job modules worker.js imports by path
//     build.json     what the build read (for the staleness check of tools/bundle-state.mjs)
//   out/electron/  the Electron shell: main.js (ESM) and the two sandboxed preloads (CommonJS)
//   dist/compute/  the GPU compute worker for browsers (src/train/compute/bundle.mjs)
//
// Packages stay in node_modules (external) where bundling would break them: native code found by
// path (sharp and its libvips, tfjs-node, webgpu's Dawn, onnxruntime-node), Electron, playwright-core
// (optional, for PDF reports: a dev dependency, so absent from a package), and all of
// TensorFlow.js, because tfjs-node registers its backend on the tfjs-core it requires itself (a
// second, bundled tfjs-core would never see it), and tfjs-backend-wasm finds its .wasm files and
// pthread worker next to its own package (src/train/backend/wasm-paths.ts, threads.ts). The native
// addon is loaded by path at run time (src/train/backend/native.ts). The rest (zod, commander, ws,
// cli-progress, seedrandom and our own code) is inlined.
//
//   node tools/bundle.mjs          (npm run build; about 1-2 s; bin/seglens.js runs it when stale)
import { existsSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATE_FILE } from './bundle-state.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** esbuild, a dev dependency: loaded when a build runs, so that a missing one is reported, not thrown at import. */
async function build(options) {
  const esbuild = await import('esbuild');
  return esbuild.build(options);
}

/** Packages that stay in node_modules (see above). */
export const EXTERNAL = [
  'electron',
  'sharp',
  '@tensorflow/*',
  'webgpu',
  'onnxruntime-node',
  // A dev dependency the report's PDF export uses when it is installed (src/app/report-pdf.ts).
  'playwright-core',
  // ws's optional native speed-ups, required inside a try.
  'bufferutil',
  'utf-8-validate',
];

/** Entries of out/node: output name -> source. */
export const NODE_ENTRIES = {
  cli: 'src/cli/main.ts',
  web: 'src/web/entry.ts',
  engine: 'electron/engine-main.ts',
  worker: 'src/app/training/worker.ts',
  'train-job': 'src/app/training/train-job.ts',
  'report-runner': 'src/app/report-runner.ts',
  'predict-job': 'src/app/predict/predict-job.ts',
};

/**
 * zod's `z` namespace carries `z.locales`, its error messages in every language (about 580 kB of
 * the 750 kB zod added to out/node): esbuild keeps a namespace object whole, so every process
 * compiled them as it started (tens of ms of `seglens serve`'s start, twice: the CLI and the
 * server; issue 14). Nothing of ours switches zod's language (it speaks English, as its own
 * config(en()) sets), so the locales index is reduced to English. (The renderer's build, by Rollup,
 * drops them anyway.)
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: "export { default as en } from './en.js';", loader: 'js' }));
  },
};

const common = {
  plugins: [zodEnglishOnly],
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  metafile: true,
  logLevel: 'warning',
  // Electron's utility processes and Node both run ESM; package.json has "type": "module".
  // Inlined CommonJS packages (commander, ws, ...) call require() for Node's own modules, which an
  // ES module lacks: give them one.
  banner: { js: "import { createRequire as __seglensCreateRequire } from 'node:module'; const require = __seglensCreateRequire(import.meta.url);" },
};

/** Writes a file through a temporary name and a rename, so a process starting meanwhile reads the old or the new file. */
async function writeAtomic(path, contents) {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, path);
}

/** Writes esbuild's in-memory output: chunks first, then the entries that import them, then build.json. */
async function writeOutputs(outputFiles, outDir) {
  await mkdir(outDir, { recursive: true });
  const chunks = outputFiles.filter((f) => /[\\/]chunk-[^\\/]*$/.test(f.path));
  const rest = outputFiles.filter((f) => !chunks.includes(f));
  for (const f of [...chunks, ...rest]) await writeAtomic(f.path, f.contents);
  // Chunks of earlier builds: a process started from them (a server left running while its sources
  // are edited and rebuilt) may still import one lazily, so they go only after a day.
  const current = new Set(outputFiles.map((f) => f.path));
  for (const name of readdirSync(outDir)) {
    const p = join(outDir, name);
    if (!name.startsWith('chunk-') || current.has(p)) continue;
    try {
      if (Date.now() - statSync(p).mtimeMs > 24 * 3600_000) unlinkSync(p);
    } catch {
      // another build removed it
    }
  }
}

/** Our own source files a metafile lists (relative to the root), for the staleness check. */
function ownInputs(...metafiles) {
  const inputs = new Set(['tools/bundle.mjs', 'package.json']);
  for (const m of metafiles) for (const i of Object.keys(m.inputs)) if (!i.includes('node_modules/') && !i.startsWith('<')) inputs.add(i);
  return [...inputs].sort();
}

/** Builds out/node (see above); resolves with esbuild's metafile. */
export async function buildNode(outDir = join(ROOT, 'out', 'node')) {
  const r = await build({
    ...common,
    entryPoints: NODE_ENTRIES,
    outdir: outDir,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    // src/seg/runtime.ts: code that knows it runs bundled starts bundles, not TypeScript sources.
    define: { __SEGLENS_BUNDLE__: 'true' },
    // No source maps: none are shipped or served (README, "The app").
    write: false,
  });
  await writeOutputs(r.outputFiles, outDir);
  return r.metafile;
}

/** Builds the Electron shell into `outDir` (default out/electron); resolves with the esbuild metafiles. */
export async function buildElectron(outDir = join(ROOT, 'out', 'electron')) {
  const shell = { ...common, banner: undefined, sourcemap: 'linked' };
  // main.js: ESM; src/api and zod inlined.
  const main = await build({ ...shell, entryPoints: { main: 'electron/main.ts' }, outdir: outDir, format: 'esm', outExtension: { '.js': '.js' } });
  // The preloads: one CommonJS file each, requiring only 'electron', as a sandboxed preload must be.
  const preload = await build({ ...shell, entryPoints: { preload: 'electron/preload.ts' }, outdir: outDir, format: 'cjs', outExtension: { '.js': '.cjs' } });
  const computePreload = await build({
    ...shell,
    entryPoints: { 'compute-preload': 'electron/compute-preload.ts' },
    outdir: outDir,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  });
  return { main: main.metafile, preload: preload.metafile, computePreload: computePreload.metafile };
}

/** Builds out/node and out/electron and records what they were built from (out/node/build.json). */
export async function buildBundles(root = ROOT) {
  const t0 = Date.now();
  const node = await buildNode(join(root, 'out', 'node'));
  const shell = await buildElectron(join(root, 'out', 'electron'));
  const inputs = ownInputs(node, shell.main, shell.preload, shell.computePreload).filter((i) => existsSync(join(root, i)));
  await writeAtomic(join(root, STATE_FILE), JSON.stringify({ builtAt: new Date().toISOString(), inputs }, null, 1) + '\n');
  return { ms: Date.now() - t0, inputs: inputs.length, outDir: relative(process.cwd(), join(root, 'out')) || '.' };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  // --if-possible (postinstall): without esbuild (npm ci --omit=dev) say so and succeed; the
  // bundles are then built on first run, or shipped in a package.
  try {
    const r = await buildBundles();
    console.log(`Built out/node and out/electron in ${r.ms} ms (${r.inputs} source files).`);
    if (args.includes('--compute')) {
      const { buildComputeWorker, WORKER_BUNDLE } = await import('../src/train/compute/bundle.mjs');
      await buildComputeWorker();
      console.log(`Built ${relative(ROOT, WORKER_BUNDLE)}.`);
    }
  } catch (e) {
    if (!args.includes('--if-possible')) throw e;
    console.warn(`seglens: the bundles were not built now (${String(e?.message ?? e).split('\n')[0]}); \`seglens\` builds them on first run.`);
  }
}
