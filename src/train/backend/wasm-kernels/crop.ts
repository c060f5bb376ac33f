// Top-left crop of an NHWC tensor on the wasm heap by row copies (memmove speed). The stock wasm
// Slice kernel first copies the whole input out of the heap (readSync), which costs more than the
// convolution it follows.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapIndex } from './wasm-internals.ts';
import type { WasmBackendInternals } from './wasm-internals.ts';

export function cropNHWC(backend: WasmBackendInternals, x: TensorInfo, height: number, width: number): TensorInfo {
  const [b, h, w, c] = x.shape;
  if (h === height && w === width) throw new Error('cropNHWC: nothing to crop (caller should reuse x)');
  if (height > h || width > w) throw new Error(`cropNHWC: ${height}x${width} larger than ${h}x${w}`);
  const out = backend.makeOutput([b, height, width, c], 'float32');
  const heap = backend.wasm.HEAPF32; // after the allocation: growth replaces the buffer
  const src = heapIndex(backend, x);
  const dst = heapIndex(backend, out);
  const rowLen = width * c;
  for (let n = 0; n < b; n++) {
    for (let y = 0; y < height; y++) {
      const s = src + ((n * h + y) * w) * c;
      heap.copyWithin(dst + (n * height + y) * rowLen, s, s + rowLen);
    }
  }
  return out;
}
