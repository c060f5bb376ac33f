// The fused Adam update of trainer/optimizer.ts (ADAM_STEP) on the wasm heap: one pass over a
// variable instead of tfjs's thirteen kernels.
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { ADAM_STEP } from '../../trainer/optimizer.ts';
import type { NativeAddon } from '../native.ts';
import { asWasm, heapIndex, input } from '../wasm-kernels/wasm-internals.ts';
import { heapBuffer, isFloat, offset, size } from './heap.ts';

interface AdamAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export function nativeAdamKernel(native: NativeAddon): KernelConfig {
  return {
    kernelName: ADAM_STEP,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend: b, attrs }) => {
      const backend = asWasm(b);
      const [value, m, v, g, a1, a2] = ['value', 'm', 'v', 'g', 'oneMinusAccBeta1', 'oneMinusAccBeta2'].map((n) => input(inputs, n));
      const n = size(value.shape);
      if (!isFloat(value, m, v, g, a1, a2) || [m, v, g].some((t) => size(t.shape) !== n)) throw new Error(`${ADAM_STEP}: four float32 tensors of one size expected`);
      const { learningRate, beta1, beta2, epsilon } = attrs as unknown as AdamAttrs;
      const scalarOf = (t: TensorInfo) => backend.wasm.HEAPF32[heapIndex(backend, t)];
      const outs = [value, m, v].map((t) => backend.makeOutput([...t.shape], 'float32'));
      const o = (t: TensorInfo) => offset(backend, t);
      native.adam(heapBuffer(backend), o(value), o(m), o(v), o(g), o(outs[0]), o(outs[1]), o(outs[2]), n, learningRate, beta1, beta2, epsilon, scalarOf(a1), scalarOf(a2));
      return outs;
    },
  };
}
