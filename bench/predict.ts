// Tiled prediction speed (issue 3, section 7): seconds for a 2048 x 2048 grey image and images/s
// for 512 x 512 images, with the U-Net of the acceptance benchmark (depth 4, base 16, 4 classes,
// random weights: speed does not depend on them), on the backend selectBackend picks. For scale,
// PyTorch 1.13 on the same kind of 2-core machine predicts 512 x 512 at about 1.6 images/s.
// Besides the defaults, the 512 x 512 case is timed with 256-pixel tiles and as a bare
// model.predict, so the cost of tiling and blending can be told apart from the network's.
// CPU seconds are reported beside wall seconds (see `seconds`).
import { tf } from '../src/train/tf.ts';
import { formatBackendChoice, selectBackend } from '../src/train/backend/select.ts';
import { buildUNet } from '../src/train/model/unet.ts';
import { DEFAULT_BATCH, DEFAULT_TILE, predictImage } from '../src/train/predict/tiled.ts';
import type { PredictInput } from '../src/train/predict/tiled.ts';

const CONFIG = { depth: 4, baseFilters: 16, inputChannels: 1 as const, numClasses: 4 };
const PYTORCH_512_IMAGES_PER_S = 1.6;

function image(side: number): PredictInput {
  const data = new Float32Array(side * side);
  for (let i = 0; i < data.length; i++) data[i] = (Math.sin(i * 0.37) + Math.sin(i * 0.0013) + 2) / 4;
  return { width: side, height: side, channels: 1, data };
}

/**
 * Wall-clock seconds per call, and CPU seconds of this process per call: other processes on a
 * shared 2-core machine inflate the first, hardly the second (the wasm backend runs one thread).
 */
function seconds(fn: () => void, reps: number): { seconds: number; cpuSeconds: number } {
  fn(); // warm-up: kernel set-up and wasm heap growth
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000 / reps, cpuSeconds: (c.user + c.system) / 1e6 / reps };
}

export async function benchPredict(): Promise<object> {
  const backend = await selectBackend();
  console.error(formatBackendChoice(backend));
  const model = buildUNet(CONFIG);
  const opts = { head: 'softmax' as const, numClasses: CONFIG.numClasses };
  try {
    const small = image(512);
    const variants = [
      { tile: DEFAULT_TILE, batch: DEFAULT_BATCH },
      { tile: 256, batch: DEFAULT_BATCH },
    ].map((v) => {
      let tiles = 0;
      const s = seconds(() => (tiles = predictImage(model, small, { ...opts, ...v }).tiles), 3);
      console.error(`predict 512x512 tile ${v.tile} batch ${v.batch}: ${s.seconds.toFixed(2)} s (cpu ${s.cpuSeconds.toFixed(2)} s)`);
      return { ...v, overlap: Math.floor(v.tile / 4), tiles, ...s, imagesPerSecond: 1 / s.seconds };
    });
    const bare = seconds(() => {
      tf.tidy(() => {
        const x = tf.tensor4d(small.data, [1, 512, 512, 1]);
        (model.predict(x) as tf.Tensor).dataSync();
      });
    }, 3);
    const big = image(2048);
    let tiles2048 = 0;
    const s2048 = seconds(() => (tiles2048 = predictImage(model, big, opts).tiles), 1);
    console.error(`predict 2048x2048 (defaults): ${s2048.seconds.toFixed(1)} s (cpu ${s2048.cpuSeconds.toFixed(1)} s)`);
    const byDefault = variants[0];
    return {
      backend: backend.name,
      backendLine: formatBackendChoice(backend),
      model: CONFIG,
      image2048: { tile: DEFAULT_TILE, overlap: DEFAULT_TILE / 4, batch: DEFAULT_BATCH, tiles: tiles2048, ...s2048 },
      image512: {
        imagesPerSecond: byDefault.imagesPerSecond,
        variants,
        wholeImageModelPredict: { ...bare, imagesPerSecond: 1 / bare.seconds },
      },
      pytorchReference: { image512ImagesPerSecond: PYTORCH_512_IMAGES_PER_S },
      ratioToPytorch512: byDefault.imagesPerSecond / PYTORCH_512_IMAGES_PER_S,
      ratioToPytorch512ByCpuTime: 1 / byDefault.cpuSeconds / PYTORCH_512_IMAGES_PER_S,
    };
  } finally {
    model.dispose();
  }
}
