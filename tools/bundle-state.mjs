// Whether the bundles in out/node and out/electron (tools/bundle.mjs) are there and newer than
// every source file they were built from. Cheap (one stat per source file, a few milliseconds) and
// free of esbuild, so that bin/seglens.js asks it on every start: an edited source is rebuilt
// before it runs, and a packaged app or an npm install without the sources (nothing to compare)
// runs what it has.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Written last by a build, relative to the install root. */
export const STATE_FILE = join('out', 'node', 'build.json');

/** The files a build writes that a run needs (relative to the root). */
export const BUNDLE_FILES = ['out/node/cli.js', 'out/node/web.js', 'out/node/engine.js', 'out/node/worker.js', 'out/electron/main.js'];

/** null when the bundles are up to date, else why they are not. */
export function bundlesStale(root) {
  let state;
  let builtMs;
  try {
    const file = join(root, STATE_FILE);
    state = JSON.parse(readFileSync(file, 'utf8'));
    builtMs = statSync(file).mtimeMs;
  } catch {
    return 'not built yet';
  }
  for (const f of BUNDLE_FILES) {
    try {
      statSync(join(root, f));
    } catch {
      return `${f} is missing`;
    }
  }
  for (const input of state.inputs ?? []) {
    let m;
    try {
      m = statSync(join(root, input)).mtimeMs;
    } catch {
      continue; // not shipped (an npm package or an app without sources): nothing to compare
    }
    if (m > builtMs) return `${input} changed`;
  }
  return null;
}
