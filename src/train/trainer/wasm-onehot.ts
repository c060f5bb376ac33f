// Workaround for a tfjs-backend-wasm 4.22 bug that silently breaks every loss on wasm: its OneHot
// kernel ignores the `dtype` attribute and always writes int32 (cc/kernels/OneHot.cc uses
// i32_write), so tf.oneHot(labels, K, 1, 0, 'float32') yields floats whose bits are the integer 1
// (1.4e-45). The losses build their one-hot targets that way, so on stock wasm cross-entropy is ~0
// and Dice ~1 whatever the network does, and nothing learns. This kernel writes the values in the
// requested dtype. Checked against the cpu backend in test/train/trainer.test.ts.
// (Belongs with the project's other wasm kernels in backend/wasm-kernels; kept here until moved.)
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';

interface WasmLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

const FIXED = Symbol('seglens-onehot-fixed');

const oneHotKernel: KernelConfig = {
  kernelName: 'OneHot',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const b = backend as unknown as WasmLike;
    const indices = inputs.indices as TensorInfo;
    const { depth, onValue, offValue, dtype } = attrs as unknown as { depth: number; onValue: number; offValue: number; dtype: string };
    const idx = b.readSync(indices.dataId);
    const out = b.makeOutput([...indices.shape, depth], dtype);
    const view = b.typedArrayFromHeap(out);
    view.fill(offValue);
    for (let i = 0; i < idx.length; i++) {
      const k = idx[i];
      if (k >= 0 && k < depth) view[i * depth + k] = onValue;
    }
    return out;
  },
};
(oneHotKernel as unknown as Record<symbol, boolean>)[FIXED] = true;

/** Replaces the wasm OneHot kernel (idempotent). Call after the wasm backend is imported. */
export function fixWasmOneHot(): void {
  const current = getKernel('OneHot', 'wasm') as (KernelConfig & Record<symbol, boolean>) | undefined;
  if (current?.[FIXED]) return;
  if (current) unregisterKernel('OneHot', 'wasm');
  registerKernel(oneHotKernel);
}
