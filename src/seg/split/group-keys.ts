// The group keys of image names under the user's --group pattern, computed off the caller's event
// loop with a time limit. A JavaScript regular expression backtracks: a pattern with nested
// repetition such as `^(a+)+$` takes time exponential in the name's length, and run inline it
// would hold the app's server (every other request) or the command for minutes. Here it runs in a
// worker thread that is terminated at the limit, and the user gets an error naming the pattern.
// (A linear-time engine such as RE2 would not need the limit, but it refuses look-arounds and
// back-references that users' existing patterns may hold, and needs a native or wasm package.)
import { Worker } from 'node:worker_threads';
import { ConfigError, ShapeError } from '../errors.ts';
import { compileGroupPattern, groupKey } from './groups.ts';

/** How long the pattern may run over all names; legitimate patterns take microseconds per name. */
export const GROUP_PATTERN_LIMIT_MS = 500;
/** How long the worker may take to start (a loaded machine), before the pattern's own limit counts. */
const WORKER_START_LIMIT_MS = 20_000;

// The worker runs plain JavaScript (no TypeScript loader in worker threads): groupKey is passed as
// its source, so the keys are computed by the one definition in groups.ts.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const groupKey = ${groupKey.toString()};
parentPort.postMessage({ type: 'ready' });
const re = new RegExp(workerData.pattern);
parentPort.postMessage({ type: 'keys', keys: workerData.names.map((n) => groupKey(n, re) ?? null) });
`;

/** Keys of the names under one pattern; only groupKeysOf makes them, so no caller runs a pattern unbounded. */
export class GroupKeys {
  private constructor(
    readonly pattern: string,
    private readonly keys: ReadonlyMap<string, string | undefined>,
  ) {}

  /** The key of `name` (undefined: the pattern does not match it, the image is a group of its own). */
  keyOf(name: string): string | undefined {
    if (!this.keys.has(name)) throw new ShapeError(`No group key was computed for "${name}": compute the keys of every name that is grouped.`, { name });
    return this.keys.get(name);
  }

  /** @internal: groupKeysOf only. */
  static make(pattern: string, names: readonly string[], keys: readonly (string | null)[]): GroupKeys {
    return new GroupKeys(pattern, new Map(names.map((n, i) => [n, keys[i] ?? undefined])));
  }
}

export interface GroupKeysOptions {
  limitMs?: number;
}

/** Runs `pattern` over `names` in a worker thread; a ConfigError when it is invalid or runs past the limit. */
export async function groupKeysOf(names: readonly string[], pattern: string, o: GroupKeysOptions = {}): Promise<GroupKeys> {
  compileGroupPattern(pattern); // a syntax error is reported at once, by the same words as before
  const limit = o.limitMs ?? GROUP_PATTERN_LIMIT_MS;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pattern, names: [...names] } });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      void worker.terminate();
      f();
    };
    const tooSlow = (what: string) =>
      new ConfigError(
        `The group pattern ${JSON.stringify(pattern)} ${what}, so it was stopped: it backtracks without end on these names (nested repetition such as (a+)+ or (\\w*)*). ` +
          'Write it without a repeated group that can match the same text in several ways, for example "^(mouse\\\\d+)_" to group by the animal in "mouse12_slice3".',
        { pattern, names: names.length, limitMs: limit },
      );
    timer = setTimeout(() => finish(() => reject(new ConfigError(`Could not start the worker that runs the group pattern within ${WORKER_START_LIMIT_MS / 1000} s; try again.`, { pattern }))), WORKER_START_LIMIT_MS);
    worker.on('message', (m: { type: 'ready' } | { type: 'keys'; keys: (string | null)[] }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        timer = setTimeout(() => finish(() => reject(tooSlow(`ran longer than ${limit / 1000} s on ${names.length} image name(s)`))), limit);
      } else finish(() => resolve(GroupKeys.make(pattern, names, m.keys)));
    });
    worker.on('error', (e) => finish(() => reject(new ConfigError(`The group pattern ${JSON.stringify(pattern)} failed: ${e.message}.`, { pattern }))));
    worker.on('exit', (code) => finish(() => reject(new ConfigError(`The group pattern ${JSON.stringify(pattern)} could not be run (its worker stopped with code ${code}).`, { pattern }))));
  });
}
