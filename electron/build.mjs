// The Electron shell's build (out/electron: main.js and the two preloads) is part of
// tools/bundle.mjs, with the engine and the other Node bundles; this name is kept for the tests
// and scripts that build only the shell.
//
//   node electron/build.mjs [OUT_DIR]
import { fileURLToPath } from 'node:url';
import { buildElectron } from '../tools/bundle.mjs';

export { buildElectron };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  await buildElectron(process.argv[2]);
  console.log(`Built the Electron shell into ${process.argv[2] ?? 'out/electron'} in ${Date.now() - t0} ms.`);
}
