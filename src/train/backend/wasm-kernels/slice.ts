// Slice and SplitV for the wasm backend (why: copy-runs.ts). A slice is seen as a few nested
// loops over "rows" (the dimensions before the last sliced one) of contiguous runs.
import { backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { copyRuns, elementBytes } from './copy-runs.ts';
import { asWasm, heapByteOffset, input } from './wasm-internals.ts';
import type { WasmBackendInternals } from './wasm-internals.ts';

export function sliceHeap(backend: WasmBackendInternals, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const bytes = elementBytes(x.dtype);
  const out = backend.makeOutput(size, x.dtype);
  if (size.some((d) => d === 0)) return out;
  const rank = x.shape.length;
  // Innermost dimension that is not taken whole: everything after it is one contiguous run.
  let cut = rank - 1;
  while (cut > 0 && size[cut] === x.shape[cut] && begin[cut] === 0) cut--;
  const strides = util.computeStrides(x.shape).concat(1);
  const run = size[cut] * strides[cut];
  let offset = 0;
  for (let d = 0; d < rank; d++) offset += begin[d] * strides[d];
  const src = heapByteOffset(backend, x) + offset * bytes;
  const dst = heapByteOffset(backend, out);
  if (cut === 0) {
    copyRuns(backend, bytes, src, dst, 1, run, run, run);
    return out;
  }
  // Every dimension before the cut taken whole (a channel split of NHWC): they flatten into rows
  // of one copy.
  if (size.slice(0, cut).every((d, i) => d === x.shape[i] && begin[i] === 0)) {
    copyRuns(backend, bytes, src, dst, util.sizeFromShape(size.slice(0, cut)), run, strides[cut - 1], run);
    return out;
  }
  // The last looped dimension becomes copyRuns' rows; the ones before it are iterated here.
  const inner = cut - 1;
  const outer = size.slice(0, inner);
  const count = outer.reduce((a, b) => a * b, 1);
  const index = new Array<number>(inner).fill(0);
  let written = 0;
  for (let k = 0; k < count; k++) {
    let s = src;
    for (let d = 0; d < inner; d++) s += index[d] * strides[d] * bytes;
    copyRuns(backend, bytes, s, dst + written * bytes, size[inner], run, strides[inner], run);
    written += size[inner] * run;
    for (let d = inner - 1; d >= 0; d--) {
      if (++index[d] < outer[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

export function makeSlice(stock: KernelFunc | null): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = input(inputs, 'x');
    if (x.dtype === 'string' || x.dtype === 'complex64') {
      if (!stock) throw new Error(`Slice on wasm: dtype ${x.dtype} unsupported`);
      return stock({ inputs, backend, attrs });
    }
    const a = attrs as { begin: number | number[]; size?: number | number[] };
    const [begin, size] = slice_util.parseSliceParams(x, a.begin, a.size);
    return sliceHeap(asWasm(backend), x, begin, size);
  };
}

export function makeSplitV(stock: KernelFunc | null): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = input(inputs, 'x');
    if (x.dtype === 'string' || x.dtype === 'complex64') {
      if (!stock) throw new Error(`SplitV on wasm: dtype ${x.dtype} unsupported`);
      return stock({ inputs, backend, attrs });
    }
    const { numOrSizeSplits, axis } = attrs as { numOrSizeSplits: number | number[]; axis: number };
    const ax = util.parseAxisParam(axis, x.shape)[0];
    const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, ax);
    const wasm = asWasm(backend);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[ax] = s;
      const part = sliceHeap(wasm, x, [...begin], size);
      begin[ax] += s;
      return part;
    });
  };
}
