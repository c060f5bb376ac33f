// Identity for the wasm backend: shares the input's data (one more reference) like the cpu
// backend and like wasm's own Reshape, instead of copying it. The engine runs Identity to clone
// every tensor it keeps for a gradient, several hundred times per U-Net training step, so the
// stock copy cost about as much as a convolution. Sharing is safe because no kernel writes into
// an input; a variable's assign replaces its data, it does not overwrite it.
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { input } from './wasm-internals.ts';

export function makeIdentity(stock: KernelFunc | null): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const x = input(inputs, 'x');
    if (x.dtype === 'string') {
      if (!stock) throw new Error('Identity on wasm: stock kernel missing');
      return stock({ inputs, backend, attrs });
    }
    (backend as { incRef(dataId: object): void }).incRef(x.dataId);
    const out: TensorInfo = { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    return out;
  };
}
