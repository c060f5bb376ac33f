// Tile for the wasm backend. The stock kernel computes every output element's source index with
// heap-allocated vectors (tfjs-backend-wasm/src/cc/kernels/Tile.cc), about 50 ms per call at
// U-Net sizes; the tfjs BatchNorm gradient tiles a [1,1,1,C] tensor to the full activation shape
// once per BatchNorm layer, which made Tile the costliest kernel of a U-Net training step. Here
// each innermost row is copied once and every repetition is a memmove of an already written
// block, doubling the block each time.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasm, heapByteOffset, input } from './wasm-internals.ts';
import type { WasmBackendInternals } from './wasm-internals.ts';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** Copies heap[dst, dst + filled) forward until `total` bytes from dst are filled. */
function repeatBlock(heap: Uint8Array, dst: number, filled: number, total: number): void {
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    heap.copyWithin(dst + filled, dst, dst + n);
    filled += n;
  }
}

export function tileHeap(backend: WasmBackendInternals, x: TensorInfo, reps: number[]): TensorInfo {
  const bytes = BYTES[x.dtype];
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (outShape.some((d) => d === 0)) return out;
  const heap = backend.wasm.HEAPU8; // after the allocation: growth replaces the buffer
  const xStrides = new Array<number>(rank);
  const outStrides = new Array<number>(rank);
  xStrides[rank - 1] = bytes;
  outStrides[rank - 1] = bytes;
  for (let d = rank - 2; d >= 0; d--) {
    xStrides[d] = xStrides[d + 1] * x.shape[d + 1];
    outStrides[d] = outStrides[d + 1] * outShape[d + 1];
  }
  const fill = (d: number, src: number, dst: number): void => {
    if (d === rank - 1) {
      const row = x.shape[d] * bytes;
      heap.copyWithin(dst, src, src + row);
      repeatBlock(heap, dst, row, row * reps[d]);
      return;
    }
    for (let i = 0; i < x.shape[d]; i++) fill(d + 1, src + i * xStrides[d], dst + i * outStrides[d]);
    const block = x.shape[d] * outStrides[d];
    repeatBlock(heap, dst, block, block * reps[d]);
  };
  if (rank === 0) heap.copyWithin(heapByteOffset(backend, out), heapByteOffset(backend, x), heapByteOffset(backend, x) + bytes);
  else fill(0, heapByteOffset(backend, x), heapByteOffset(backend, out));
  return out;
}

/** Builds the kernel; strings (not on the heap) go to `stock`. */
export function makeTile(stock: KernelFunc | null): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = input(inputs, 'x');
    if (!(x.dtype in BYTES)) {
      if (!stock) throw new Error(`Tile on wasm: dtype ${x.dtype} unsupported`);
      return stock({ inputs, backend, attrs });
    }
    return tileHeap(asWasm(backend), x, (attrs as { reps: number[] }).reps);
  };
}
