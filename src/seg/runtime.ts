// Where the program's own files are, and whether this code runs from the esbuild bundles in
// out/node (what `seglens`, `seglens serve`, the Electron engine and the job processes run; built
// by tools/bundle.mjs) or from the TypeScript sources (the tests, through tsx or vitest).
//
// Both layouts keep this module two folders under the install root: src/seg/runtime.ts in the
// sources, a file directly in out/node/ when bundled (tools/bundle.mjs writes every entry and
// chunk flat into out/node). So paths to package.json, native/ and dist/ are found from here, in
// the repository and inside a packaged app alike, without a working-directory guess.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Replaced by `true` when tools/bundle.mjs builds the bundles (esbuild's `define`); never declared
// at run time, so from the sources the typeof test below is false.
declare const __SEGLENS_BUNDLE__: boolean | undefined;

/** Whether this code runs from the bundles in out/node. */
export const BUNDLED: boolean = typeof __SEGLENS_BUNDLE__ !== 'undefined' && __SEGLENS_BUNDLE__ === true;

/** The install root: the repository, or a packaged app's `resources/app` (inside app.asar). */
export const INSTALL_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folder of the Node bundles. */
export const BUNDLE_DIR = join(INSTALL_ROOT, 'out', 'node');

/**
 * A module the program starts or imports by path (a job process's entry, a job module): its bundle
 * `out/node/<bundle>.js` when running bundled, else its TypeScript source (`source`, relative to
 * the install root), which only a process with tsx registered can load.
 */
export function programFile(source: string, bundle: string): string {
  return BUNDLED ? join(BUNDLE_DIR, `${bundle}.js`) : join(INSTALL_ROOT, source);
}
