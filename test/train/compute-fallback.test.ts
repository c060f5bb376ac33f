// FirstWorkingCompute (the app's training job: CUDA, then the page's or window's GPU, then this
// machine): the first compute whose init succeeds is used, every failed one is disposed and named
// with its reason in the report; and selectBackend's `only` tries nothing else.
import { describe, expect, it } from 'vitest';
import { FirstWorkingCompute } from '../../src/train/compute/fallback.ts';
import type { BackendReport, Compute, ComputeInit } from '../../src/train/compute/types.ts';
import { selectBackend } from '../../src/train/backend/select.ts';

function fake(name: string, fail?: string): Compute & { disposed: boolean; steps: number } {
  return {
    disposed: false,
    steps: 0,
    async init(): Promise<BackendReport> {
      if (fail) throw new Error(fail);
      return { name, package: name, reason: `${name} runs`, tried: [{ package: name, ok: true, reason: `${name} runs` }] };
    },
    async step() {
      this.steps++;
      return 1;
    },
    async setLearningRate() {},
    async predict() {
      return { probs: new Float32Array(0), tiles: 0, loss: null };
    },
    async snapshot() {
      return { weights: { specs: [], data: new Uint8Array() }, optimizer: { iterations: 0, moments: { specs: [], data: new Uint8Array() } } };
    },
    async setWeights() {},
    async dispose() {
      this.disposed = true;
    },
  };
}

describe('FirstWorkingCompute', () => {
  it('uses the first compute that starts, disposes the others, and names each failure', async () => {
    const cuda = fake('cuda', 'tfjs-node-gpu is not installed');
    const page = fake('webgpu', 'No GPU backend in this page: only a software adapter (google swiftshader)');
    const here = fake('native');
    const c = new FirstWorkingCompute([
      { label: 'CUDA', make: () => cuda },
      { label: 'GPU compute of the browser page', make: () => page },
      { label: 'this machine', make: () => here },
    ]);
    const report = await c.init({} as ComputeInit);
    expect(report.name).toBe('native');
    expect(report.reason).toMatch(/^native runs \(CUDA not used: tfjs-node-gpu is not installed; GPU compute of the browser page not used: No GPU backend .*software/);
    expect(report.tried.map((t) => [t.package, t.ok])).toEqual([
      ['CUDA', false],
      ['GPU compute of the browser page', false],
      ['native', true],
    ]);
    expect([cuda.disposed, page.disposed, here.disposed]).toEqual([true, true, false]);
    await c.step({ x: new Float32Array(1), y: new Int32Array(1), shape: [1, 1, 1, 1] });
    expect(here.steps).toBe(1);
  });

  it('fails with every reason when none starts', async () => {
    const c = new FirstWorkingCompute([
      { label: 'A', make: () => fake('a', 'no a') },
      { label: 'B', make: () => fake('b', 'no b') },
    ]);
    await expect(c.init({} as ComputeInit)).rejects.toThrow(/No compute could start: A not used: no a; B not used: no b/);
  });
});

describe('selectBackend({ only })', () => {
  it('tries only the listed candidates and says why none started, without the cpu advice', async () => {
    const notFound = (pkg: string) => Object.assign(new Error(`Cannot find package '${pkg}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    const asked: string[] = [];
    const err = await selectBackend({ only: ['tensorflow-gpu'], load: async (pkg) => (asked.push(pkg), Promise.reject(notFound(pkg))) }).catch((e: Error) => e);
    expect(asked).toEqual(['@tensorflow/tfjs-node-gpu']);
    expect(String(err)).toMatch(/tfjs-node-gpu is not installed/);
    expect(String(err)).not.toMatch(/cpu backend is refused/);
  });
});
