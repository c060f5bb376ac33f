// Starts the tfjs wasm backend fit for training: binaries found from any working directory, the
// project's convolution-gradient kernels registered, SIMD and threads reported.
import type * as WasmPackage from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.ts';
import { useNativeKernels } from './native-kernels/register.ts';
import { prepareWasmThreads } from './threads.ts';
import { PROJECT_WASM_KERNELS, useWasmKernels } from './wasm-kernels/register.ts';
import { wasmBinaryDir } from './wasm-paths.ts';

export interface WasmStatus {
  /** tfjs-backend-wasm version. */
  version: string;
  simd: boolean;
  /** XNNPACK threads actually running. */
  threads: number;
  /** The thread count in words: as asked, capped, or fallen back to one and why. */
  threadsReason: string;
  /** Kernels the project replaced or added. */
  kernels: string[];
}

export interface WasmOptions {
  /** Threads wanted; 1 (default) = the single-threaded build, no workers. */
  threads?: number;
}

type WasmModule = typeof WasmPackage;

let pathsSet = false;
let started: WasmStatus | null = null;

async function init(wasm: WasmModule, threads: number): Promise<{ ok: boolean; error?: string }> {
  if (!pathsSet) {
    // setWasmPaths only matters before the first initialisation; later calls are ignored by tfjs.
    wasm.setWasmPaths(wasmBinaryDir());
    pathsSet = true;
  }
  const plan = threads > 1 ? prepareWasmThreads(threads, tf.env(), wasm.setThreadsCount) : null;
  if (!plan) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
  }
  try {
    // On failure tfjs logs the cause (console.warn) and returns false.
    const ok = await tf.setBackend('wasm');
    return ok ? { ok } : { ok, error: 'initialisation failed, see the tfjs warning above' };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    plan?.done();
  }
}

/**
 * Imports @tensorflow/tfjs-backend-wasm, points it at its .wasm files, registers the project
 * kernels (and removes the native ones) and makes 'wasm' the active backend. With threads > 1 it tries the threaded build
 * (threads.ts) and falls back to one thread, saying why. The wasm module initialises once per
 * process: later calls only re-activate it (and cannot change the thread count).
 */
export async function startWasmBackend(options: WasmOptions = {}): Promise<WasmStatus> {
  const wanted = Math.max(1, Math.floor(options.threads ?? 1));
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Plain wasm: the native kernels (select.ts puts them back for the native path) go first.
  useNativeKernels(null);
  useWasmKernels('project');
  if (started) {
    if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend is no longer available');
    const same = wanted === started.threads || (wanted > 1 && started.threads > 1);
    return same ? started : { ...started, threadsReason: `${started.threadsReason}; ${wanted} asked later, but threads are fixed once the backend started` };
  }
  let reason = wanted === 1 ? '1 thread' : '';
  let result = await init(wasm, wanted);
  if (wanted > 1 && !result.ok) {
    reason = `1 thread: the threaded build failed (${result.error})`;
    result = await init(wasm, 1);
  }
  if (!result.ok) throw new Error(`the wasm backend did not initialise (binaries in ${wasmBinaryDir()}): ${result.error}`);
  await tf.ready();
  const threads = wasm.getThreadsCount();
  if (!reason) reason = threads === wanted ? `${threads} threads` : `${threads} threads (${wanted} asked, capped at the core count)`;
  started = {
    version: wasm.version_wasm,
    simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    threads,
    threadsReason: reason,
    kernels: [...PROJECT_WASM_KERNELS],
  };
  return started;
}
