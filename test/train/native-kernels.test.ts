// The native kernels (native/, oneDNN and fused loops on the wasm heap) against the pure-JS cpu
// backend: convolutions and their gradients on odd sizes, both paddings, strides 1 and 2,
// dilation, batch 1 and more; bias and activations; the transposed convolution; sums over
// leading axes; max-pool gradients with ties; the fused batch norm + ReLU and its gradient; and
// fallbacks for what the addon does not cover.
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/train/backend/select.ts';
import { batchNormInfer, batchNormTrain } from '../../src/train/model/fused-ops.ts';
import { tf } from '../../src/train/tf.ts';
import { skipWithoutNative } from '../helpers/native.ts';
import { expectClose, on } from '../helpers/tensors.ts';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid';

const rng = seedrandom('native-kernels');
const random = (n: number) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);

function expectAllClose(actual: Float32Array[], expected: Float32Array[], label: string, rtol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expectClose(a, expected[i], `${label} [${i}]`, rtol));
}

const backpropInput = (dy: tf.Tensor, w: tf.Tensor, inputShape: Shape4, strides: number, pad: Pad) =>
  tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides, pad, dataFormat: 'NHWC', inputShape } as never) as tf.Tensor;
const backpropFilter = (x: tf.Tensor, dy: tf.Tensor, filterShape: Shape4, strides: number, pad: Pad) =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape } as never) as tf.Tensor;

describe.skipIf(skipWithoutNative('native kernels'))('native kernels equal the cpu backend', () => {
  beforeAll(async () => {
    const choice = await selectBackend({ prefer: 'native' });
    expect(choice.name).toBe('native');
    expect(tf.getBackend()).toBe('wasm');
  });

  const sizes = [
    { batch: 1, h: 7, w: 9, cin: 3, cout: 4 },
    { batch: 3, h: 13, w: 11, cin: 5, cout: 8 },
    { batch: 2, h: 8, w: 8, cin: 16, cout: 16 },
  ];
  const filters: Array<[number, number]> = [
    [3, 3],
    [1, 1],
    [2, 2],
    [5, 3],
  ];
  const cases = sizes.flatMap((s) => filters.flatMap((f) => (['same', 'valid'] as const).flatMap((pad) => [1, 2].map((stride) => ({ ...s, f, pad, stride })))));

  it.each(cases)('conv2d and both gradients: $batch x $h x $w x $cin -> $cout, filter $f, $pad, stride $stride', ({ batch, h, w, cin, cout, f, pad, stride }) => {
    const xShape: Shape4 = [batch, h, w, cin];
    const wShape: Shape4 = [f[0], f[1], cin, cout];
    const info = tf.backend_util.computeConv2DInfo(xShape, wShape, stride, 1, pad);
    const dyShape = [batch, info.outHeight, info.outWidth, cout];
    const inputs = [
      { values: random(sizeOf(xShape)), shape: xShape },
      { values: random(sizeOf(wShape)), shape: wShape },
      { values: random(sizeOf(dyShape)), shape: dyShape },
    ];
    const run = (x: tf.Tensor, wt: tf.Tensor, dy: tf.Tensor) => [
      tf.conv2d(x as tf.Tensor4D, wt as tf.Tensor4D, stride, pad),
      backpropInput(dy, wt, xShape, stride, pad),
      backpropFilter(x, dy, wShape, stride, pad),
    ];
    expectAllClose(on('wasm', inputs, run), on('cpu', inputs, run), 'y, dx, dW');
  });

  it('dilated convolution (rate 2) equals cpu', () => {
    const inputs = [
      { values: random(2 * 11 * 10 * 3), shape: [2, 11, 10, 3] },
      { values: random(3 * 3 * 3 * 5), shape: [3, 3, 3, 5] },
    ];
    for (const pad of ['same', 'valid'] as const) {
      const run = (x: tf.Tensor, wt: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, wt as tf.Tensor4D, 1, pad, 'NHWC', 2);
      expectClose(on('wasm', inputs, run)[0], on('cpu', inputs, run)[0], `dilated ${pad}`);
    }
  });

  it.each(['linear', 'relu', 'relu6', 'leakyrelu', 'sigmoid', 'elu', 'prelu'] as const)('fused conv2d with bias and %s, and its gradients', (activation) => {
    const inputs = [
      { values: random(2 * 9 * 7 * 4), shape: [2, 9, 7, 4] },
      { values: random(3 * 3 * 4 * 6), shape: [3, 3, 4, 6] },
      { values: random(6), shape: [6] },
      { values: random(6), shape: [6] },
    ];
    const run = (x: tf.Tensor, wt: tf.Tensor, b: tf.Tensor, alpha: tf.Tensor) => {
      const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
        tf.sum(tf.fused.conv2d({ x: xi as tf.Tensor4D, filter: wi as tf.Tensor4D, bias: bi, strides: 1, pad: 'same', activation, preluActivationWeights: activation === 'prelu' ? alpha : undefined, leakyreluAlpha: 0.3 }));
      const y = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: wt as tf.Tensor4D, bias: b, strides: 1, pad: 'same', activation, preluActivationWeights: activation === 'prelu' ? alpha : undefined, leakyreluAlpha: 0.3 });
      // Gradients exist for linear and relu (tfjs fuses only those in training).
      return activation === 'linear' || activation === 'relu' ? [y, ...tf.grads(f)([x, wt, b])] : [y];
    };
    expectAllClose(on('wasm', inputs, run), on('cpu', inputs, run), activation);
  });

  it('conv2dTranspose of the U-Net up path (2x2, stride 2) and its gradients equal cpu', () => {
    const inputs = [
      { values: random(3 * 5 * 7 * 8), shape: [3, 5, 7, 8] },
      { values: random(2 * 2 * 4 * 8), shape: [2, 2, 4, 8] },
      { values: random(3 * 10 * 14 * 4), shape: [3, 10, 14, 4] },
    ];
    const run = (x: tf.Tensor, wt: tf.Tensor, r: tf.Tensor) => {
      const f = (xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(tf.conv2dTranspose(xi as tf.Tensor4D, wi as tf.Tensor4D, [3, 10, 14, 4], 2, 'same'), r));
      return [tf.conv2dTranspose(x as tf.Tensor4D, wt as tf.Tensor4D, [3, 10, 14, 4], 2, 'same'), ...tf.grads(f)([x, wt])];
    };
    expectAllClose(on('wasm', inputs, run), on('cpu', inputs, run), 'conv2dTranspose');
  });

  it('sums over leading axes (bias gradients) natively, other sums as before', () => {
    const inputs = [{ values: random(3 * 17 * 9 * 12), shape: [3, 17, 9, 12] }];
    const run = (x: tf.Tensor) => [tf.sum(x, [0, 1, 2]), tf.sum(x, [2, 0, 1], true), tf.sum(tf.reshape(x, [51, 9, 12]), [0, 1]), tf.sum(x, [1, 2]), tf.sum(x), tf.sum(x, -1)];
    expectAllClose(on('wasm', inputs, run), on('cpu', inputs, run), 'sums');
  });

  it('max-pool gradients go to the first maximum, as on cpu, with ties and overlapping windows', () => {
    // Quantised values: many ties, as after a ReLU.
    const values = Float32Array.from(random(2 * 9 * 8 * 5), (v) => Math.max(0, Math.round(v * 3)));
    const inputs = [
      { values, shape: [2, 9, 8, 5] },
      { values: random(2 * 9 * 8 * 5), shape: [2, 9, 8, 5] },
    ];
    for (const [size, stride, pad] of [
      [2, 2, 'valid'],
      [2, 2, 'same'],
      [3, 1, 'same'],
      [3, 2, 'valid'],
    ] as const) {
      const run = (x: tf.Tensor, r: tf.Tensor) => {
        const y = tf.maxPool(x as tf.Tensor4D, size, stride, pad);
        const rr = tf.slice(r, [0, 0, 0, 0], y.shape);
        return tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xi as tf.Tensor4D, size, stride, pad), rr)))(x);
      };
      expectClose(on('wasm', inputs, run)[0], on('cpu', inputs, run)[0], `maxPool ${size} stride ${stride} ${pad}`, 1e-6);
    }
  });

  it.each([
    { shape: [4, 16, 16, 16], relu: true },
    { shape: [1, 5, 7, 3], relu: true },
    { shape: [3, 6, 5, 8], relu: false },
  ])('fused batch norm $shape (relu $relu): output, statistics and gradients equal the composite on cpu', ({ shape, relu }) => {
    const c = shape[3];
    // A mean far from zero checks the variance's numerical care.
    const inputs = [
      { values: Float32Array.from(random(sizeOf(shape)), (v) => 3 + 2 * v), shape },
      { values: Float32Array.from(random(c), (v) => 1 + 0.5 * v), shape: [c] },
      { values: random(c), shape: [c] },
      { values: random(sizeOf(shape)), shape },
    ];
    const attrs = { epsilon: 1e-3, relu };
    const run = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, r: tf.Tensor) => {
      const out = batchNormTrain(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, attrs);
      const f = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(xi as tf.Tensor4D, gi as tf.Tensor1D, bi as tf.Tensor1D, attrs).y, r));
      return [out.y, out.mean, out.variance, ...tf.grads(f)([x, g, b])];
    };
    expectAllClose(on('wasm', inputs, run), on('cpu', inputs, run), 'y, mean, variance, dx, dgamma, dbeta');
    tf.setBackend('wasm');
    expect(tf.getKernel('SeglensBatchNormTrain', 'wasm'), 'the wasm run took the fused kernel').toBeDefined();
    expect(tf.getKernel('SeglensBatchNormTrain', 'cpu'), 'the cpu run took the composite').toBeUndefined();
  });

  it('fused batch norm in inference equals the composite on cpu', () => {
    const shape = [2, 6, 5, 8];
    const inputs = [
      { values: random(sizeOf(shape)), shape },
      { values: random(8), shape: [8] },
      { values: random(8), shape: [8] },
      { values: random(8), shape: [8] },
      { values: Float32Array.from(random(8), (v) => 1 + 0.5 * v), shape: [8] },
    ];
    const run = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, m: tf.Tensor, v: tf.Tensor) =>
      batchNormInfer(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, m as tf.Tensor1D, v as tf.Tensor1D, { epsilon: 1e-3, relu: true });
    expectClose(on('wasm', inputs, run)[0], on('cpu', inputs, run)[0], 'inference');
  });

  it('refuses an offset outside the heap with a RangeError instead of writing there', async () => {
    const { NATIVE } = await import('../helpers/native.ts');
    if (!NATIVE.ok) throw new Error('unreachable');
    const heap = new ArrayBuffer(1024);
    expect(() => NATIVE.addon.sumRows(heap, 0, 1020, 4, 4)).toThrow(RangeError);
    expect(() => NATIVE.addon.sumRows(heap, -4, 0, 1, 1)).toThrow(RangeError);
    expect(() => NATIVE.addon.sumRows(heap, 2, 0, 1, 1)).toThrow(/aligned/);
  });
});
