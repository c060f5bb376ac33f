// Convolution kernels on the wasm backend: the project kernels (src/train/backend/wasm-kernels)
// against the stock tfjs-backend-wasm 4.22 ones, the cpu backend at one small size for scale, and
// one training step of a small conv stack. Milliseconds are medians over several runs.
import { useWasmKernels } from '../src/train/backend/wasm-kernels/register.ts';
import { startWasmBackend } from '../src/train/backend/wasm.ts';
import { tf } from '../src/train/tf.ts';

type Shape4 = [number, number, number, number];

interface OpTimes {
  forwardMs: number;
  backpropInputMs: { project: number; stock: number; speedup: number };
  backpropFilterMs: { project: number; stock: null; note: string };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Median wall time of f (its result read back and disposed), after warm-up runs. */
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

const backpropInput = (dy: tf.Tensor, w: tf.Tensor, inputShape: Shape4, strides: number) =>
  tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides, pad: 'same', dataFormat: 'NHWC', inputShape } as never) as tf.Tensor;
const backpropFilter = (x: tf.Tensor, dy: tf.Tensor, filterShape: Shape4, strides: number) =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad: 'same', dataFormat: 'NHWC', filterShape } as never) as tf.Tensor;

/** 3x3 'same' stride-1 convolution and its two gradients at one shape, on wasm. */
function convOps(x: tf.Tensor4D, w: tf.Tensor4D): OpTimes {
  const dy = tf.randomNormal([x.shape[0], x.shape[1], x.shape[2], w.shape[3]]);
  try {
    const forwardMs = timeMs(() => tf.conv2d(x, w, 1, 'same'));
    const project = timeMs(() => backpropInput(dy, w, x.shape, 1));
    const filter = timeMs(() => backpropFilter(x, dy, w.shape, 1));
    useWasmKernels('stock');
    let stock: number;
    try {
      stock = timeMs(() => backpropInput(dy, w, x.shape, 1), 3, 1);
    } finally {
      useWasmKernels('project');
    }
    return {
      forwardMs,
      backpropInputMs: { project, stock, speedup: round(stock / project) },
      backpropFilterMs: { project: filter, stock: null, note: 'stock tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter' },
    };
  } finally {
    dy.dispose();
  }
}

/** The U-Net up path: conv2dTranspose 2x2 stride 2 (runs Conv2DBackpropInput) and its filter gradient. */
function upConv(batch: number, size: number, cin: number, cout: number) {
  const x = tf.randomNormal([batch, size, size, cin]) as tf.Tensor4D;
  const w = tf.randomNormal([2, 2, cout, cin]) as tf.Tensor4D;
  const big = tf.randomNormal([batch, 2 * size, 2 * size, cout]) as tf.Tensor4D;
  const outShape: Shape4 = [batch, 2 * size, 2 * size, cout];
  try {
    const project = timeMs(() => tf.conv2dTranspose(x, w, outShape, 2, 'same'));
    const filter = timeMs(() => backpropFilter(big, x, w.shape, 2));
    useWasmKernels('stock');
    let stock: number;
    try {
      stock = timeMs(() => tf.conv2dTranspose(x, w, outShape, 2, 'same'), 3, 1);
    } finally {
      useWasmKernels('project');
    }
    return {
      shape: `${batch}x${size}x${size}x${cin} -> ${batch}x${2 * size}x${2 * size}x${cout}, 2x2 stride 2`,
      conv2dTransposeMs: { project, stock, speedup: round(stock / project) },
      filterGradientMs: filter,
    };
  } finally {
    tf.dispose([x, w, big]);
  }
}

interface StackWeights {
  w: tf.Variable[];
}

function makeStack(channels: number, filters: number, classes: number): StackWeights {
  const he = (shape: Shape4) => tf.variable(tf.mul(tf.randomNormal(shape), Math.sqrt(2 / (shape[0] * shape[1] * shape[2]))));
  return {
    w: [
      he([3, 3, channels, filters]),
      he([3, 3, filters, filters]),
      he([3, 3, filters, 2 * filters]),
      he([2, 2, filters, 2 * filters]), // transposed: [h, w, out, in]
      he([3, 3, 2 * filters, filters]),
      he([1, 1, filters, classes]),
    ],
  };
}

/** A two-level U-Net-like stack: conv, conv, pool, conv, up-conv, concat, conv, 1x1, softmax CE. */
function stackLoss(s: StackWeights, x: tf.Tensor4D, labels: tf.Tensor4D): tf.Scalar {
  const [w0, w1, w2, w3, w4, w5] = s.w as tf.Variable<tf.Rank.R4>[];
  const a = tf.relu(tf.conv2d(tf.relu(tf.conv2d(x, w0, 1, 'same')), w1, 1, 'same'));
  const b = tf.relu(tf.conv2d(tf.maxPool(a, 2, 2, 'valid'), w2, 1, 'same'));
  const up = tf.conv2dTranspose(b, w3, [a.shape[0], a.shape[1], a.shape[2], w3.shape[2]], 2, 'same');
  const c = tf.relu(tf.conv2d(tf.concat([a, up], -1), w4, 1, 'same'));
  const logits = tf.conv2d(c, w5, 1, 'valid');
  return tf.losses.softmaxCrossEntropy(labels, logits);
}

function trainingStep(batch: number, size: number) {
  const s = makeStack(1, 16, 4);
  const x = tf.randomNormal([batch, size, size, 1]) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([batch, size, size], 0, 4, 'int32') as tf.Tensor3D, 4) as tf.Tensor4D;
  const opt = tf.train.adam(1e-3);
  try {
    const ms = timeMs(() => {
      opt.minimize(() => stackLoss(s, x, labels), false);
      return [];
    }, 5, 2);
    return { shape: `batch ${batch}, ${size}x${size}x1 -> 16/32 filters, 4 classes`, ms, imagesPerSecond: round((1000 * batch) / ms) };
  } finally {
    opt.dispose();
    tf.dispose([x, labels, ...s.w]);
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

export async function benchKernels(): Promise<object> {
  const wasm = await startWasmBackend();
  const shapes: Array<{ x: Shape4; cout: number }> = [
    { x: [4, 128, 128, 16], cout: 16 },
    { x: [4, 64, 64, 32], cout: 32 },
  ];
  const conv3x3: Record<string, OpTimes> = {};
  for (const { x: xs, cout } of shapes) {
    const x = tf.randomNormal(xs) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, xs[3], cout]) as tf.Tensor4D;
    conv3x3[`${xs.join('x')} -> ${cout}, 3x3 same`] = convOps(x, w);
    tf.dispose([x, w]);
  }
  const up = upConv(4, 64, 32, 16);
  const stepProject = trainingStep(4, 128);
  tf.setBackend('wasm');
  const cpu = cpuScale();
  return {
    backend: tf.getBackend(),
    wasm,
    conv3x3,
    upConv: up,
    trainingStep: { backend: 'wasm + project kernels', ...stepProject, stockWasm: 'cannot train: no Conv2DBackpropFilter' },
    cpuScale: cpu,
    note: 'ms are medians; the machine may be shared, compare ratios within one run',
  };
}
