// Cast for the wasm backend. The stock kernel copies with TypedArray.set, which for a bool
// (Uint8Array) output takes each number modulo 256 (-10.5 -> 246, 256 -> 0) instead of
// "not zero" as every other backend does; a mask cast to bool could then come out false or
// greater than 1. This kernel fixes the cast to bool and leaves the others to the stock kernel.
import type { DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasm, heapByteOffset, input } from './wasm-internals.ts';
import type { WasmBackendInternals } from './wasm-internals.ts';

export function castToBool(backend: WasmBackendInternals, x: TensorInfo): TensorInfo {
  const n = x.shape.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput(x.shape, 'bool');
  const { HEAPU8, HEAPF32 } = backend.wasm; // after the allocation
  const dst = heapByteOffset(backend, out);
  const src = heapByteOffset(backend, x);
  if (x.dtype === 'bool') {
    HEAPU8.copyWithin(dst, src, src + n);
  } else if (x.dtype === 'int32') {
    const v = new Int32Array(HEAPU8.buffer, src, n);
    for (let i = 0; i < n; i++) HEAPU8[dst + i] = v[i] !== 0 ? 1 : 0;
  } else {
    const s = src >>> 2;
    for (let i = 0; i < n; i++) HEAPU8[dst + i] = HEAPF32[s + i] !== 0 ? 1 : 0; // NaN -> true, as on cpu
  }
  return out;
}

export function makeCast(stock: KernelFunc | null): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = input(inputs, 'x');
    const dtype = (attrs as { dtype: DataType }).dtype;
    if (dtype === 'bool' && (x.dtype === 'float32' || x.dtype === 'int32' || x.dtype === 'bool')) return castToBool(asWasm(backend), x);
    if (!stock) throw new Error('Cast on wasm: stock kernel missing');
    return stock({ inputs, backend, attrs });
  };
}
