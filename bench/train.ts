// Training throughput of the trainer's own step (trainer/step.ts: patch sampling, augmentation,
// batching, forward, Dice + CE loss, backward, Adam) for the U-Net of issue 3 section 7: base 16,
// depth 4, 4 classes, batch 4, patches of 128 and 256, on the backend selectBackend picks.
// Synthetic 512x512 images with random blobs of 4 classes stand in for data (the step costs the
// same whatever the pixels are). Reference: PyTorch 1.13 on a 2-core CPU, 7.3 img/s at 128 and
// 1.5 img/s at 256 (issue 3).
import { availableParallelism, loadavg } from 'node:os';
import { formatBackendChoice, selectBackend } from '../src/train/backend/select.ts';
import { DEFAULT_AUGMENT } from '../src/train/data/augment.ts';
import { Rng } from '../src/train/data/rng.ts';
import { PatchSampler } from '../src/train/data/sampler.ts';
import type { TrainImage } from '../src/train/data/patch.ts';
import { makeLoss } from '../src/train/losses/loss.ts';
import { buildUNet, logitsModel, modelSummary } from '../src/train/model/unet.ts';
import { makeAdam } from '../src/train/trainer/optimizer.ts';
import { parseTrainConfig } from '../src/train/trainer/config.ts';
import { trainStep } from '../src/train/trainer/step.ts';
import { tf } from '../src/train/tf.ts';

const PYTORCH_REFERENCE: Record<number, number> = { 128: 7.3, 256: 1.5 };
const CLASSES = 4;
const BATCH = 4;

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

async function measure(patch: number, warmup: number, steps: number) {
  const cfg = parseTrainConfig({ patch, batch: BATCH });
  const model = buildUNet({ ...cfg.model, inputChannels: 1, numClasses: CLASSES, seed: 0 });
  const logits = logitsModel(model);
  const vars = model.trainableWeights.map((w) => w.read() as unknown as tf.Variable);
  const opt = makeAdam(cfg.optimizer, cfg.optimizer.lr);
  const rng = Rng.fromSeed('bench');
  const sampler = new PatchSampler(syntheticImages(4, 512, rng), { patchSize: patch, numClasses: CLASSES, backgroundId: 0 });
  const parts = { sampler, samplingRng: rng, augRng: Rng.fromSeed('bench-aug'), augment: DEFAULT_AUGMENT, batch: BATCH, logits, vars, opt, loss: makeLoss({ kind: cfg.loss, numClasses: CLASSES, backgroundId: 0 }) };
  try {
    for (let i = 0; i < warmup; i++) await trainStep(parts);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await trainStep(parts);
      times.push((performance.now() - t0) / 1000);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const ips = BATCH / median;
    return {
      patch,
      batch: BATCH,
      steps,
      medianStepSeconds: Math.round(median * 1000) / 1000,
      imagesPerSecond: Math.round(ips * 100) / 100,
      pytorchReference: PYTORCH_REFERENCE[patch],
      shareOfPytorch: Math.round((ips / PYTORCH_REFERENCE[patch]) * 100) / 100,
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}

export async function benchTrain(): Promise<object> {
  const backend = await selectBackend();
  const load = loadavg()[0];
  const results = [await measure(128, 2, 8), await measure(256, 1, 4)];
  return {
    backend: backend.name,
    backendReason: formatBackendChoice(backend),
    model: { depth: 4, baseFilters: 16, classes: CLASSES, params: modelSummary({ depth: 4, baseFilters: 16, inputChannels: 1, numClasses: CLASSES }).params },
    loss: 'dice-ce',
    results,
    numTensorsAfter: tf.memory().numTensors,
    machine: { cores: availableParallelism(), loadAverage1m: Math.round(load * 100) / 100 },
    note: 'median step time; a load average above the core count means other processes shared the CPU and the figures are pessimistic',
  };
}
