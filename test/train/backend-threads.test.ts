// The multi-threaded wasm build under Node (src/train/backend/threads.ts). Thread setup happens
// once per process, so each case runs in a child process; the child must also exit by itself
// (XNNPACK's pool threads never end and must not hold Node's event loop).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = (p: string) => JSON.stringify(pathToFileURL(join(REPO, p)).href);

/** Child: start wasm with N threads, take gradients of a small conv net, print them as JSON. */
const CHILD = `
const { selectBackend } = await import(${src('src/train/backend/select.ts')});
const { tf } = await import(${src('src/train/tf.ts')});
const threads = Number(process.argv[2]);
const choice = await selectBackend({ prefer: 'wasm', wasmThreads: threads });
let seed = 7;
const rand = (shape) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) % 2147483648; v[i] = seed / 1073741824 - 1; }
  return tf.tensor(v, shape);
};
const x = rand([2, 32, 32, 3]);
const ws = [rand([3, 3, 3, 16]), rand([3, 3, 16, 16]), rand([2, 2, 8, 16]), rand([1, 1, 8, 2])];
const loss = (w0, w1, w2, w3) => {
  const a = tf.relu(tf.conv2d(x, w0, 1, 'same'));
  const b = tf.relu(tf.conv2d(a, w1, 2, 'same'));
  const up = tf.conv2dTranspose(b, w2, [2, 32, 32, 8], 2, 'same');
  return tf.mean(tf.square(tf.conv2d(up, w3, 1, 'valid')));
};
const grads = tf.grads(loss)(ws).map((g) => Array.from(g.dataSync()));
console.log(JSON.stringify({ name: choice.name, reason: choice.reason, threads: choice.wasm.threads, threadsReason: choice.wasm.threadsReason, grads }));
`;

interface ChildResult {
  name: string;
  reason: string;
  threads: number;
  threadsReason: string;
  grads: number[][];
}

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-threads-'));
  await writeFile(join(dir, 'child.mts'), CHILD);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function runChild(threads: number): ChildResult {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const r = spawnSync(process.execPath, ['--import', tsx, join(dir, 'child.mts'), String(threads)], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000, // a child kept alive by its worker threads would hit this
  });
  expect(r.error, 'child did not exit by itself').toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as ChildResult;
}

describe('wasm backend with worker threads', () => {
  it('starts XNNPACK threads, reports them, gives the single-thread gradients and lets the process exit', () => {
    const one = runChild(1);
    const two = runChild(2);
    expect(one.name).toBe('wasm');
    expect(one.threads).toBe(1);
    expect(two.name).toBe('wasm');
    const expected = Math.min(2, cpus().length);
    expect(two.threads).toBe(expected);
    expect(two.threadsReason).toMatch(expected === 2 ? /^2 threads/ : /capped at the core count/);
    expect(two.reason).toContain(two.threadsReason);
    // XNNPACK splits work over output tiles, each output summed by one thread in a fixed order.
    expect(two.grads).toEqual(one.grads);
    expect(one.grads.flat().some((v) => v !== 0)).toBe(true);
  });

  it('refuses a thread count that is not a positive integer', async () => {
    const { selectBackend } = await import('../../src/train/backend/select.ts');
    await expect(selectBackend({ wasmThreads: 0 })).rejects.toThrow(/positive integer/);
    await expect(selectBackend({ wasmThreads: 1.5 })).rejects.toThrow(/positive integer/);
  });
});
