// Training throughput of the U-Net of issue 3 (depth 4, base 16, batch norm, 4 classes, batch 4)
// at patches of 128 and 256, side by side with the PyTorch reference (bench/pytorch.ts) run in
// this same process at the same thread counts: one thread, and all cores.
//
// Two seglens figures per case:
// - step: forward, loss, backward and Adam on fixed tensors, the same work torch_unet.py times
//   (cross-entropy, no data loading). This is the figure compared with PyTorch.
// - endToEnd: the trainer's own step (trainer/step.ts) with patch sampling, augmentation and the
//   default Dice + CE loss, through the trainer's LocalCompute, as a user's training runs.
import { availableParallelism, loadavg } from 'node:os';
import { formatBackendChoice, selectBackend } from '../src/train/backend/select.ts';
import type { BackendChoice } from '../src/train/backend/select.ts';
import { DEFAULT_AUGMENT } from '../src/train/data/augment.ts';
import { Rng } from '../src/train/data/rng.ts';
import { PatchSampler } from '../src/train/data/sampler.ts';
import type { TrainImage } from '../src/train/data/patch.ts';
import { makeLoss } from '../src/train/losses/loss.ts';
import { buildUNet, logitsModel, modelSummary } from '../src/train/model/unet.ts';
import { makeAdam } from '../src/train/trainer/optimizer.ts';
import { parseTrainConfig } from '../src/train/trainer/config.ts';
import { trainStep } from '../src/train/trainer/step.ts';
import { LocalCompute } from '../src/train/compute/local.ts';
import { parseUNetConfig } from '../src/train/model/config.ts';
import { tf } from '../src/train/tf.ts';
import { ratio, runPytorch } from './pytorch.ts';
import type { TorchRun } from './pytorch.ts';

const CLASSES = 4;
const BATCH = 4;
const MODEL = { depth: 4, baseFilters: 16, inputChannels: 1 as const, numClasses: CLASSES };
/** Patch, warm-up steps, timed steps. */
const CASES: Array<[number, number, number]> = [
  [128, 2, 8],
  [256, 2, 6],
];
/** What the PyTorch reference is asked for (shared with bench/predict.ts: one reference run). */
export const TORCH_TRAIN = CASES.map(([p]) => `${p}x${BATCH}`);
export const TORCH_INFER = [512, 2048];

export function threadCounts(): number[] {
  return [...new Set([1, availableParallelism()])];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const r2 = (x: number) => Math.round(x * 100) / 100;

function syntheticImages(n: number, size: number, rng: Rng): TrainImage[] {
  return Array.from({ length: n }, (_, i) => {
    const image = new Float32Array(size * size);
    const labels = new Uint8Array(size * size);
    for (let b = 0; b < 40; b++) {
      const cx = rng.int(size);
      const cy = rng.int(size);
      const r = 5 + rng.int(30);
      const k = 1 + rng.int(CLASSES - 1);
      for (let y = Math.max(0, cy - r); y < Math.min(size, cy + r); y++) {
        for (let x = Math.max(0, cx - r); x < Math.min(size, cx + r); x++) {
          if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) labels[y * size + x] = k;
        }
      }
    }
    for (let p = 0; p < image.length; p++) image[p] = 0.2 * labels[p] + 0.1 * rng.next();
    return { image, channels: 1, labels: { width: size, height: size, data: labels }, id: `synthetic ${i}` };
  });
}

async function timeSteps(step: () => Promise<unknown>, warmup: number, steps: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

async function measure(backend: BackendChoice, patch: number, warmup: number, steps: number) {
  const cfg = parseTrainConfig({ patch, batch: BATCH });
  const model = buildUNet({ ...MODEL, seed: 0 });
  const logits = logitsModel(model);
  const vars = model.trainableWeights.map((w) => w.read() as unknown as tf.Variable);
  const opt = makeAdam(cfg.optimizer, cfg.optimizer.lr);
  try {
    // Step only: fixed tensors, cross-entropy, as the reference.
    const rng = Rng.fromSeed('bench');
    const x = tf.tensor4d(Float32Array.from({ length: BATCH * patch * patch }, () => rng.next()), [BATCH, patch, patch, 1]);
    const y = tf.tensor3d(Int32Array.from({ length: BATCH * patch * patch }, () => rng.int(CLASSES)), [BATCH, patch, patch], 'int32');
    const ce = makeLoss({ kind: 'ce', numClasses: CLASSES, backgroundId: 0 });
    const step = async () => {
      const l = opt.minimize(() => ce(logits.apply(x, { training: true }) as tf.Tensor4D, y), true, vars) as tf.Scalar;
      await l.data();
      l.dispose();
    };
    const stepSeconds = await timeSteps(step, warmup, steps);
    tf.dispose([x, y]);
    // End to end: the trainer's step with sampling, augmentation and its default loss.
    const sampler = new PatchSampler(syntheticImages(4, 512, rng), { patchSize: patch, numClasses: CLASSES, backgroundId: 0 });
    const compute = new LocalCompute(async () => backend);
    await compute.init({ model: parseUNetConfig({ ...MODEL, seed: 0 }), optimizer: { ...cfg.optimizer }, loss: { kind: cfg.loss, numClasses: CLASSES, backgroundId: 0 } });
    const parts = { sampler, samplingRng: rng, augRng: Rng.fromSeed('bench-aug'), augment: DEFAULT_AUGMENT, batch: BATCH, compute };
    const e2eSeconds = await timeSteps(() => trainStep(parts), 1, steps).finally(() => compute.dispose());
    return {
      patch,
      batch: BATCH,
      steps,
      medianStepSeconds: Math.round(stepSeconds * 1000) / 1000,
      imagesPerSecond: r2(BATCH / stepSeconds),
      endToEnd: { loss: cfg.loss, medianStepSeconds: Math.round(e2eSeconds * 1000) / 1000, imagesPerSecond: r2(BATCH / e2eSeconds) },
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}

function describeBackend(b: BackendChoice) {
  return { name: b.name, line: formatBackendChoice(b), ...(b.native ? { native: b.native } : {}) };
}

/**
 * The other backends that load here, each with its reason and, for a GPU, its adapter; a software
 * adapter's figure is labelled as not a GPU's. Fewer steps: they are the slow ones here.
 */
async function otherBackends(): Promise<object[]> {
  const out: object[] = [];
  for (const prefer of ['wasm', 'webgpu'] as const) {
    let backend: BackendChoice;
    try {
      backend = await selectBackend({ prefer, allowSoftwareGpu: true });
    } catch (e) {
      out.push({ backend: prefer, unavailable: (e as Error).message });
      continue;
    }
    if (backend.name !== prefer) {
      out.push({ backend: prefer, unavailable: backend.tried.find((t) => !t.ok)?.reason ?? `${prefer} did not start` });
      continue;
    }
    const software = Boolean(backend.adapter?.software);
    console.error(`train on ${backend.name}: ${formatBackendChoice(backend)}`);
    const cases: Array<[number, number, number]> = software ? [[128, 1, 2]] : prefer === 'wasm' ? [[128, 1, 4]] : CASES;
    const results = [];
    for (const [patch, warmup, steps] of cases) {
      const r = await measure(backend, patch, warmup, steps);
      console.error(`  patch ${patch}: ${r.imagesPerSecond} img/s`);
      results.push({ patch: r.patch, batch: r.batch, imagesPerSecond: r.imagesPerSecond, medianStepSeconds: r.medianStepSeconds });
    }
    out.push({
      backend: backend.name,
      line: formatBackendChoice(backend),
      ...(backend.adapter ? { adapter: backend.adapter } : {}),
      ...(software ? { note: `software adapter (${backend.adapter?.device || backend.adapter?.architecture}): the CPU emulating a GPU, not a GPU's figure` } : {}),
      results,
    });
  }
  return out;
}

export async function benchTrain(): Promise<object> {
  const perThreads = [];
  let torchAll: TorchRun | null = null;
  for (const threads of threadCounts()) {
    const backend = await selectBackend({ threads });
    console.error(`train, ${threads} thread(s): ${formatBackendChoice(backend)}`);
    const results = [];
    for (const [patch, warmup, steps] of CASES) {
      const r = await measure(backend, patch, warmup, steps);
      console.error(`  patch ${patch}: ${r.imagesPerSecond} img/s (end to end ${r.endToEnd.imagesPerSecond})`);
      results.push(r);
    }
    const torch = runPytorch(threads, TORCH_TRAIN, TORCH_INFER);
    torchAll = torch;
    perThreads.push({
      threads,
      backend: describeBackend(backend),
      results: results.map((r) => {
        const ref = torch.available ? torch.train.find((t) => t.patch === r.patch && t.batch === r.batch) : undefined;
        return { ...r, pytorch: ref ? { imagesPerSecond: r2(ref.imagesPerSecond), medianStepSeconds: ref.medianStepSeconds } : null, ratioToPytorch: ratio(r.imagesPerSecond, ref?.imagesPerSecond) };
      }),
    });
  }
  const others = await otherBackends();
  return {
    model: { ...MODEL, batchNorm: true, params: modelSummary(MODEL).params },
    byThreads: perThreads,
    otherBackends: others,
    pytorch: torchAll?.available ? { torch: torchAll.torch, script: '../shared/bench/torch_unet.py', note: 'run in this process, same machine, same thread count' } : { unavailable: torchAll?.reason ?? 'not run' },
    numTensorsAfter: tf.memory().numTensors,
    machine: { cores: availableParallelism(), loadAverage1m: r2(loadavg()[0]) },
    note:
      'imagesPerSecond: median step (forward, cross-entropy, backward, Adam) on fixed tensors, the work torch_unet.py times; endToEnd adds patch sampling, augmentation and the Dice + CE loss. ratioToPytorch = seglens / PyTorch, both measured in this run. A load average above the core count means other processes shared the CPU.',
  };
}
