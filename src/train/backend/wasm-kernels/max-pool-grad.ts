// MaxPoolGrad for the wasm backend, in JavaScript over the heap: the stock C++ kernel costs about
// as much as a 3x3 convolution of the same activation (19 ms for 4x128x128x16, 2x2 pooling).
// Semantics of the cpu backend: each window's gradient goes to the first maximum in row-major
// window order (a strict > comparison, so NaN never wins and an all-NaN window passes nothing);
// overlapping windows add up.
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasm, heapIndex, input } from './wasm-internals.ts';
import type { WasmBackendInternals } from './wasm-internals.ts';

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: Parameters<typeof backend_util.computePool2DInfo>[4];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGradHeap(backend: WasmBackendInternals, dy: TensorInfo, x: TensorInfo, attrs: PoolAttrs): TensorInfo {
  const info = backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput(x.shape, 'float32');
  const heap = backend.wasm.HEAPF32;
  const xi = heapIndex(backend, x);
  const dyi = heapIndex(backend, dy);
  const dxi = heapIndex(backend, dx);
  heap.fill(0, dxi, dxi + batchSize * inHeight * inWidth * c);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < batchSize; b++) {
    for (let i = 0; i < outHeight; i++) {
      const r0 = i * strideHeight - top;
      for (let j = 0; j < outWidth; j++) {
        const c0 = j * strideWidth - left;
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = Math.max(0, r0); r < Math.min(inHeight, r0 + fh); r++) {
          for (let q = Math.max(0, c0); q < Math.min(inWidth, c0 + fw); q++) {
            const p = ((b * inHeight + r) * inWidth + q) * c;
            for (let k = 0; k < c; k++) {
              const v = heap[xi + p + k];
              if (v > best[k]) {
                best[k] = v;
                where[k] = p;
              }
            }
          }
        }
        const o = dyi + ((b * outHeight + i) * outWidth + j) * c;
        for (let k = 0; k < c; k++) if (where[k] >= 0) heap[dxi + where[k] + k] += heap[o + k];
      }
    }
  }
  return dx;
}

export const maxPoolGradKernel: KernelFunc = ({ inputs, backend, attrs }) =>
  maxPoolGradHeap(asWasm(backend), input(inputs, 'dy'), input(inputs, 'input'), attrs as unknown as PoolAttrs);
