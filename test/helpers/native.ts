// For describe.skipIf: whether the native addon is here, and if not, why (printed).
import { loadNative } from '../../src/train/backend/native.ts';

export const NATIVE = loadNative();

export function skipWithoutNative(what: string): boolean {
  if (!NATIVE.ok) console.warn(`SKIP ${what}: ${NATIVE.reason}. (bash .ci/run installs libdnnl-dev and fails if the addon does not build.)`);
  return !NATIVE.ok;
}
