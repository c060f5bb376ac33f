// Prediction speed of the same U-Net (depth 4, base 16, 4 classes, random weights: speed does not
// depend on them): images/s for a 512 x 512 image and seconds for a 2048 x 2048 one, through the
// tiled predictor with its defaults (what `seglens predict` and the app run), at one thread and at
// all cores, beside the PyTorch reference (softmax(model(x)) on the whole image) measured in this
// same run. The bare model.predict of a 512 x 512 image is given too, so the cost of tiling and
// blending can be told apart from the network's.
import { availableParallelism, loadavg } from 'node:os';
import { tf } from '../src/train/tf.ts';
import { formatBackendChoice, selectBackend } from '../src/train/backend/select.ts';
import { buildUNet } from '../src/train/model/unet.ts';
import { DEFAULT_BATCH, DEFAULT_TILE, predictImage } from '../src/train/predict/tiled.ts';
import type { PredictInput } from '../src/train/predict/tiled.ts';
import { ratio, runPytorch } from './pytorch.ts';
import type { TorchRun } from './pytorch.ts';
import { TORCH_INFER, TORCH_TRAIN, threadCounts } from './train.ts';

const CONFIG = { depth: 4, baseFilters: 16, inputChannels: 1 as const, numClasses: 4 };
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function image(side: number): PredictInput {
  const data = new Float32Array(side * side);
  for (let i = 0; i < data.length; i++) data[i] = (Math.sin(i * 0.37) + Math.sin(i * 0.0013) + 2) / 4;
  return { width: side, height: side, channels: 1, data };
}

/** Median wall seconds per call after one warm-up call (kernel set-up, heap growth). */
async function seconds(fn: () => unknown, reps: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function torchInfer(torch: TorchRun, size: number) {
  return torch.available ? torch.infer.find((t) => t.size === size) : undefined;
}

export async function benchPredict(): Promise<object> {
  const model = buildUNet(CONFIG);
  const opts = { head: 'softmax' as const, numClasses: CONFIG.numClasses };
  const small = image(512);
  const big = image(2048);
  const byThreads = [];
  try {
    for (const threads of threadCounts()) {
      const backend = await selectBackend({ threads, allowCpu: true });
      console.error(`predict, ${threads} thread(s): ${formatBackendChoice(backend)}`);
      const s512 = await seconds(() => predictImage(model, small, opts), 5);
      const bare = await seconds(() => tf.tidy(() => (model.predict(tf.tensor4d(small.data, [1, 512, 512, 1])) as tf.Tensor).dataSync()), 5);
      let tiles = 0;
      const s2048 = await seconds(async () => (tiles = (await predictImage(model, big, opts)).tiles), 2);
      console.error(`  512x512: ${(1 / s512).toFixed(2)} img/s; 2048x2048: ${s2048.toFixed(2)} s`);
      const torch = runPytorch(threads, TORCH_TRAIN, TORCH_INFER);
      const t512 = torchInfer(torch, 512);
      const t2048 = torchInfer(torch, 2048);
      byThreads.push({
        threads,
        backend: backend.name,
        backendLine: formatBackendChoice(backend),
        image512: {
          imagesPerSecond: r3(1 / s512),
          seconds: r3(s512),
          wholeImageModelPredict: { imagesPerSecond: r3(1 / bare) },
          pytorch: t512 ? { imagesPerSecond: r3(t512.imagesPerSecond) } : null,
          ratioToPytorch: ratio(1 / s512, t512?.imagesPerSecond),
        },
        image2048: {
          seconds: r3(s2048),
          tiles,
          pytorch: t2048 ? { seconds: r3(t2048.medianSeconds) } : null,
          // Higher is better: PyTorch's seconds over ours.
          ratioToPytorch: t2048 ? ratio(t2048.medianSeconds, s2048) : null,
        },
      });
    }
  } finally {
    model.dispose();
  }
  const all = byThreads[byThreads.length - 1];
  return {
    model: CONFIG,
    tiling: { tile: DEFAULT_TILE, overlap: DEFAULT_TILE / 4, batch: DEFAULT_BATCH },
    // The headline at all cores (the default), as the JSON has always had it.
    image512: all.image512,
    image2048: all.image2048,
    byThreads,
    machine: { cores: availableParallelism(), loadAverage1m: Math.round(loadavg()[0] * 100) / 100 },
    note: 'seglens: tiled prediction with blending (the defaults of seglens predict); PyTorch: softmax(model(x)) on the whole image under no_grad. ratioToPytorch > 1 means seglens is faster.',
  };
}
