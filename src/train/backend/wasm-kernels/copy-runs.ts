// Strided block copies on the wasm heap, the core of Slice, SplitV and Concat. The stock kernels
// copy with one TypedArray subarray + set per innermost row (and Slice first copies the whole
// input out of the heap); a channel split or concat of an NHWC activation has one row per pixel,
// so splitting 4x128x128x32 in two took 10-12 ms and the matching concat 5 ms (now 2.3 ms each).
// Rows of a few elements are copied in a loop, longer ones with copyWithin (memmove). Integer views keep the bits of every value (a float
// view could canonicalise NaN payloads of int32 data).
import type { DataType } from '@tensorflow/tfjs-core';
import type { WasmBackendInternals } from './wasm-internals.ts';

/** A faster copier (the native addon's, multi-threaded) with copyRuns' contract, in bytes. */
export type RunCopier = (heap: ArrayBuffer, src: number, dst: number, rows: number, runBytes: number, srcStrideBytes: number, dstStrideBytes: number) => void;

let nativeCopier: RunCopier | null = null;

/** Routes copyRuns (and so Slice, SplitV, Concat) through `copier` for large copies; null: JS. */
export function useRunCopier(copier: RunCopier | null): void {
  nativeCopier = copier;
}

/** Below this many bytes the JS loop is cheaper than a call into the addon. */
const NATIVE_FROM_BYTES = 64 * 1024;

const MEMMOVE_FROM = 8; // elements; measured: memmove wins from 8 (16-channel rows: 2.3 vs 2.9 ms)

export function elementBytes(dtype: DataType): 1 | 4 {
  if (dtype === 'bool') return 1;
  if (dtype === 'float32' || dtype === 'int32') return 4;
  throw new Error(`no heap copy for dtype ${dtype}`);
}

/**
 * Copies `rows` runs of `run` elements: run k from src + k*srcStride to dst + k*dstStride
 * (element offsets from the given byte bases).
 */
export function copyRuns(
  backend: WasmBackendInternals,
  bytes: 1 | 4,
  srcBase: number,
  dstBase: number,
  rows: number,
  run: number,
  srcStride: number,
  dstStride: number,
): void {
  const buffer = backend.wasm.HEAPU8.buffer;
  // Source and destination are always different tensors (input and fresh output): no overlap.
  if (nativeCopier && rows * run * bytes >= NATIVE_FROM_BYTES && buffer instanceof ArrayBuffer) {
    nativeCopier(buffer, srcBase, dstBase, rows, run * bytes, srcStride * bytes, dstStride * bytes);
    return;
  }
  const heap = bytes === 1 ? backend.wasm.HEAPU8 : new Int32Array(buffer);
  const s0 = bytes === 1 ? srcBase : srcBase >>> 2;
  const d0 = bytes === 1 ? dstBase : dstBase >>> 2;
  if (run === srcStride && run === dstStride) {
    heap.copyWithin(d0, s0, s0 + rows * run);
    return;
  }
  if (run >= MEMMOVE_FROM) {
    for (let k = 0; k < rows; k++) heap.copyWithin(d0 + k * dstStride, s0 + k * srcStride, s0 + k * srcStride + run);
    return;
  }
  for (let k = 0; k < rows; k++) {
    let s = s0 + k * srcStride;
    let d = d0 + k * dstStride;
    const end = s + run;
    while (s < end) heap[d++] = heap[s++];
  }
}
