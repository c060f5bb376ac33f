// The few internals of @tensorflow/tfjs-backend-wasm 4.22 that the project kernels rely on, typed
// structurally in one place so that a tfjs upgrade that changes them breaks here, loudly, and in
// test/train/wasm-kernels.test.ts, rather than silently somewhere else.
//
// Layout facts used (tfjs-backend-wasm/src/backend_wasm.ts): every tensor's data is one block of
// the wasm heap at `dataIdMap.get(dataId).memoryOffset` (bytes); C++ kernels find tensors by the
// numeric `id` registered with `wasm.tfjs.registerTensor(id, size, offset)`; `makeOutput` with a
// memoryOffset registers a tensor over memory that someone else owns.
import { getKernel } from '@tensorflow/tfjs-core';
import type { DataType, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

interface WasmTensorData {
  id: number;
  memoryOffset: number;
  dtype: DataType;
  shape: number[];
  refCount: number;
}

interface WasmModule {
  HEAPF32: Float32Array;
  HEAPU8: Uint8Array;
  tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
}

/** What a project kernel may touch of the wasm backend. */
export interface WasmBackendInternals {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): WasmTensorData | undefined; delete(dataId: object): boolean };
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

export function asWasm(backend: unknown): WasmBackendInternals {
  const b = backend as Partial<WasmBackendInternals> | null;
  if (!b || typeof b.makeOutput !== 'function' || !b.dataIdMap || !b.wasm?.tfjs) {
    throw new Error('project wasm kernel called with a backend that is not tfjs-backend-wasm 4.x');
  }
  return b as WasmBackendInternals;
}

/** Runs another wasm kernel directly (no engine bookkeeping: the caller disposes what it gets). */
export function runWasmKernel(
  name: string,
  backend: WasmBackendInternals,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several tensors`);
  return out;
}

/**
 * A float32 view of a tensor's data on the heap. Valid only until the next allocation: heap growth
 * replaces the buffer, so take views after allocating and never keep them across kernel calls.
 */
export function heapView(backend: WasmBackendInternals, t: TensorInfo): Float32Array {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor is not on the wasm backend');
  const size = t.shape.reduce((a, b) => a * b, 1);
  const heap = backend.wasm.HEAPF32;
  return heap.subarray(data.memoryOffset >>> 2, (data.memoryOffset >>> 2) + size);
}

/** Byte offset of a tensor's data in the heap. */
export function heapByteOffset(backend: WasmBackendInternals, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor is not on the wasm backend');
  return data.memoryOffset;
}

/** Element offset of a tensor's data in HEAPF32. */
export function heapIndex(backend: WasmBackendInternals, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor is not on the wasm backend');
  return data.memoryOffset >>> 2;
}

/**
 * A tensor over `size(shape)` floats of `base` starting `offset` floats in: no copy. The caller
 * guarantees the range lies inside base and disposes the alias (disposeAlias) before base.
 */
export function makeAlias(backend: WasmBackendInternals, base: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const data = backend.dataIdMap.get(base.dataId);
  if (!data) throw new Error('alias base is not on the wasm backend');
  const size = shape.reduce((a, b) => a * b, 1);
  const baseSize = base.shape.reduce((a, b) => a * b, 1);
  if (offset < 0 || offset + size > baseSize) throw new Error(`alias [${offset}, ${offset + size}) outside ${baseSize} floats`);
  return backend.makeOutput(shape, 'float32', data.memoryOffset + offset * 4);
}

/**
 * Forgets an alias without freeing its memory (which belongs to the base tensor). C++ disposal
 * callbacks still run, so XNNPACK operators cached on the alias id (BatchMatMul caches one per
 * weights tensor) are deleted.
 */
export function disposeAlias(backend: WasmBackendInternals, alias: TensorInfo): void {
  const data = backend.dataIdMap.get(alias.dataId);
  if (!data) return;
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(alias.dataId);
}

/** Disposes intermediate results (each owns one reference). */
export function disposeAll(backend: WasmBackendInternals, infos: Array<TensorInfo | null | undefined>): void {
  for (const t of infos) if (t) backend.disposeData(t.dataId);
}

/** A kernel input that must be present. */
export function input(inputs: NamedTensorInfoMap, name: string): TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`kernel input "${name}" missing`);
  return t;
}

/** The same data seen with another shape of equal size; shares dataId, no reference taken. */
export function viewAs(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}
