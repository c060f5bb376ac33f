// Starts the tfjs wasm backend fit for training: binaries found from any working directory, the
// project's convolution-gradient kernels registered, SIMD and threads reported.
import { tf } from '../tf.ts';
import { PROJECT_WASM_KERNELS, useWasmKernels } from './wasm-kernels/register.ts';
import { wasmBinaryDir } from './wasm-paths.ts';

export interface WasmStatus {
  /** tfjs-backend-wasm version. */
  version: string;
  simd: boolean;
  /** XNNPACK threads actually running (1 unless the worker shim of threads.ts is active). */
  threads: number;
  /** Kernels the project replaced or added. */
  kernels: string[];
}

let pathsSet = false;

/**
 * Imports @tensorflow/tfjs-backend-wasm, points it at its .wasm files, registers the project
 * kernels and makes 'wasm' the active backend. Throws when the backend cannot start.
 */
export async function startWasmBackend(): Promise<WasmStatus> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!pathsSet) {
    // setWasmPaths only matters before the first initialisation; later calls are ignored by tfjs.
    wasm.setWasmPaths(wasmBinaryDir());
    pathsSet = true;
  }
  useWasmKernels('project');
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error(`the wasm backend did not initialise (binaries looked up in ${wasmBinaryDir()})`);
  await tf.ready();
  return {
    version: wasm.version_wasm,
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads: wasm.getThreadsCount(),
    kernels: [...PROJECT_WASM_KERNELS],
  };
}
