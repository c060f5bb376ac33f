#!/usr/bin/env node
// The `seglens` command: runs the esbuild bundle out/node/cli.js (tools/bundle.mjs). `npm ci`
// builds it (postinstall); when it is missing or older than a source file it was built from (a
// checkout being edited), it is rebuilt here first, in a second or two, so `npx seglens` always
// runs the sources as they are, with no build step to remember.
import { fileURLToPath } from 'node:url';
import { bundlesStale } from '../tools/bundle-state.mjs';

const stale = bundlesStale(fileURLToPath(new URL('..', import.meta.url)));
if (stale) {
  let built = false;
  try {
    const { buildBundles } = await import('../tools/bundle.mjs');
    process.stderr.write(`seglens: building the bundles (${stale}) ...\n`);
    await buildBundles();
    built = true;
  } catch (e) {
    process.stderr.write(`seglens: the bundles could not be built: ${String(e?.message ?? e).split('\n')[0]}\n`);
  }
  if (!built && stale !== 'not built yet' && !stale.endsWith('is missing')) process.stderr.write('seglens: running the bundles as they are.\n');
  else if (!built) {
    process.stderr.write('seglens: install the dev dependencies (npm ci) to build them, or run `npm run build`.\n');
    process.exit(2);
  }
}
const { main } = await import('../out/node/cli.js');
process.exitCode = await main(process.argv);
