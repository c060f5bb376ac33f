// A whole U-Net training step on the native path against the pure-JS cpu backend (which runs the
// composite batch norm and tfjs's own Adam): every gradient, and the weights after one Adam step,
// agree within 1e-4 relative. Then a real Trainer run on the native path leaks nothing: engine
// tensors and the addon's own allocations (cached oneDNN primitives, reordered filters) are flat
// from epoch to epoch. And the same training step with the native path switched off
// (SEGLENS_NATIVE=0) runs on the wasm path and says why.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { selectBackend } from '../../src/train/backend/select.ts';
import { makeLoss } from '../../src/train/losses/loss.ts';
import { buildUNet, logitsModel } from '../../src/train/model/unet.ts';
import { makeAdam } from '../../src/train/trainer/optimizer.ts';
import { parseTrainConfig } from '../../src/train/trainer/config.ts';
import { Trainer } from '../../src/train/trainer/trainer.ts';
import type { TrainEvent } from '../../src/train/trainer/events.ts';
import { tf } from '../../src/train/tf.ts';
import { REPO } from '../helpers/paths.ts';
import { NATIVE, skipWithoutNative } from '../helpers/native.ts';

const K = 4;
const rng = seedrandom('native-step');
const B = 2;
const S = 32;
const x = Float32Array.from({ length: B * S * S }, () => rng());
const y = Int32Array.from({ length: B * S * S }, (_, i) => (rng() < 0.05 ? 255 : Math.floor(((i % S) / S) * K + rng() * 0.9) % K));

/** max |a - b| <= rtol * max |b| over one tensor. */
function relError(actual: Float32Array, expected: Float32Array): number {
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? (maxDiff === 0 ? 0 : Infinity) : maxDiff / scale;
}

describe.skipIf(skipWithoutNative('native training step'))('a U-Net training step on the native path', () => {
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'seglens-native-step-'));
    const choice = await selectBackend({ prefer: 'native' });
    expect(choice.name).toBe('native');
  });
  afterAll(async () => {
    tf.setBackend('wasm');
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('gives the gradients of the cpu backend within 1e-4 relative, and the same Adam update', () => {
    const model = buildUNet({ depth: 2, baseFilters: 8, inputChannels: 1, numClasses: K, seed: 3 });
    const logits = logitsModel(model);
    const vars = model.trainableWeights.map((w) => w.read() as unknown as tf.Variable);
    const start = vars.map((v) => v.dataSync().slice() as Float32Array);
    const loss = makeLoss({ kind: 'dice-ce', numClasses: K, backgroundId: 0 });
    const lossOf = () => loss(logits.apply(tf.tensor4d(x, [B, S, S, 1]), { training: true }) as tf.Tensor4D, tf.tensor3d(y, [B, S, S], 'int32'));
    const reset = () => vars.forEach((v, i) => v.assign(tf.tensor(start[i], v.shape)));

    const gradients = (backend: 'wasm' | 'cpu') => {
      tf.setBackend(backend);
      reset();
      return tf.tidy(() => {
        const { grads: g } = tf.variableGrads(lossOf, vars);
        return vars.map((v) => g[v.name].dataSync().slice() as Float32Array);
      });
    };
    const native = gradients('wasm');
    expect(tf.getKernel('SeglensBatchNormTrain', 'wasm'), 'the wasm run used the fused batch norm').toBeDefined();
    const reference = gradients('cpu');
    vars.forEach((v, i) => expect(relError(native[i], reference[i]), `gradient of ${v.name}`).toBeLessThanOrEqual(1e-4));
    expect(vars.length).toBeGreaterThan(10);

    // Adam: the same gradients through the fused kernel and through tfjs's own optimizer, twice
    // (moments and bias correction carried over).
    const adamSteps = (backend: 'wasm' | 'cpu') => {
      tf.setBackend(backend);
      reset();
      const opt = backend === 'wasm' ? makeAdam(parseTrainConfig({}).optimizer, 1e-3) : tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
      for (let step = 0; step < 2; step++) {
        tf.tidy(() => opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(reference[i].map((g) => g * (step + 1)), v.shape) }))));
      }
      opt.dispose();
      return vars.map((v, i) => (v.dataSync() as Float32Array).map((a, j) => a - start[i][j]));
    };
    const fused = adamSteps('wasm');
    const stock = adamSteps('cpu');
    // Updates are differences of float32 weights: 1e-4 of the update is their rounding floor.
    vars.forEach((v, i) => expect(relError(fused[i], stock[i]), `Adam update of ${v.name}`).toBeLessThanOrEqual(1e-4));
    model.dispose();
  });

  it('leaks neither engine tensors nor native allocations across epochs of a real training', async () => {
    const native = NATIVE;
    if (!native.ok) throw new Error('unreachable');
    tf.setBackend('wasm');
    const project = join(tmp, 'demo');
    await generateDemoProject(project, { size: 64, count: 6, plantErrors: false, seed: 2 });
    const perEpoch: Array<{ tensors: number; primitives: number; bytes: number }> = [];
    const trainer = new Trainer({
      project,
      out: join(tmp, 'runs'),
      backend: { prefer: 'native' },
      config: { model: { depth: 2, baseFilters: 4 }, patch: 32, batch: 2, stepsPerEpoch: 3, epochs: 4, validation: { tile: 32, overlap: 8, batch: 2 } },
    });
    const result = await trainer.fit({
      onEvent: (e: TrainEvent) => {
        if (e.type === 'checkpoint' && e.which === 'last') perEpoch.push({ tensors: tf.memory().numTensors, ...native.addon.cacheStats() });
      },
    });
    trainer.dispose();
    expect(result.status).toBe('finished');
    const info = JSON.parse(await readFile(join(result.runDir, 'run.json'), 'utf8')) as { sessions: Array<{ backend: { name: string; reason: string } }> };
    expect(info.sessions[0].backend.name).toBe('native');
    expect(info.sessions[0].backend.reason).toMatch(/oneDNN/);
    expect(perEpoch).toHaveLength(4);
    // Epoch 1 builds the primitives (training and validation shapes); later epochs reuse them.
    for (const e of perEpoch.slice(2)) expect(e).toEqual(perEpoch[1]);
    expect(perEpoch[1].primitives).toBeGreaterThan(0);
  });
});

describe('with the native path switched off (SEGLENS_NATIVE=0)', () => {
  it('a training step runs on the wasm path, and the choice says why native was skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seglens-no-native-'));
    try {
      const src = (p: string) => JSON.stringify(pathToFileURL(join(REPO, p)).href);
      await writeFile(
        join(dir, 'child.mts'),
        `
const { selectBackend } = await import(${src('src/train/backend/select.ts')});
const { buildUNet, logitsModel } = await import(${src('src/train/model/unet.ts')});
const { makeLoss } = await import(${src('src/train/losses/loss.ts')});
const { makeAdam } = await import(${src('src/train/trainer/optimizer.ts')});
const { parseTrainConfig } = await import(${src('src/train/trainer/config.ts')});
const { tf } = await import(${src('src/train/tf.ts')});
const choice = await selectBackend();
const model = buildUNet({ depth: 2, baseFilters: 4, inputChannels: 1, numClasses: 3, seed: 1 });
const logits = logitsModel(model);
const vars = model.trainableWeights.map((w) => w.read());
const loss = makeLoss({ kind: 'dice-ce', numClasses: 3, backgroundId: 0 });
const opt = makeAdam(parseTrainConfig({}).optimizer, 1e-3);
const x = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 1);
const y = tf.cast(tf.randomUniform([2, 32, 32], 0, 3, 'float32', 2), 'int32');
const step = async () => {
  const l = opt.minimize(() => loss(logits.apply(x, { training: true }), y), true, vars);
  const v = (await l.data())[0];
  l.dispose();
  return v;
};
await step(); // creates Adam's moments
const before = tf.memory().numTensors;
const value = await step();
console.log(JSON.stringify({ name: choice.name, tried: choice.tried, loss: value, fused: Boolean(tf.getKernel('SeglensBatchNormTrain', 'wasm')), leaked: tf.memory().numTensors - before }));
`,
      );
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      const r = spawnSync(process.execPath, ['--import', tsx, join(dir, 'child.mts')], { cwd: dir, encoding: 'utf8', env: { ...process.env, SEGLENS_NATIVE: '0' }, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { name: string; tried: Array<{ package: string; ok: boolean; reason: string }>; loss: number; fused: boolean; leaked: number };
      expect(out.name).toBe('wasm');
      expect(out.tried.find((t) => t.package === 'seglens-native')?.reason).toMatch(/SEGLENS_NATIVE=0/);
      expect(Number.isFinite(out.loss) && out.loss > 0).toBe(true);
      expect(out.fused, 'no fused kernel without the addon: the composite batch norm ran').toBe(false);
      expect(out.leaked).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
