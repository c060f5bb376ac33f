// Concat for the wasm backend (why: copy-runs.ts): per input one strided run copy into the output.
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { copyRuns, elementBytes } from './copy-runs.ts';
import { asWasm, heapByteOffset } from './wasm-internals.ts';
import type { WasmBackendInternals } from './wasm-internals.ts';

export function concatHeap(backend: WasmBackendInternals, inputs: TensorInfo[], axis: number): TensorInfo {
  const ax = util.parseAxisParam(axis, inputs[0].shape)[0];
  backend_util.assertParamsConsistent(inputs.map((t) => t.shape), ax);
  const outShape = backend_util.computeOutShape(inputs.map((t) => t.shape), ax);
  const dtype = inputs[0].dtype;
  const bytes = elementBytes(dtype);
  const out = backend.makeOutput(outShape, dtype);
  const rows = util.sizeFromShape(outShape.slice(0, ax));
  const total = util.sizeFromShape(outShape.slice(ax));
  if (rows === 0 || total === 0) return out;
  const dst = heapByteOffset(backend, out);
  let col = 0;
  for (const t of inputs) {
    const run = util.sizeFromShape(t.shape.slice(ax));
    if (run > 0) copyRuns(backend, bytes, heapByteOffset(backend, t), dst + col * bytes, rows, run, run, total);
    col += run;
  }
  return out;
}

export function makeConcat(stock: KernelFunc | null): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const list = Object.values(inputs).filter((t): t is TensorInfo => t !== undefined);
    const dtype = list[0]?.dtype;
    if (list.length === 0 || !list.every((t) => t.dtype === dtype) || (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool')) {
      if (!stock) throw new Error('Concat on wasm: unsupported inputs');
      return stock({ inputs, backend, attrs });
    }
    return concatHeap(asWasm(backend), list, (attrs as { axis: number | number[] }).axis as number);
  };
}
