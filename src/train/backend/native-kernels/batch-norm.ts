// The fused batch-norm kernels of model/fused-ops.ts on the wasm heap, computed by the addon
// (native/src/elementwise.cc): statistics, normalisation and ReLU in two passes over x, the
// gradient in two more.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD, BATCH_NORM_INFER, BATCH_NORM_TRAIN } from '../../model/fused-ops.ts';
import type { BatchNormAttrs } from '../../model/fused-ops.ts';
import type { NativeAddon } from '../native.ts';
import { asWasm, input } from '../wasm-kernels/wasm-internals.ts';
import { heapBuffer, isFloat, offset, size } from './heap.ts';

function rowsOf(x: TensorInfo): { rows: number; c: number } {
  const c = x.shape[x.shape.length - 1];
  return { rows: size(x.shape) / c, c };
}

function check(kernel: string, ...ts: TensorInfo[]): void {
  if (!isFloat(...ts)) throw new Error(`${kernel}: float32 tensors with no empty dimension expected`);
}

export function nativeBatchNormKernels(native: NativeAddon): KernelConfig[] {
  return [
    {
      kernelName: BATCH_NORM_TRAIN,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend: b, attrs }) => {
        const backend = asWasm(b);
        const x = input(inputs, 'x');
        const gamma = input(inputs, 'gamma');
        const beta = input(inputs, 'beta');
        check(BATCH_NORM_TRAIN, x, gamma, beta);
        const { epsilon, relu } = attrs as unknown as BatchNormAttrs;
        const { rows, c } = rowsOf(x);
        const y = backend.makeOutput([...x.shape], 'float32');
        const mean = backend.makeOutput([c], 'float32');
        const variance = backend.makeOutput([c], 'float32');
        const o = (t: TensorInfo) => offset(backend, t);
        native.batchNormTrain(heapBuffer(backend), o(x), o(gamma), o(beta), o(y), o(mean), o(variance), rows, c, epsilon, relu ? 1 : 0);
        return [y, mean, variance];
      },
    },
    {
      kernelName: BATCH_NORM_GRAD,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend: b, attrs }) => {
        const backend = asWasm(b);
        const [x, y, dy, gamma, mean, variance] = ['x', 'y', 'dy', 'gamma', 'mean', 'variance'].map((n) => input(inputs, n));
        check(BATCH_NORM_GRAD, x, y, dy, gamma, mean, variance);
        const { epsilon, relu } = attrs as unknown as BatchNormAttrs;
        const { rows, c } = rowsOf(x);
        const dx = backend.makeOutput([...x.shape], 'float32');
        const dgamma = backend.makeOutput([c], 'float32');
        const dbeta = backend.makeOutput([c], 'float32');
        const o = (t: TensorInfo) => offset(backend, t);
        native.batchNormGrad(heapBuffer(backend), o(x), o(y), o(dy), o(gamma), o(mean), o(variance), o(dx), o(dgamma), o(dbeta), rows, c, epsilon, relu ? 1 : 0);
        return [dx, dgamma, dbeta];
      },
    },
    {
      kernelName: BATCH_NORM_INFER,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend: b, attrs }) => {
        const backend = asWasm(b);
        const [x, gamma, beta, mm, mv] = ['x', 'gamma', 'beta', 'movingMean', 'movingVariance'].map((n) => input(inputs, n));
        check(BATCH_NORM_INFER, x, gamma, beta, mm, mv);
        const { epsilon, relu } = attrs as unknown as BatchNormAttrs;
        const { rows, c } = rowsOf(x);
        const y = backend.makeOutput([...x.shape], 'float32');
        const o = (t: TensorInfo) => offset(backend, t);
        native.batchNormInfer(heapBuffer(backend), o(x), o(gamma), o(beta), o(mm), o(mv), o(y), rows, c, epsilon, relu ? 1 : 0);
        return y;
      },
    },
  ];
}
