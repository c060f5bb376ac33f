// Lets @tensorflow/tfjs-node 4.22 run on Node >= 23 (Electron 40+ ships Node 24).
//
// tfjs-node 4.22 calls util.isNullOrUndefined and util.isArray, which Node 23 removed (DEP0051,
// DEP0044); every op then fails with "util_1.isNullOrUndefined is not a function". The fix is
// merged upstream (tensorflow/tfjs#8425) but unreleased (tensorflow/tfjs#8609). tfjs-node looks the
// functions up on the `util` module object at call time, so defining them on that object before
// tfjs-node loads is enough. Only missing functions are added: on Node 20/22 this does nothing.
import nodeUtil from 'node:util';

type UtilLike = Record<string, unknown>;

const SHIMS: Record<string, (v: unknown) => boolean> = {
  isNullOrUndefined: (v) => v === null || v === undefined,
  isArray: (v) => Array.isArray(v),
};

/**
 * Adds the removed util functions tfjs-node needs to `target` (default: the `node:util` module
 * object that require('util') returns). Returns the names it added; [] when none were missing.
 */
export function installNodeUtilShims(target: UtilLike = nodeUtil as unknown as UtilLike): string[] {
  const added: string[] = [];
  for (const [name, fn] of Object.entries(SHIMS)) {
    if (typeof target[name] === 'function') continue;
    Object.defineProperty(target, name, { value: fn, writable: true, configurable: true, enumerable: false });
    added.push(name);
  }
  return added;
}
