// The project's wasm convolution-gradient kernels against the pure-JS cpu backend (the reference),
// on random tensors of odd sizes, both paddings, strides 1 and 2; an end-to-end gradient of a small
// conv net; and no leaks, neither of engine tensors nor of the kernels' own intermediates.
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { planAxis } from '../../src/train/backend/wasm-kernels/transposed-plan.ts';
import { activeWasmKernels, useWasmKernels } from '../../src/train/backend/wasm-kernels/register.ts';
import { startWasmBackend } from '../../src/train/backend/wasm.ts';
import { tf } from '../../src/train/tf.ts';
import { expectClose, on } from '../helpers/tensors.ts';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid';

const rng = seedrandom('wasm-kernels');
const random = (n: number) => Float32Array.from({ length: n }, () => rng() * 2 - 1);

const backpropInput = (dy: tf.Tensor, w: tf.Tensor, inputShape: Shape4, strides: number | [number, number], pad: Pad) =>
  tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { strides, pad, dataFormat: 'NHWC', inputShape } as never) as tf.Tensor;
const backpropFilter = (x: tf.Tensor, dy: tf.Tensor, filterShape: Shape4, strides: number | [number, number], pad: Pad) =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape } as never) as tf.Tensor;

beforeAll(async () => {
  await startWasmBackend();
});

describe('phase plan of a transposed convolution axis', () => {
  it('gives one tap per phase for the U-Net 2x2 stride-2 up-convolution', () => {
    const p = planAxis(2, 2, 0);
    expect([p.taps, p.padBefore, Array.from(p.source)]).toEqual([1, 0, [0, 1]]);
  });
  it('rotates the filter for stride 1 (3x3, same)', () => {
    const p = planAxis(3, 1, 1);
    expect([p.taps, p.padBefore, Array.from(p.source)]).toEqual([3, 1, [2, 1, 0]]);
  });
});

describe('Conv2DBackpropInput and Conv2DBackpropFilter on wasm equal the cpu backend', () => {
  const sizes: Array<{ batch: number; h: number; w: number; cin: number; cout: number }> = [
    { batch: 2, h: 7, w: 9, cin: 3, cout: 4 },
    { batch: 2, h: 13, w: 11, cin: 5, cout: 4 },
  ];
  const filters: Array<[number, number]> = [
    [3, 3],
    [1, 1],
    [2, 2],
    [5, 3],
  ];
  const cases = sizes.flatMap((s) =>
    filters.flatMap((f) => (['same', 'valid'] as const).flatMap((pad) => [1, 2].map((stride) => ({ ...s, f, pad, stride })))),
  );

  it.each(cases)('$batch x $h x $w x $cin -> $cout, filter $f, $pad, stride $stride', ({ batch, h, w, cin, cout, f, pad, stride }) => {
    const xShape: Shape4 = [batch, h, w, cin];
    const wShape: Shape4 = [f[0], f[1], cin, cout];
    const info = tf.backend_util.computeConv2DInfo(xShape, wShape, stride, 1, pad);
    const dyShape = [batch, info.outHeight, info.outWidth, cout];
    const inputs = [
      { values: random(batch * h * w * cin), shape: xShape },
      { values: random(f[0] * f[1] * cin * cout), shape: wShape },
      { values: random(dyShape.reduce((a, b) => a * b)), shape: dyShape },
    ];
    const run = (x: tf.Tensor, wt: tf.Tensor, dy: tf.Tensor) => [backpropInput(dy, wt, xShape, stride, pad), backpropFilter(x, dy, wShape, stride, pad)];
    const [dxCpu, dwCpu] = on('cpu', inputs, run);
    const [dxWasm, dwWasm] = on('wasm', inputs, run);
    expectClose(dxWasm, dxCpu, 'dx');
    expectClose(dwWasm, dwCpu, 'dW');
  });

  it('conv2dTranspose of the U-Net up path (2x2 and 3x3, stride 2, same) equals cpu', () => {
    for (const k of [2, 3]) {
      const inputs = [
        { values: random(2 * 5 * 7 * 6), shape: [2, 5, 7, 6] },
        { values: random(k * k * 4 * 6), shape: [k, k, 4, 6] },
      ];
      const run = (x: tf.Tensor, wt: tf.Tensor) => tf.conv2dTranspose(x as tf.Tensor4D, wt as tf.Tensor4D, [2, 10, 14, 4], 2, 'same');
      expectClose(on('wasm', inputs, run)[0], on('cpu', inputs, run)[0], `conv2dTranspose ${k}x${k}`);
    }
  });

  it('unequal strides fall back to the stock kernel and stay correct', () => {
    const xShape: Shape4 = [1, 9, 8, 3];
    const wShape: Shape4 = [3, 3, 3, 2];
    const info = tf.backend_util.computeConv2DInfo(xShape, wShape, [1, 2], 1, 'same');
    const dyShape = [1, info.outHeight, info.outWidth, 2];
    const inputs = [
      { values: random(3 * 3 * 3 * 2), shape: wShape },
      { values: random(dyShape.reduce((a, b) => a * b)), shape: dyShape },
    ];
    const run = (wt: tf.Tensor, dy: tf.Tensor) => backpropInput(dy, wt, xShape, [1, 2], 'same');
    expectClose(on('wasm', inputs, run)[0], on('cpu', inputs, run)[0], 'dx, strides [1, 2]');
  });

  it('the project Conv2DBackpropInput equals the stock wasm one it replaces', () => {
    const inputs = [
      { values: random(3 * 3 * 5 * 4), shape: [3, 3, 5, 4] },
      { values: random(2 * 7 * 6 * 4), shape: [2, 7, 6, 4] },
    ];
    const run = (wt: tf.Tensor, dy: tf.Tensor) => backpropInput(dy, wt, [2, 13, 11, 5], 2, 'same');
    const ours = on('wasm', inputs, run)[0];
    useWasmKernels('stock');
    try {
      expect(activeWasmKernels()).toBe('stock');
      expectClose(ours, on('wasm', inputs, run)[0], 'project vs stock');
    } finally {
      useWasmKernels('project');
    }
  });
});

describe('Tile, MaxPoolGrad, Cast, OneHot and Identity on wasm behave as on the cpu backend', () => {
  it('casts to bool as "not zero" (the stock wasm cast wraps modulo 256)', () => {
    const values = [0, -0, 0.5, -10.5, 256, NaN, Infinity, -3];
    const run = (backend: 'cpu' | 'wasm', dtype: 'float32' | 'int32') => {
      tf.setBackend(backend);
      return tf.tidy(() => Array.from(tf.cast(tf.tensor(values.map((v) => (dtype === 'int32' ? (Number.isFinite(v) ? Math.trunc(v) : 7) : v)), [8], dtype), 'bool').dataSync()));
    };
    for (const dtype of ['float32', 'int32'] as const) {
      const expected = run('cpu', dtype);
      expect(run('wasm', dtype), dtype).toEqual(expected);
    }
    expect(run('cpu', 'float32')).toEqual([0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it.each([
    { shape: [1, 1, 1, 5], reps: [2, 7, 3, 1] }, // the BatchNorm gradient's case
    { shape: [2, 3, 4], reps: [3, 1, 2] },
    { shape: [3], reps: [4] },
    { shape: [2, 1, 3, 1, 2], reps: [1, 3, 1, 2, 2] },
    { shape: [2, 2], reps: [1, 1] },
    { shape: [2, 2], reps: [0, 3] },
  ])('tile $shape by $reps (float32, int32, bool)', ({ shape, reps }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = random(n);
    const typed = {
      float32: values,
      int32: Int32Array.from(values, (v) => Math.round(v * 1000)),
      bool: Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)),
    };
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const run = (backend: 'cpu' | 'wasm') => {
        tf.setBackend(backend);
        return tf.tidy(() => Array.from(tf.tile(tf.tensor(typed[dtype], shape, dtype), reps).dataSync()));
      };
      const expected = run('cpu');
      expect(run('wasm'), dtype).toEqual(expected);
      expect(expected.length).toBe(n * reps.reduce((a, b) => a * b, 1));
    }
  });

  it('one-hot writes the requested dtype (stock wasm writes int32 bits into float32)', () => {
    const labels = [0, 3, 1, -1, 4, 2, 3];
    for (const dtype of ['float32', 'int32'] as const) {
      const run = (backend: 'cpu' | 'wasm') => {
        tf.setBackend(backend);
        return tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d(labels, 'int32'), 4, 2.5, -1, dtype).dataSync()));
      };
      const expected = run('cpu');
      expect(run('wasm'), dtype).toEqual(expected);
      expect(expected.slice(0, 4)).toEqual(dtype === 'float32' ? [2.5, -1, -1, -1] : [2, -1, -1, -1]);
    }
  });

  it('clones share data safely: a clone outlives its source and a variable assign', () => {
    tf.setBackend('wasm');
    const backend = tf.engine().backend as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    const x = tf.tensor([1, 2, 3]);
    const c = tf.clone(x);
    expect(backend.numDataIds()).toBe(before + 1); // shared, not copied
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    const v = tf.variable(c);
    const kept = tf.clone(v);
    const next = tf.tensor([7, 8, 9]);
    v.assign(next);
    next.dispose();
    expect(Array.from(kept.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([c, v, kept]);
    expect(backend.numDataIds()).toBe(before);
  });

  const pools = [
    { shape: [2, 8, 8, 3], f: 2, stride: 2, pad: 'valid' },
    { shape: [2, 9, 7, 4], f: 2, stride: 2, pad: 'same' },
    { shape: [1, 13, 11, 5], f: 3, stride: 2, pad: 'same' },
    { shape: [1, 13, 11, 5], f: 3, stride: 1, pad: 'valid' },
    { shape: [2, 7, 9, 2], f: 3, stride: 2, pad: 'valid' },
  ] as const;
  it.each(pools)('maxPool gradient, $shape, $f x $f, stride $stride, $pad', ({ shape, f, stride, pad }) => {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    // ReLU-like input: many exact ties at 0, where the first maximum of each window must win.
    const values = random(n).map((v) => (v < 0 ? 0 : v));
    // Distinct output gradients, so that a gradient sent to the wrong position shows.
    const run = (x: tf.Tensor) =>
      tf.grad((t: tf.Tensor) => {
        const y = tf.maxPool(t as tf.Tensor4D, f, stride, pad);
        return tf.sum(tf.mul(y, tf.reshape(tf.range(1, 1 + y.size), y.shape)));
      })(x);
    const inputs = [{ values, shape: [...shape] }];
    expectClose(on('wasm', inputs, run)[0], on('cpu', inputs, run)[0], 'dx');
  });
});

describe('Slice, SplitV and Concat on wasm equal the cpu backend', () => {
  const typedOf = (n: number) => {
    const v = random(n);
    return {
      float32: v,
      int32: Int32Array.from(v, (x) => Math.round(x * 1e6)),
      bool: Uint8Array.from(v, (x) => (x > 0 ? 1 : 0)),
    };
  };
  const both = (f: (backend: 'cpu' | 'wasm') => number[][]) => {
    const expected = f('cpu');
    expect(f('wasm')).toEqual(expected);
    expect(expected.flat().length).toBeGreaterThan(0);
  };

  it.each([
    { shape: [2, 7, 9, 5], begin: [0, 0, 0, 1], size: [2, 7, 9, 3] }, // channel slice: a run per pixel
    { shape: [2, 7, 9, 5], begin: [1, 2, 0, 0], size: [1, 4, 9, 5] }, // contiguous block
    { shape: [2, 7, 9, 5], begin: [0, 1, 2, 0], size: [2, 5, 6, 5] }, // spatial crop
    { shape: [3, 4, 70], begin: [1, 1, 3], size: [2, 2, 65] }, // long runs (memmove path)
    { shape: [11], begin: [3], size: [5] },
    { shape: [2, 3, 2, 3, 2], begin: [1, 0, 1, 1, 0], size: [1, 3, 1, 2, 2] },
  ])('slice $shape from $begin size $size', ({ shape, begin, size }) => {
    const typed = typedOf(shape.reduce((a, b) => a * b, 1));
    both((backend) => {
      tf.setBackend(backend);
      return (['float32', 'int32', 'bool'] as const).map((dtype) => tf.tidy(() => Array.from(tf.slice(tf.tensor(typed[dtype], shape, dtype), begin, size).dataSync())));
    });
  });

  it('splits along each axis', () => {
    const shape = [3, 5, 7, 4];
    const typed = typedOf(3 * 5 * 7 * 4);
    both((backend) => {
      tf.setBackend(backend);
      return [0, 1, 2, 3, -1].flatMap((axis) =>
        (['float32', 'int32', 'bool'] as const).flatMap((dtype) =>
          tf.tidy(() => {
            const n = shape.at(axis) ?? 0;
            return tf.split(tf.tensor(typed[dtype], shape, dtype), [1, n - 1], axis).map((t) => Array.from(t.dataSync()));
          }),
        ),
      );
    });
  });

  it('concatenates along each axis, including empty parts', () => {
    const a = typedOf(2 * 3 * 4 * 5);
    const b = typedOf(2 * 3 * 4 * 5);
    both((backend) => {
      tf.setBackend(backend);
      return [0, 1, 2, 3].flatMap((axis) =>
        (['float32', 'int32', 'bool'] as const).map((dtype) =>
          tf.tidy(() => {
            const ta = tf.tensor(a[dtype], [2, 3, 4, 5], dtype);
            const shapeB = [2, 3, 4, 5];
            shapeB[axis] = 2;
            const tb = tf.slice(tf.tensor(b[dtype], [2, 3, 4, 5], dtype), [0, 0, 0, 0], shapeB);
            const empty = tf.slice(ta, [0, 0, 0, 0], shapeB.map((d, i) => (i === axis ? 0 : d)));
            return Array.from(tf.concat([ta, empty, tb, ta], axis).dataSync());
          }),
        ),
      );
    });
  });
});

/**
 * A tiny U-Net-like net touching every project kernel: conv, batch norm with batch statistics
 * (its gradient tiles), max-pool, strided conv, transposed conv up, concat (split in the
 * gradient), 1x1 head.
 */
function smallNetLoss(x: tf.Tensor4D, target: tf.Tensor4D, w: tf.Tensor4D[]): tf.Scalar {
  const c = tf.conv2d(x, w[0], 1, 'same');
  const { mean, variance } = tf.moments(c, [0, 1, 2]);
  const a = tf.relu(tf.batchNorm(c, mean, variance, tf.zeros([c.shape[3]]), tf.ones([c.shape[3]]), 1e-3)) as tf.Tensor4D;
  const down = tf.relu(tf.conv2d(tf.maxPool(a, 2, 1, 'same'), w[1], 2, 'same'));
  const up = tf.conv2dTranspose(down, w[2], [a.shape[0], a.shape[1], a.shape[2], w[2].shape[2]], 2, 'same');
  const head = tf.conv2d(tf.concat([a, up], -1), w[3], 1, 'valid');
  return tf.mean(tf.square(tf.sub(head, target)));
}

describe('end to end', () => {
  const weightShapes: Shape4[] = [
    [3, 3, 2, 4],
    [3, 3, 4, 6],
    [2, 2, 4, 6],
    [1, 1, 8, 3],
  ];
  const xShape: Shape4 = [2, 10, 14, 2];
  const tShape: Shape4 = [2, 10, 14, 3];

  it('tf.grads of a small conv net on wasm equals cpu', () => {
    const inputs = [xShape, tShape, ...weightShapes].map((shape) => ({ values: random(shape.reduce((a, b) => a * b)), shape }));
    const run = (x: tf.Tensor, t: tf.Tensor, ...w: tf.Tensor[]) => {
      const f = (...ws: tf.Tensor[]) => smallNetLoss(x as tf.Tensor4D, t as tf.Tensor4D, ws as tf.Tensor4D[]);
      const { value, grads } = tf.valueAndGrads(f)(w);
      return [value, ...grads];
    };
    const cpu = on('cpu', inputs, run);
    const wasm = on('wasm', inputs, run);
    expectClose(wasm[0], cpu[0], 'loss');
    for (let i = 1; i < cpu.length; i++) expectClose(wasm[i], cpu[i], `dLoss/dW${i - 1}`);
  });

  it('many calls leak neither engine tensors nor the kernels intermediates', () => {
    tf.setBackend('wasm');
    const backend = tf.engine().backend as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
    const x = tf.tensor(random(2 * 13 * 11 * 5), [2, 13, 11, 5]) as tf.Tensor4D;
    const w = tf.tensor(random(3 * 3 * 5 * 4), [3, 3, 5, 4]) as tf.Tensor4D;
    const t = tf.tensor(random(2 * 13 * 11 * 3), [2, 13, 11, 3]) as tf.Tensor4D;
    const ws = weightShapes.map((s) => tf.tensor(random(s.reduce((a, b) => a * b)), s) as tf.Tensor4D);
    const round = () =>
      tf.tidy(() => {
        for (const stride of [1, 2]) {
          const info = tf.backend_util.computeConv2DInfo(x.shape, w.shape, stride, 1, 'same');
          const dy = tf.ones([2, info.outHeight, info.outWidth, 4]);
          backpropInput(dy, w, x.shape, stride, 'same').dataSync();
          backpropFilter(x, dy, w.shape, stride, 'same').dataSync();
        }
        const xs = tf.slice(x, [0, 0, 0, 0], [2, 10, 10, 2]) as tf.Tensor4D;
        const ts = tf.slice(t, [0, 0, 0, 0], [2, 10, 10, 3]) as tf.Tensor4D;
        tf.grads((...v: tf.Tensor[]) => smallNetLoss(xs, ts, v as tf.Tensor4D[]))(ws).forEach((g) => g.dataSync());
      });
    for (let i = 0; i < 3; i++) round(); // warm up: heap growth, XNNPACK caches of the inputs
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const dataIds = backend.numDataIds();
    const heap = backend.wasm.HEAPU8.length;
    for (let i = 0; i < 30; i++) round();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    expect(backend.numDataIds()).toBe(dataIds);
    expect(backend.wasm.HEAPU8.length).toBe(heap); // freed intermediates and XNNPACK operators are reused, not piled up
    tf.dispose([x, w, t, ...ws]);
  });
});
