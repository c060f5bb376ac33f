// Bundles the compute worker (worker-entry.ts) for browsers into dist/compute/worker.js: the
// file the app's page (browser mode) and Electron's compute window start as a Web Worker; and the
// compute window's page (page.html + page.js, page-entry.ts). The bundle is built for the browser
// platform, so any Node module that creeps into the step code (model, loss, optimizer, tiled
// prediction) fails this build: it is also the check of the rule that this code runs anywhere.
//
//   node src/train/compute/bundle.mjs     (npm run build:compute; `seglens start`/`serve` run it on first use)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const WORKER_BUNDLE = join(ROOT, 'dist', 'compute', 'worker.js');

/** Builds the worker; resolves with esbuild's metafile (inputs of the bundle). */
export async function buildComputeWorker(outfile = WORKER_BUNDLE, minify = true) {
  const r = await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/train/compute/worker-entry.ts'],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    minify,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
    // tfjs-core's Node-only platform file is reached through a dynamic require it guards itself.
    external: [],
  });
  // The compute window's page, and its script (no inline script: the app's CSP forbids it).
  const dir = dirname(outfile);
  await build({ absWorkingDir: ROOT, entryPoints: ['src/train/compute/page-entry.ts'], outfile: join(dir, 'page.js'), bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', minify, logLevel: 'warning' });
  await build({ absWorkingDir: ROOT, entryPoints: ['src/train/compute/page.html'], outdir: dir, loader: { '.html': 'copy' }, logLevel: 'warning' });
  return r.metafile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  await buildComputeWorker();
  console.log(`compute worker: ${WORKER_BUNDLE} (${Date.now() - t0} ms)`);
}
