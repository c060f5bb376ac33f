// Backend selection, the single tfjs-core instance, and the Node 24 shim for tfjs-node.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/seg/errors.ts';
import { installNodeUtilShims } from '../../src/train/backend/node-compat.ts';
import { CPU_REFUSAL, explainLoadFailure, formatBackendChoice, selectBackend } from '../../src/train/backend/select.ts';
import { tf } from '../../src/train/tf.ts';
import { NATIVE } from '../helpers/native.ts';

/** What selectBackend picks when no tfjs-node package works. */
const CPU_PATH = NATIVE.ok ? 'native' : 'wasm';

/** Runs f with the native path switched off as SEGLENS_NATIVE=0 does. */
async function withoutNative<T>(f: () => Promise<T>): Promise<T> {
  const before = process.env.SEGLENS_NATIVE;
  process.env.SEGLENS_NATIVE = '0';
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.SEGLENS_NATIVE;
    else process.env.SEGLENS_NATIVE = before;
  }
}

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

function notFound(pkg: string): Error {
  const e = new Error(`Cannot find package '${pkg}' imported from ${REPO}/src/train/backend/select.ts`) as Error & { code: string };
  e.code = 'ERR_MODULE_NOT_FOUND';
  return e;
}

describe('one tfjs-core instance', () => {
  it('every tfjs package resolves @tensorflow/tfjs-core to the same file, with no nested copy', () => {
    const ours = require.resolve('@tensorflow/tfjs-core');
    const dependents = ['@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-layers', '@tensorflow/tfjs', '@tensorflow/tfjs-node'];
    let checked = 0;
    for (const pkg of dependents) {
      let pkgJson: string;
      try {
        pkgJson = require.resolve(`${pkg}/package.json`);
      } catch {
        continue; // optional package absent (tfjs-node cannot install here)
      }
      const fromThere = createRequire(pkgJson).resolve('@tensorflow/tfjs-core');
      expect(fromThere, `${pkg} sees another tfjs-core`).toBe(ours);
      expect(existsSync(join(dirname(pkgJson), 'node_modules/@tensorflow/tfjs-core'))).toBe(false);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('package-lock.json holds exactly one tfjs-core, the version tfjs (used by tfjs-node) pins', () => {
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    const cores = Object.keys(lock.packages).filter((k) => k.endsWith('node_modules/@tensorflow/tfjs-core'));
    expect(cores).toEqual(['node_modules/@tensorflow/tfjs-core']);
    const pinned = lock.packages['node_modules/@tensorflow/tfjs']?.dependencies?.['@tensorflow/tfjs-core'];
    if (pinned) expect(lock.packages[cores[0]].version).toBe(pinned);
  });

  it('tensors made by tfjs-layers are instances of the Tensor class src/train uses', () => {
    const t = tfl.initializers.zeros().apply([2, 3]);
    expect(t).toBeInstanceOf(tf.Tensor);
    t.dispose();
  });
});

describe('explainLoadFailure', () => {
  it('names the cause of each kind of failure', () => {
    expect(explainLoadFailure('@tensorflow/tfjs-node', notFound('@tensorflow/tfjs-node'))).toMatch(/is not installed/);
    const binding = new Error(
      "Cannot find module '/app/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'",
    ) as Error & { code: string };
    binding.code = 'MODULE_NOT_FOUND';
    expect(explainLoadFailure('@tensorflow/tfjs-node', binding)).toMatch(/native binding is missing/);
    expect(explainLoadFailure('@tensorflow/tfjs-node', new Error('libtensorflow.so.2: cannot open shared object file'))).toMatch(/^libtensorflow missing/);
    expect(explainLoadFailure('@tensorflow/tfjs-node-gpu', new Error('libcudart.so.11.0: cannot open shared object file'))).toMatch(/^CUDA libraries missing/);
    expect(explainLoadFailure('@tensorflow/tfjs-node', new TypeError('(0 , util_1.isNullOrUndefined) is not a function'))).toMatch(/incompatible with Node/);
  });
});

describe('selectBackend', () => {
  it.skipIf(!NATIVE.ok)('picks the native path after tfjs-node-gpu, before tfjs-node, and says what runs', async () => {
    const asked: string[] = [];
    const choice = await selectBackend({
      load: async (pkg) => {
        asked.push(pkg);
        throw notFound(pkg);
      },
    });
    expect(asked).toEqual(['@tensorflow/tfjs-node-gpu', 'webgpu']);
    expect(choice.name).toBe('native');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.tried.map((t) => t.ok)).toEqual([false, false, true]);
    expect(choice.tried[1].reason).toMatch(/WebGPU not used: the webgpu package is not installed/);
    expect(choice.native?.threads).toBeGreaterThanOrEqual(1);
    expect(choice.reason).toMatch(/oneDNN \d+\.\d+.*threads/);
    expect(formatBackendChoice(choice)).toMatch(/^backend native: .*skipped: .*tfjs-node-gpu/);
  });

  it('skips missing tfjs-node packages and a disabled native path, each with its reason, and trains on wasm with the project kernels', async () => {
    const asked: string[] = [];
    const choice = await withoutNative(() =>
      selectBackend({
        load: async (pkg) => {
          asked.push(pkg);
          throw notFound(pkg);
        },
      }),
    );
    expect(asked).toEqual(['@tensorflow/tfjs-node-gpu', 'webgpu', '@tensorflow/tfjs-node']);
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.tried.map((t) => [t.package, t.ok])).toEqual([
      ['@tensorflow/tfjs-node-gpu', false],
      ['@tensorflow/tfjs-backend-webgpu', false],
      ['seglens-native', false],
      ['@tensorflow/tfjs-node', false],
      ['@tensorflow/tfjs-backend-wasm', true],
    ]);
    expect(choice.tried[2].reason).toMatch(/SEGLENS_NATIVE=0/);
    expect(choice.reason, 'the chosen path says what keeps the native one away').toMatch(/native CPU path not used: .*SEGLENS_NATIVE=0/);
    expect(tf.getKernel('SeglensBatchNormTrain', 'wasm'), 'native kernels removed from wasm').toBeUndefined();
    expect(choice.tried[0].reason).toMatch(/not installed/);
    expect(choice.wasm?.kernels).toEqual(['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Tile', 'MaxPoolGrad', 'Cast', 'Slice', 'SplitV', 'Concat', 'Identity', 'OneHot']);
    expect(choice.wasm?.simd).toBe(true);
    expect(formatBackendChoice(choice)).toMatch(/^backend wasm: .*skipped: .*tfjs-node-gpu/);
  });

  it('without a loader override, reports the real state of the optional tfjs-node packages', async () => {
    const choice = await selectBackend();
    const nodeInstalled = (() => {
      try {
        require.resolve('@tensorflow/tfjs-node/package.json');
        return true;
      } catch {
        return false;
      }
    })();
    if (!nodeInstalled) {
      expect(choice.name).toBe(CPU_PATH);
      if (!NATIVE.ok) expect(choice.tried[3].reason).toMatch(/tfjs-node is not installed/);
    }
    expect(choice.tried.at(-1)?.ok).toBe(true);
  });

  it('refuses a tfjs-node that brings its own tfjs-core', async () => {
    class OtherTensor {}
    const choice = await selectBackend({ load: async () => ({ Tensor: OtherTensor }) });
    expect(choice.name).toBe(CPU_PATH);
    expect(choice.tried[0].reason).toMatch(/second copy of @tensorflow\/tfjs-core/);
  });

  it('skips a tfjs-node that loads but registers no working backend', async () => {
    const choice = await selectBackend({ load: async () => ({ Tensor: tf.Tensor }) });
    expect(choice.name).toBe(CPU_PATH);
    expect(choice.tried[0]).toMatchObject({ package: '@tensorflow/tfjs-node-gpu', ok: false });
    expect(choice.tried[0].reason).toMatch(/loaded but its 'tensorflow' backend did not start/);
  });

  it('refuses the cpu backend unless forced, saying why', async () => {
    await expect(selectBackend({ prefer: 'cpu' })).rejects.toThrow(ConfigError);
    await expect(selectBackend({ prefer: 'cpu' })).rejects.toThrow(/1000x slower/);
    expect(CPU_REFUSAL).toMatch(/allowCpu/);
    const forced = await selectBackend({ prefer: 'cpu', allowCpu: true });
    expect(forced.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(forced.tried).toHaveLength(1);
  });

  it('rejects an unknown preference', async () => {
    await expect(selectBackend({ prefer: 'webgl' as never })).rejects.toThrow(/unknown backend "webgl"/);
  });
});

describe('Node >= 23 shim for tfjs-node (util.isNullOrUndefined / util.isArray)', () => {
  it('adds the functions when they are absent and leaves present ones alone', () => {
    const bare: Record<string, unknown> = {};
    expect(installNodeUtilShims(bare).sort()).toEqual(['isArray', 'isNullOrUndefined']);
    const isNull = bare.isNullOrUndefined as (v: unknown) => boolean;
    const isArray = bare.isArray as (v: unknown) => boolean;
    expect([isNull(null), isNull(undefined), isNull(0), isNull('')]).toEqual([true, true, false, false]);
    expect([isArray([]), isArray({ length: 0 })]).toEqual([true, false]);

    const own = () => true;
    const present: Record<string, unknown> = { isNullOrUndefined: own, isArray: own };
    expect(installNodeUtilShims(present)).toEqual([]);
    expect(present.isNullOrUndefined).toBe(own);
    expect(present.isArray).toBe(own);
  });

  describe('in a child process without the functions, started outside the repository', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'seglens-backend-'));
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('installs the shim on the util module object and the wasm backend still trains', async () => {
      const src = (p: string) => pathToFileURL(join(REPO, p)).href;
      // Simulates Node 24 on Node 20: delete the functions before anything loads.
      const script = `
import { createRequire } from 'node:module';
const req = createRequire(import.meta.url);
const util = req('util');
delete util.isNullOrUndefined;
delete util.isArray;
const before = [typeof util.isNullOrUndefined, typeof util.isArray];
const { installNodeUtilShims } = await import(${JSON.stringify(src('src/train/backend/node-compat.ts'))});
const added = installNodeUtilShims();
const again = installNodeUtilShims();
const after = [util.isNullOrUndefined(null), util.isNullOrUndefined(1), util.isArray([1]), req('node:util').isArray('a')];
const { startWasmBackend } = await import(${JSON.stringify(src('src/train/backend/wasm.ts'))});
const { tf } = await import(${JSON.stringify(src('src/train/tf.ts'))});
const status = await startWasmBackend();
const x = tf.randomNormal([1, 5, 5, 2]);
const w = tf.randomNormal([3, 3, 2, 3]);
const g = tf.grads((a, b) => tf.sum(tf.conv2d(a, b, 1, 'same')))([x, w]);
console.log(JSON.stringify({ before, added, again, after, cwd: process.cwd(), backend: tf.getBackend(), threads: status.threads, gradShapes: g.map((t) => t.shape) }));
`;
      const file = join(dir, 'child.mts');
      await writeFile(file, script);
      const tsx = pathToFileURL(require.resolve('tsx')).href;
      const r = spawnSync(process.execPath, ['--import', tsx, file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
      expect(out.before).toEqual(['undefined', 'undefined']);
      expect(out.added.sort()).toEqual(['isArray', 'isNullOrUndefined']);
      expect(out.again).toEqual([]);
      expect(out.after).toEqual([true, false, true, false]);
      expect(readdirSync(out.cwd)).toContain('child.mts'); // ran from the temp dir, not the repo
      expect(out.backend).toBe('wasm');
      expect(out.gradShapes).toEqual([
        [1, 5, 5, 2],
        [3, 3, 2, 3],
      ]);
    });
  });
});
