// Where tests find the repository and the shared real data (../shared/data beside the checkout).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DATA = resolve(REPO, '..', 'shared', 'data');
export const HAVE_DATA = existsSync(join(DATA, 'README.md'));
export const TABLES = join(REPO, 'assets', 'class-tables');

/** For describe.skipIf: prints why real-data tests do not run. */
export function skipWithoutData(what: string): boolean {
  if (!HAVE_DATA) console.warn(`SKIP ${what}: ${DATA} is absent (real microscopy data lives in ../shared/data beside the checkout).`);
  return !HAVE_DATA;
}
