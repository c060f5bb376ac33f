// Multi-threaded XNNPACK for the wasm backend under Node.
//
// tfjs-backend-wasm ships a threaded SIMD build, but disables it in Node (flag
// WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE; tensorflow/tfjs#3830) because its Emscripten
// glue starts its threads as Web Workers from blob: URLs, which Node's worker_threads cannot load.
// The glue itself supports Node (it sets global.Worker = worker_threads.Worker and the worker
// script has a Node branch). Three things stand in the way, each handled here:
// 1. Worker script: tfjs passes a blob: URL. A global `Worker` shim starts worker_threads from the
//    same script text (wasmWorkerContents of the package) with eval: true instead.
// 2. Main script: each worker is told to importScripts() a Blob holding the glue as the main
//    thread knows it. In the Node bundle that text is not self-contained (rollup renamed its
//    require calls: "require$$0 is not defined" in the worker), so the shim substitutes the path
//    of the package's unbundled glue, wasm-out/tfjs-backend-wasm-threaded-simd.js: the same
//    Emscripten output before bundling, which the worker's Node branch reads with fs.
// 3. Thread count: the C++ side caps threads at emscripten_num_logical_cores() / 2 (a guess at
//    hyper-threading), which in Node is os.cpus().length / 2 = 1 on a 2-core machine. During
//    initialisation only, os.cpus() reports twice the cores so that the cap is the core count.
// 4. Worker flags: workers get no execArgv (see PthreadWorker).
// 5. Exit: the glue keeps a worker ref()'d while its pthread runs, and XNNPACK's pool threads run
//    forever, so Node would never exit; the shim's workers never hold the event loop.
// Everything is reversible except the shim, which must stay while the backend lives (the pool may
// start more workers later); it only intercepts the tfjs worker script and passes any other
// Worker construction through to worker_threads unchanged.
// Limit: an error inside a worker while the backend starts is thrown by the glue outside any
// promise, so it ends the process instead of falling back to one thread; startWasmBackend only
// falls back when initialisation fails in the main thread. That is why threads are opt-in.
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker as NodeWorker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

interface WorkerFiles {
  /** Source of the pthread worker (the package's wasmWorkerContents). */
  source: string;
  /** Path of the unbundled threaded glue the workers import. */
  glue: string;
}

let files: WorkerFiles | null = null;

/** Reads the worker files from the installed package; throws if they are missing. */
function workerFiles(): WorkerFiles {
  if (files) return files;
  const require = createRequire(import.meta.url);
  const workerModule = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
  const { wasmWorkerContents } = require(workerModule) as { wasmWorkerContents?: string };
  if (typeof wasmWorkerContents !== 'string') throw new Error(`${workerModule} does not export wasmWorkerContents`);
  const glue = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  // The contents are meant for a Blob; as source text their "\n" escapes are raw newlines inside
  // quoted strings (tfjs applies the same replacement before making its Blob).
  files = { source: wasmWorkerContents.replace(/\n/g, '\\n'), glue };
  return files;
}

function isTfjsWorkerScript(url: unknown): boolean {
  const s = String(url);
  return s.startsWith('blob:') || s.endsWith('tfjs-backend-wasm-threaded-simd.worker.js');
}

/** worker_threads.Worker that can run the tfjs wasm pthread workers. */
class PthreadWorker extends NodeWorker {
  private readonly pthread: boolean;

  constructor(url: string | URL, options?: WorkerOptions) {
    const pthread = isTfjsWorkerScript(url);
    // No inherited execArgv: the parent's flags (--input-type=module, --import tsx, a test
    // runner's loaders) would make the CommonJS worker script fail or start slowly, 8 times.
    if (pthread) super(workerFiles().source, { eval: true, execArgv: [] });
    else super(url, options);
    this.pthread = pthread;
    if (pthread) this.unref();
  }

  /**
   * The glue ref()s a worker while a pthread runs on it; XNNPACK's pool threads never end, so the
   * process would never exit. Pool workers only serve synchronous calls of the main thread, so
   * they need not keep the event loop alive.
   */
  override ref(): void {
    if (!this.pthread) super.ref();
  }

  override postMessage(msg: unknown, transfer?: readonly Transferable[]): void {
    const m = msg as { cmd?: unknown; urlOrBlob?: unknown } | null;
    if (m && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') msg = { ...m, urlOrBlob: workerFiles().glue };
    super.postMessage(msg, transfer as never);
  }
}

let shimInstalled = false;

/** Makes `new Worker(...)` in the Emscripten glue create PthreadWorkers (it assigns global.Worker itself). */
function installWorkerShim(): void {
  if (shimInstalled) return;
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => PthreadWorker,
    set: () => {}, // the glue's `global.Worker = worker_threads.Worker`
  });
  shimInstalled = true;
}

export interface ThreadPlan {
  /** Threads to ask XNNPACK for (>= 2). */
  threads: number;
  /** Undo the temporary changes once the backend has initialised (or failed to). */
  done(): void;
}

/**
 * Prepares the process so that the next wasm backend initialisation uses the threaded build with
 * `requested` threads (capped at the core count). Call before tf.setBackend('wasm'), then done().
 */
export function prepareWasmThreads(requested: number, env: { set(flag: string, value: boolean): void }, setThreadsCount: (n: number) => void): ThreadPlan {
  const cores = os.cpus().length;
  const threads = Math.max(2, Math.min(Math.floor(requested), cores));
  workerFiles(); // fail here, before the backend starts, if the package lacks them
  installWorkerShim();
  env.set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const mutableOs = os as { cpus: typeof os.cpus };
  const realCpus = mutableOs.cpus;
  mutableOs.cpus = () => {
    const c = realCpus();
    return [...c, ...c];
  };
  return {
    threads,
    done() {
      mutableOs.cpus = realCpus;
    },
  };
}

/** Threads worth asking for on this machine: every core, or 1 on a single-core machine. */
export function defaultWasmThreads(): number {
  return os.cpus().length;
}
