// Before any test: the bundles in out/node and out/electron are built from the sources as they are
// (tools/bundle.mjs; only when a source is newer than them). Tests that start `bin/seglens.js`, the
// engine or a job process run these bundles, as the app does.
import { fileURLToPath } from 'node:url';
import { bundlesStale } from '../tools/bundle-state.mjs';
import { buildBundles } from '../tools/bundle.mjs';

export default async function setup(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const stale = bundlesStale(root);
  if (!stale) return;
  const r = await buildBundles(root);
  console.log(`test setup: built the bundles (${stale}) in ${r.ms} ms`);
}
