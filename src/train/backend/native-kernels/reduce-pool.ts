// Sum over every axis but the last (the bias gradient of a convolution, dL/db = sum of dy over
// batch, height and width) and MaxPoolGrad, natively. The stock wasm Sum transposes such a
// reduction first (a full copy of dy); the native one reads dy once, on all cores.
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, MaxPoolGradAttrs, SumAttrs } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.ts';
import { asWasm, input } from '../wasm-kernels/wasm-internals.ts';
import { heapBuffer, isFloat, offset, size } from './heap.ts';

export function makeNativeSum(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const backend = asWasm(args.backend);
    const x = input(args.inputs, 'x');
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const rank = x.shape.length;
    const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((v, i) => v === i);
    if (!leading || !isFloat(x)) return fallback(args);
    const c = x.shape[rank - 1];
    const out = backend.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), c] : [c], 'float32');
    native.sumRows(heapBuffer(backend), offset(backend, x), offset(backend, out), size(x.shape) / c, c);
    return out;
  };
}

export function makeNativeMaxPoolGrad(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const backend = asWasm(args.backend);
    const dy = input(args.inputs, 'dy');
    const x = input(args.inputs, 'input');
    const a = args.attrs as unknown as MaxPoolGradAttrs;
    if (x.shape.length !== 4 || !isFloat(dy, x)) return fallback(args);
    const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const dx = backend.makeOutput([...x.shape], 'float32');
    native.maxPoolGrad(
      heapBuffer(backend), offset(backend, dy), offset(backend, x), offset(backend, dx),
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
      info.effectiveFilterHeight, info.effectiveFilterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    ); // prettier-ignore
    return dx;
  };
}
