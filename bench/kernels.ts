// The wasm backend's kernels: the project ones (src/train/backend/wasm-kernels) against the stock
// tfjs-backend-wasm 4.22 ones, the cpu backend at one small size for scale, one training step of a
// small U-Net-like stack (with and without the project replacements of the non-convolution
// kernels), and the same step with XNNPACK worker threads (a child process: threads are fixed
// when the backend starts). Milliseconds are medians over several runs.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { PROJECT_WASM_KERNELS, useWasmKernels } from '../src/train/backend/wasm-kernels/register.ts';
import { startWasmBackend } from '../src/train/backend/wasm.ts';
import { tf } from '../src/train/tf.ts';

type Shape4 = [number, number, number, number];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Median wall time of f (its results read back and disposed), after warm-up runs. */
function timeMs(f: () => tf.Tensor | tf.Tensor[], runs = 5, warmup = 2): number {
  const once = () => {
    const t0 = performance.now();
    const out = f();
    for (const t of Array.isArray(out) ? out : [out]) {
      t.dataSync();
      t.dispose();
    }
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) once();
  return round(median(Array.from({ length: runs }, once)));
}

/** Times f with the project kernel `name` and with the stock one. */
function projectVsStock(name: string, f: () => tf.Tensor | tf.Tensor[], runs = 5) {
  const project = timeMs(f, runs);
  useWasmKernels(PROJECT_WASM_KERNELS.filter((k) => k !== name));
  try {
    const stock = timeMs(f, 3, 1);
    return { project, stock, speedup: round(stock / project) };
  } finally {
    useWasmKernels('project');
  }
}

/** What training needs at the least on wasm: the stock backend has no Conv2DBackpropFilter. */
const CONV_GRADIENTS_ONLY = ['Conv2DBackpropInput', 'Conv2DBackpropFilter'];

const backpropInput = (dy: tf.Tensor, w: tf.Tensor, inputShape: Shape4, strides: number) =>
  tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides, pad: 'same', dataFormat: 'NHWC', inputShape } as never) as tf.Tensor;
const backpropFilter = (x: tf.Tensor, dy: tf.Tensor, filterShape: Shape4, strides: number) =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad: 'same', dataFormat: 'NHWC', filterShape } as never) as tf.Tensor;

/** 3x3 'same' stride-1 convolution and its two gradients at one shape. */
function convOps(xShape: Shape4, cout: number) {
  const x = tf.randomNormal(xShape) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, xShape[3], cout]) as tf.Tensor4D;
  const dy = tf.randomNormal([xShape[0], xShape[1], xShape[2], cout]);
  try {
    return {
      forwardMs: timeMs(() => tf.conv2d(x, w, 1, 'same')),
      backpropInputMs: projectVsStock('Conv2DBackpropInput', () => backpropInput(dy, w, x.shape, 1)),
      backpropFilterMs: { project: timeMs(() => backpropFilter(x, dy, w.shape, 1)), stock: null, note: 'stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter' },
    };
  } finally {
    tf.dispose([x, w, dy]);
  }
}

/** The U-Net up path: conv2dTranspose 2x2 stride 2 (runs Conv2DBackpropInput) and its filter gradient. */
function upConv(batch: number, size: number, cin: number, cout: number) {
  const x = tf.randomNormal([batch, size, size, cin]) as tf.Tensor4D;
  const w = tf.randomNormal([2, 2, cout, cin]) as tf.Tensor4D;
  const big = tf.randomNormal([batch, 2 * size, 2 * size, cout]) as tf.Tensor4D;
  const outShape: Shape4 = [batch, 2 * size, 2 * size, cout];
  try {
    return {
      shape: `${batch}x${size}x${size}x${cin} -> ${batch}x${2 * size}x${2 * size}x${cout}, 2x2 stride 2`,
      conv2dTransposeMs: projectVsStock('Conv2DBackpropInput', () => tf.conv2dTranspose(x, w, outShape, 2, 'same')),
      filterGradientMs: timeMs(() => backpropFilter(big, x, w.shape, 2)),
    };
  } finally {
    tf.dispose([x, w, big]);
  }
}

/** Non-convolution kernels of a U-Net step, at 4x128x128x16. */
function otherKernels() {
  const shape: Shape4 = [4, 128, 128, 16];
  const x = tf.relu(tf.randomNormal(shape)) as tf.Tensor4D;
  const scale = tf.randomNormal([1, 1, 1, 16]);
  try {
    return {
      shape: '4x128x128x16',
      tileForBatchNormGradMs: projectVsStock('Tile', () => tf.tile(scale, [4, 128, 128, 1])),
      maxPool2x2GradMs: projectVsStock('MaxPoolGrad', () => tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))(x)),
      concatChannelsMs: projectVsStock('Concat', () => tf.concat([x, x], -1)),
      splitChannelsMs: projectVsStock('SplitV', () => tf.split(tf.concat([x, x], -1), 2, -1)),
    };
  } finally {
    tf.dispose([x, scale]);
  }
}

function makeStack(channels: number, filters: number, classes: number): tf.Variable[] {
  const he = (shape: Shape4) => tf.variable(tf.mul(tf.randomNormal(shape), Math.sqrt(2 / (shape[0] * shape[1] * shape[2]))));
  return [
    he([3, 3, channels, filters]),
    he([3, 3, filters, filters]),
    he([3, 3, filters, 2 * filters]),
    he([2, 2, filters, 2 * filters]), // transposed: [h, w, out, in]
    he([3, 3, 2 * filters, filters]),
    he([1, 1, filters, classes]),
  ];
}

/** Conv, batch norm (batch statistics, as in training; gamma 1, beta 0), ReLU. */
function convBnRelu(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const y = tf.conv2d(x, w, 1, 'same');
  const { mean, variance } = tf.moments(y, [0, 1, 2]);
  const c = w.shape[3];
  return tf.relu(tf.batchNorm(y, mean, variance, tf.zeros([c]), tf.ones([c]), 1e-3)) as tf.Tensor4D;
}

/** A two-level U-Net-like stack: conv-BN-ReLU x2, pool, conv, up-conv, concat, conv, 1x1, softmax CE. */
function stackLoss(w: tf.Variable[], x: tf.Tensor4D, labels: tf.Tensor4D): tf.Scalar {
  const [w0, w1, w2, w3, w4, w5] = w as tf.Variable<tf.Rank.R4>[];
  const a = convBnRelu(convBnRelu(x, w0), w1);
  const b = convBnRelu(tf.maxPool(a, 2, 2, 'valid'), w2);
  const up = tf.conv2dTranspose(b, w3, [a.shape[0], a.shape[1], a.shape[2], w3.shape[2]], 2, 'same');
  const c = convBnRelu(tf.concat([a, up], -1), w4);
  return tf.losses.softmaxCrossEntropy(labels, tf.conv2d(c, w5, 1, 'valid'));
}

/** Milliseconds of one Adam step of the stack (batch 4, 128x128x1 -> 16/32 filters, 4 classes). */
export function trainingStepMs(): number {
  const w = makeStack(1, 16, 4);
  const x = tf.randomNormal([4, 128, 128, 1]) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([4, 128, 128], 0, 4, 'int32') as tf.Tensor3D, 4) as tf.Tensor4D;
  const opt = tf.train.adam(1e-3);
  try {
    return timeMs(() => {
      opt.minimize(() => stackLoss(w, x, labels), false);
      return [];
    }, 5, 2);
  } finally {
    opt.dispose();
    tf.dispose([x, labels, ...w]);
  }
}

/** The same small ops on the pure-JS cpu backend and on wasm, for scale. */
function cpuScale() {
  const shape: Shape4 = [1, 32, 32, 16];
  const wShape: Shape4 = [3, 3, 16, 16];
  const out: Record<string, Record<string, number>> = {};
  for (const backend of ['cpu', 'wasm'] as const) {
    tf.setBackend(backend);
    const x = tf.randomNormal(shape) as tf.Tensor4D;
    const w = tf.randomNormal(wShape) as tf.Tensor4D;
    const dy = tf.randomNormal(shape);
    out[backend] = {
      forwardMs: timeMs(() => tf.conv2d(x, w, 1, 'same'), 3, 1),
      backpropInputMs: timeMs(() => backpropInput(dy, w, shape, 1), 3, 1),
      backpropFilterMs: timeMs(() => backpropFilter(x, dy, wShape, 1), 3, 1),
    };
    tf.dispose([x, w, dy]);
  }
  tf.setBackend('wasm');
  const ratio = (k: string) => round(out.cpu[k] / out.wasm[k]);
  return {
    shape: '1x32x32x16 -> 16, 3x3 same',
    ...out,
    cpuOverWasm: { forward: ratio('forwardMs'), backpropInput: ratio('backpropInputMs'), backpropFilter: ratio('backpropFilterMs') },
  };
}

/** Runs `threadedChild` in a child process with the threaded wasm build. */
function threaded(threads: number): { threads: number; threadsReason: string; forwardConvMs: number; trainingStepMs: number } | { error: string } {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const code = `const m = await import(${JSON.stringify(import.meta.url)}); console.log(JSON.stringify(await m.threadedChild(${threads})));`;
  const r = spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return { error: `child exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
}

/** Child side of `threaded`. */
export async function threadedChild(threads: number) {
  const status = await startWasmBackend({ threads });
  const x = tf.randomNormal([4, 128, 128, 16]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 16, 16]) as tf.Tensor4D;
  const forwardConvMs = timeMs(() => tf.conv2d(x, w, 1, 'same'));
  tf.dispose([x, w]);
  return { threads: status.threads, threadsReason: status.threadsReason, forwardConvMs, trainingStepMs: trainingStepMs() };
}

export async function benchKernels(): Promise<object> {
  const wasm = await startWasmBackend();
  const conv3x3 = {
    '4x128x128x16 -> 16, 3x3 same': convOps([4, 128, 128, 16], 16),
    '4x64x64x32 -> 32, 3x3 same': convOps([4, 64, 64, 32], 32),
  };
  const up = upConv(4, 64, 32, 16);
  const others = otherKernels();
  const stepProject = trainingStepMs();
  useWasmKernels(CONV_GRADIENTS_ONLY);
  let stepConvOnly: number;
  try {
    stepConvOnly = trainingStepMs();
  } finally {
    useWasmKernels('project');
  }
  const cpu = cpuScale();
  const forward1 = conv3x3['4x128x128x16 -> 16, 3x3 same'].forwardMs;
  const cores = cpus().length;
  const withThreads = cores >= 2 ? threaded(cores) : { error: 'single-core machine' };
  return {
    backend: tf.getBackend(),
    wasm,
    conv3x3,
    upConv: up,
    otherKernels: others,
    trainingStep: {
      shape: 'batch 4, 128x128x1, conv-BN-ReLU, 16/32 filters, 4 classes, Adam',
      allProjectKernelsMs: stepProject,
      convGradientKernelsOnlyMs: stepConvOnly,
      speedupFromOtherKernels: round(stepConvOnly / stepProject),
      imagesPerSecond: round((1000 * 4) / stepProject),
      stockWasm: 'cannot train: no Conv2DBackpropFilter',
    },
    threads:
      'error' in withThreads
        ? withThreads
        : {
            ...withThreads,
            forwardConvSpeedup: round(forward1 / withThreads.forwardConvMs),
            trainingStepSpeedup: round(stepProject / withThreads.trainingStepMs),
          },
    cpuScale: cpu,
    note: 'ms are medians; on a shared machine compare ratios within one run',
  };
}
