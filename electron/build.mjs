// Builds the Electron shell into out/electron:
//   main.js      the main process (ESM; package.json has "type": "module"), src/api and zod inlined
//   preload.cjs  the preload: one CommonJS file requiring only 'electron', as a sandboxed preload must be
// The engine is not bundled: engine-entry.mjs runs electron/engine-main.ts and src/app through tsx,
// exactly as `seglens` and `seglens serve` run them, because the workspace forks its training child
// from src/app/training/worker.ts and src/train finds the tfjs .wasm files and package.json
// relative to its own sources; a bundle would move those paths. sharp and tfjs therefore load from
// node_modules (unpacked from the asar in a packaged app, see electron-builder.yml).
//
//   node electron/build.mjs            (takes well under a second)
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Builds into `outDir` (default out/electron); resolves with the esbuild metafiles. */
export async function buildElectron(outDir = join(ROOT, 'out', 'electron')) {
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  };
  const main = await build({
    ...common,
    entryPoints: { main: 'electron/main.ts' },
    outdir: outDir,
    format: 'esm',
    outExtension: { '.js': '.js' },
  });
  const preload = await build({
    ...common,
    entryPoints: { preload: 'electron/preload.ts' },
    outdir: outDir,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  });
  // The hidden GPU compute window's preload: the same rules as the app window's.
  const computePreload = await build({
    ...common,
    entryPoints: { 'compute-preload': 'electron/compute-preload.ts' },
    outdir: outDir,
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
  });
  return { main: main.metafile, preload: preload.metafile, computePreload: computePreload.metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  await buildElectron(process.argv[2]);
  console.log(`Built the Electron shell into ${process.argv[2] ?? 'out/electron'} in ${Date.now() - t0} ms.`);
}
