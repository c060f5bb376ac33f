// What the native kernels need of the wasm backend: the heap as an ArrayBuffer and the byte
// offset of each tensor in it. Take the heap after allocating the outputs: an allocation may grow
// the wasm memory, which replaces its ArrayBuffer.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { heapByteOffset } from '../wasm-kernels/wasm-internals.ts';
import type { WasmBackendInternals } from '../wasm-kernels/wasm-internals.ts';

export function heapBuffer(backend: WasmBackendInternals): ArrayBuffer {
  const buffer = backend.wasm.HEAPU8.buffer;
  if (!(buffer instanceof ArrayBuffer)) {
    // The threaded wasm build shares its memory; N-API cannot hand out a SharedArrayBuffer's data.
    throw new Error('the native kernels need the single-threaded wasm build (its heap is a SharedArrayBuffer)');
  }
  return buffer;
}

export const offset = heapByteOffset;

export function isFloat(...ts: TensorInfo[]): boolean {
  return ts.every((t) => t.dtype === 'float32' && t.shape.every((d) => d > 0));
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
