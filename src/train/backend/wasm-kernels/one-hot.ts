// OneHot for the wasm backend. The stock kernel ignores the dtype attribute and always writes
// int32 (cc/kernels/OneHot.cc), so tf.oneHot(labels, K, 1, 0, 'float32') holds floats whose bits
// are the integer 1 (1.4e-45): every loss built on float one-hot targets then reads ~0 and nothing
// learns. This kernel writes the requested dtype. (First found and worked around by the trainer,
// src/train/trainer/wasm-onehot.ts.)
import type { DataType, KernelFunc } from '@tensorflow/tfjs-core';
import { asWasm, heapByteOffset, input } from './wasm-internals.ts';

interface OneHotAttrs {
  depth: number;
  onValue: number;
  offValue: number;
  dtype: DataType;
}

export function makeOneHot(stock: KernelFunc | null): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const indices = input(inputs, 'indices');
    const { depth, onValue, offValue, dtype } = attrs as unknown as OneHotAttrs;
    if (indices.dtype !== 'int32' || (dtype !== 'float32' && dtype !== 'int32')) {
      if (!stock) throw new Error(`OneHot on wasm: ${indices.dtype} indices to ${dtype} unsupported`);
      return stock({ inputs, backend, attrs });
    }
    const b = asWasm(backend);
    const n = indices.shape.reduce((a, c) => a * c, 1);
    const out = b.makeOutput([...indices.shape, depth], dtype);
    const buffer = b.wasm.HEAPU8.buffer; // after the allocation
    const idx = new Int32Array(buffer, heapByteOffset(b, indices), n);
    const view = dtype === 'float32' ? new Float32Array(buffer, heapByteOffset(b, out), n * depth) : new Int32Array(buffer, heapByteOffset(b, out), n * depth);
    view.fill(offValue);
    for (let i = 0; i < n; i++) {
      const k = idx[i];
      if (k >= 0 && k < depth) view[i * depth + k] = onValue;
    }
    return out;
  };
}
