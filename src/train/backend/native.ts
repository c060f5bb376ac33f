// The one module that loads the native addon (native/, built at install by native/build.mjs) and
// says why it could not. Everything else reaches the addon through loadNative().
//
// The addon works on memory JavaScript owns: the tfjs wasm backend's heap (an ArrayBuffer), with
// byte offsets. It runs convolutions through oneDNN, the library PyTorch and TensorFlow use on
// CPUs, and the memory-bound parts of a training step (batch norm, bias gradients, max-pool
// gradients, Adam) as fused OpenMP loops, on all cores by default.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join, sep } from 'node:path';
import { INSTALL_ROOT } from '../../seg/runtime.ts';

/** The functions of native/src/addon.cc (argument order documented there). */
export interface NativeAddon {
  info(): { library: string; isa: string; threads: number; processors: number; runtime: string };
  setThreads(n: number): number;
  conv2d(heap: ArrayBuffer, x: number, w: number, bias: number, y: number, ...shapeActAlpha: number[]): void;
  conv2dBackpropInput(heap: ArrayBuffer, dy: number, w: number, dx: number, ...shape: number[]): void;
  conv2dBackpropFilter(heap: ArrayBuffer, x: number, dy: number, dw: number, ...shape: number[]): void;
  convImplementation(kind: 0 | 1 | 2, ...shape: number[]): string;
  batchNormTrain(heap: ArrayBuffer, x: number, gamma: number, beta: number, y: number, mean: number, variance: number, rows: number, c: number, eps: number, relu: number): void;
  batchNormGrad(
    heap: ArrayBuffer,
    x: number,
    y: number,
    dy: number,
    gamma: number,
    mean: number,
    variance: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    rows: number,
    c: number,
    eps: number,
    relu: number,
  ): void;
  batchNormInfer(heap: ArrayBuffer, x: number, gamma: number, beta: number, movingMean: number, movingVariance: number, y: number, rows: number, c: number, eps: number, relu: number): void;
  sumRows(heap: ArrayBuffer, x: number, out: number, rows: number, c: number): void;
  maxPoolGrad(heap: ArrayBuffer, dy: number, x: number, dx: number, ...shape: number[]): void;
  adam(heap: ArrayBuffer, value: number, m: number, v: number, g: number, newValue: number, newM: number, newV: number, n: number, ...hyper: number[]): void;
  copyRuns(heap: ArrayBuffer, src: number, dst: number, rows: number, runBytes: number, srcStrideBytes: number, dstStrideBytes: number): void;
  cacheStats(): { primitives: number; bytes: number };
  clearCache(): void;
}

export type NativeStatus =
  | { ok: true; addon: NativeAddon; path: string; library: string; isa: string; threads: number; threadsReason: string }
  | { ok: false; reason: string };

export interface NativeOptions {
  /** Threads for oneDNN and the fused loops: a count, or true/undefined = one per core. */
  threads?: number | true;
}

const BUILD_DIR = join(INSTALL_ROOT, 'native', 'build') + sep;

/** Where the addon is: SEGLENS_NATIVE_PATH (a packaged app), else native/build/Release. */
export function nativeAddonPath(): string {
  return process.env.SEGLENS_NATIVE_PATH || `${BUILD_DIR}Release/seglens_native.node`;
}

/** Why the install did not build it, as native/build.mjs wrote it. */
function buildReason(): string | null {
  try {
    const status = JSON.parse(readFileSync(`${BUILD_DIR}status.json`, 'utf8')) as { ok?: boolean; reason?: string };
    return status.ok ? null : (status.reason ?? null);
  } catch {
    return null;
  }
}

let loaded: { addon: NativeAddon; path: string } | { error: string } | null = null;

function load(): { addon: NativeAddon; path: string } | { error: string } {
  if (loaded) return loaded;
  const path = nativeAddonPath();
  if (!existsSync(path)) {
    const why = buildReason();
    loaded = { error: why ? `the native addon was not built at install: ${why}` : `the native addon is not built (${path} is missing; run \`node native/build.mjs\`)` };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    addon.info();
    loaded = { addon, path };
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    const lib = /lib(dnnl|gomp|omp)[^:]*/.exec(msg)?.[0];
    loaded = { error: lib ? `the native addon cannot find ${lib} (install oneDNN: apt-get install libdnnl-dev): ${msg}` : `the native addon failed to load: ${msg}` };
  }
  return loaded;
}

/** Parses SEGLENS_THREADS / --threads: a positive integer, or "all". */
export function parseThreads(value: string | number | undefined): number | true | undefined {
  if (value === undefined || value === '' || value === 'all') return value === undefined || value === '' ? undefined : true;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`threads must be a positive integer or "all", got ${JSON.stringify(value)}`);
  return n;
}

/** Whether the addon is built and allowed, without loading it (which would set its threads). */
export function nativeBuilt(): boolean {
  return process.env.SEGLENS_NATIVE !== '0' && existsSync(nativeAddonPath());
}

/**
 * Loads the addon (once per process) and sets its thread count. SEGLENS_NATIVE=0 disables it.
 * Never throws for a missing or broken addon: the status says why.
 */
export function loadNative(options: NativeOptions = {}): NativeStatus {
  if (process.env.SEGLENS_NATIVE === '0') return { ok: false, reason: 'the native path is disabled (SEGLENS_NATIVE=0)' };
  const l = load();
  if ('error' in l) return { ok: false, reason: l.error };
  const cores = availableParallelism();
  const fromEnv = options.threads === undefined ? parseThreads(process.env.SEGLENS_THREADS) : undefined;
  const asked = options.threads ?? fromEnv;
  const threads = l.addon.setThreads(asked === undefined || asked === true ? cores : asked);
  const info = l.addon.info();
  const plural = `${threads} thread${threads === 1 ? '' : 's'}`;
  const threadsReason =
    asked === undefined || asked === true ? `${plural} (one per core)` : fromEnv !== undefined ? `${plural} (SEGLENS_THREADS)` : `${plural} (as asked)`;
  return { ok: true, addon: l.addon, path: l.path, library: info.library, isa: info.isa, threads, threadsReason };
}
