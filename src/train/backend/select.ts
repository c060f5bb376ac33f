// Chooses the TensorFlow.js backend for training: tfjs-node-gpu (CUDA), then WebGPU on a hardware
// adapter (the `webgpu` package: Vulkan, Metal, Direct3D 12), then the native CPU path
// (the project's addon: oneDNN convolutions and fused loops on the wasm backend's heap, on all
// cores), then tfjs-node (libtensorflow on the CPU), then tfjs-backend-wasm with the project's
// kernels alone. Native comes before tfjs-node because it is the CPU path measured side by side
// with PyTorch (bench/train.ts); tfjs-node cannot be installed where that is measured. A
// candidate that fails to load is skipped and its reason kept, so the choice can be printed,
// stored in the run folder and shown in the UI. The pure-JS cpu backend is refused for training
// unless forced.
import { ConfigError, SeglensError } from '../../seg/errors.ts';
import type { BackendReport } from '../compute/types.ts';
import { tf } from '../tf.ts';
import { loadNative } from './native.ts';
import type { NativeStatus } from './native.ts';
import { useNativeKernels } from './native-kernels/register.ts';
import { installNodeUtilShims } from './node-compat.ts';
import { startNodeWebGpu } from './webgpu-node.ts';
import { defaultWasmThreads } from './threads.ts';
import { startWasmBackend } from './wasm.ts';
import type { WasmStatus } from './wasm.ts';

import type { BackendCandidate, BackendName } from './candidates.ts';

export { BACKEND_CANDIDATES } from './candidates.ts';
export type { BackendCandidate, BackendName } from './candidates.ts';

/** The native path's state when it was chosen. */
export interface NativeChoice {
  library: string;
  isa: string;
  threads: number;
  threadsReason: string;
}

export interface BackendAttempt {
  package: string;
  ok: boolean;
  reason: string;
}

export interface BackendChoice extends BackendReport {
  name: BackendName;
  package: string;
  /** One sentence: what runs and why this one. */
  reason: string;
  /** Every candidate tried, in order, the chosen one last. */
  tried: BackendAttempt[];
  /** Set when name is 'wasm' or 'native' (which runs on the wasm backend's heap). */
  wasm?: WasmStatus;
  /** Set when name is 'native'. */
  native?: NativeChoice;
}

export interface SelectBackendOptions {
  /** Candidate tried first; the others follow in the default order. */
  prefer?: BackendCandidate;
  /** Allow the pure-JS cpu backend (refused for training otherwise). */
  allowCpu?: boolean;
  /**
   * XNNPACK threads of the wasm backend (threads.ts): a count, true = one per core, false = 1.
   * Default DEFAULT_WASM_THREADS. Fixed once the wasm backend has started in this process.
   */
  wasmThreads?: boolean | number;
  /** Threads of the native path: a count, or true (default) = one per core. */
  threads?: number | true;
  /** Accept a software WebGPU adapter (llvmpipe, SwiftShader): for tests, far slower than the CPU. */
  allowSoftwareGpu?: boolean;
  /** Try only these candidates (in the usual order); the others are not tried. */
  only?: readonly BackendCandidate[];
  /** Module loader, replaceable in tests to simulate missing or broken packages. */
  load?: (pkg: string) => Promise<unknown>;
}

export const CPU_REFUSAL =
  'The pure-JavaScript cpu backend is refused for training: its convolutions are about 150x slower, and ' +
  'their filter gradients about 1000x slower, than the project wasm kernels (bench/kernels.ts), so a U-Net ' +
  'epoch would take hours. Force it only for tiny tests (allowCpu / --backend cpu).';

const NATIVE_PACKAGE = 'seglens-native';

interface Candidate {
  key: BackendCandidate;
  name: BackendName;
  package: string;
}

const CANDIDATES: Candidate[] = [
  { key: 'tensorflow-gpu', name: 'tensorflow', package: '@tensorflow/tfjs-node-gpu' },
  { key: 'webgpu', name: 'webgpu', package: '@tensorflow/tfjs-backend-webgpu' },
  { key: 'native', name: 'native', package: NATIVE_PACKAGE },
  { key: 'tensorflow', name: 'tensorflow', package: '@tensorflow/tfjs-node' },
  { key: 'wasm', name: 'wasm', package: '@tensorflow/tfjs-backend-wasm' },
  { key: 'cpu', name: 'cpu', package: '@tensorflow/tfjs-backend-cpu' },
];

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  return msg.split('\n')[0].trim();
}

/** Says in words why a tfjs-node package could not be loaded. */
export function explainLoadFailure(pkg: string, e: unknown): string {
  const msg = firstLine(e);
  const code = (e as { code?: string } | null)?.code;
  if (/tfjs_binding\.node|napi-v\d/.test(msg)) {
    return `${pkg} is installed but its native binding is missing (the libtensorflow download of its install script failed): ${msg}`;
  }
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && msg.includes(pkg)) {
    return `${pkg} is not installed (optional dependency: its install script downloads libtensorflow, which fails offline or on unsupported platforms)`;
  }
  if (/libcud|cuda|cudnn|libnvinfer/i.test(msg)) return `CUDA libraries missing for ${pkg}: ${msg}`;
  if (/libtensorflow/i.test(msg)) return `libtensorflow missing for ${pkg}: ${msg}`;
  if (/isNullOrUndefined|isArray/.test(msg)) return `${pkg} is incompatible with Node ${process.versions.node}: ${msg}`;
  return `${pkg} failed to load: ${msg}`;
}

async function tryTensorflow(c: Candidate, load: (pkg: string) => Promise<unknown>): Promise<BackendAttempt> {
  installNodeUtilShims();
  let mod: { Tensor?: unknown; version?: { 'tfjs-node'?: string } };
  try {
    mod = (await load(c.package)) as typeof mod;
  } catch (e) {
    return { package: c.package, ok: false, reason: explainLoadFailure(c.package, e) };
  }
  if (mod.Tensor !== undefined && mod.Tensor !== tf.Tensor) {
    return {
      package: c.package,
      ok: false,
      reason: `${c.package} loaded a second copy of @tensorflow/tfjs-core; tensors would not be shared with src/train (run \`npm dedupe\`)`,
    };
  }
  try {
    if (!(await tf.setBackend('tensorflow'))) throw new Error("tf.setBackend('tensorflow') returned false");
    tf.tidy(() => tf.conv2d(tf.zeros([1, 3, 3, 1]) as tf.Tensor4D, tf.zeros([3, 3, 1, 1]) as tf.Tensor4D, 1, 'same'));
  } catch (e) {
    const reason = explainLoadFailure(c.package, e);
    return { package: c.package, ok: false, reason: reason.includes('failed to load') ? `${c.package} loaded but its 'tensorflow' backend did not start: ${firstLine(e)}` : reason };
  }
  const device = c.key === 'tensorflow-gpu' ? 'libtensorflow with CUDA' : 'libtensorflow on the CPU';
  return { package: c.package, ok: true, reason: `${c.package} loaded: ${device}` };
}

async function tryNative(c: Candidate, threads: number | true | undefined): Promise<{ attempt: BackendAttempt; status?: WasmStatus; native?: NativeChoice }> {
  const fail = (reason: string) => ({ attempt: { package: c.package, ok: false, reason } });
  const st: NativeStatus = loadNative({ threads });
  if (!st.ok) return fail(st.reason);
  let wasm: WasmStatus;
  try {
    wasm = await startWasmBackend({ threads: 1 });
  } catch (e) {
    return fail(`the wasm backend it runs on failed to start: ${firstLine(e)}`);
  }
  if (wasm.threads > 1) return fail('the wasm backend already runs its threaded build in this process, whose shared heap the addon cannot use');
  useNativeKernels(st.addon);
  const native = { library: st.library, isa: st.isa, threads: st.threads, threadsReason: st.threadsReason };
  return {
    attempt: { package: c.package, ok: true, reason: `native CPU path: ${st.library} convolutions (${st.isa}) and fused kernels, ${st.threadsReason}, on @tensorflow/tfjs-backend-wasm ${wasm.version}` },
    status: wasm,
    native,
  };
}

async function tryWasm(c: Candidate, threadsWanted: number): Promise<{ attempt: BackendAttempt; status?: WasmStatus }> {
  try {
    const status = await startWasmBackend({ threads: threadsWanted });
    return {
      attempt: {
        package: c.package,
        ok: true,
        reason: `${c.package} ${status.version} (${status.simd ? 'SIMD' : 'no SIMD'}, ${status.threadsReason}) with the project kernels ${status.kernels.join(', ')}`,
      },
      status,
    };
  } catch (e) {
    return { attempt: { package: c.package, ok: false, reason: `${c.package} failed to start: ${firstLine(e)}` } };
  }
}

async function tryCpu(c: Candidate): Promise<BackendAttempt> {
  const ok = await tf.setBackend('cpu');
  return { package: c.package, ok, reason: ok ? `${c.package}: pure JavaScript, forced (allowCpu)` : 'the cpu backend did not start' };
}

/**
 * Threads when the caller does not say. 1: the threaded build (threads.ts) runs XNNPACK
 * convolutions about 1.6x faster on 2 cores, but it rests on shims of Emscripten internals, costs
 * about 0.5 s and 70 MB at start-up, and loses when the cores are busy; so it is opt-in.
 */
export const DEFAULT_WASM_THREADS: boolean | number = 1;

function wasmThreadCount(wanted: boolean | number): number {
  if (wanted === true) return defaultWasmThreads();
  if (wanted === false) return 1;
  if (!Number.isInteger(wanted) || wanted < 1) throw new ConfigError(`wasmThreads must be a positive integer or a boolean, got ${wanted}`, { wasmThreads: wanted });
  return wanted;
}

function order(prefer: BackendCandidate | undefined): Candidate[] {
  if (!prefer) return CANDIDATES;
  const first = CANDIDATES.find((c) => c.key === prefer);
  if (!first) throw new ConfigError(`unknown backend "${prefer}"; choose one of ${CANDIDATES.map((c) => c.key).join(', ')}`, { prefer });
  return [first, ...CANDIDATES.filter((c) => c !== first)];
}

function wasmVersions(status: WasmStatus | undefined): Record<string, string> {
  return status ? { 'tfjs-backend-wasm': status.version } : {};
}

/**
 * The chosen candidate's reason, and, when the native CPU path was tried and failed, why: a user
 * on the slower wasm path must see what keeps the faster one away (printed, in run.json, in the app).
 */
function withNativeReason(reason: string, tried: BackendAttempt[]): string {
  const native = tried.find((t) => t.package === NATIVE_PACKAGE && !t.ok);
  return native ? `${reason}; native CPU path not used: ${native.reason}` : reason;
}

/** Picks, starts and reports the training backend. Throws SeglensError when none starts. */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendChoice> {
  const { prefer, allowCpu = false } = options;
  if (prefer === 'cpu' && !allowCpu) throw new ConfigError(CPU_REFUSAL, { prefer });
  const threads = wasmThreadCount(options.wasmThreads ?? DEFAULT_WASM_THREADS);
  const load = options.load ?? ((pkg: string) => import(pkg));
  const tried: BackendAttempt[] = [];
  for (const c of order(prefer)) {
    if (options.only && !options.only.includes(c.key)) continue;
    if (c.name === 'cpu' && !allowCpu) continue;
    if (c.name === 'tensorflow') {
      const attempt = await tryTensorflow(c, load);
      tried.push(attempt);
      if (attempt.ok) return { name: 'tensorflow', package: c.package, reason: withNativeReason(attempt.reason, tried), tried };
    } else if (c.name === 'webgpu') {
      const r = await startNodeWebGpu({ allowSoftware: Boolean(options.allowSoftwareGpu), ...(options.load ? { load: options.load } : {}) });
      tried.push({ package: c.package, ok: r.ok, reason: r.ok ? r.reason : `WebGPU not used: ${r.reason}` });
      if (r.ok) return { name: 'webgpu', package: c.package, reason: r.reason, tried, adapter: r.adapter };
    } else if (c.name === 'native') {
      const { attempt, status, native } = await tryNative(c, options.threads);
      tried.push(attempt);
      if (attempt.ok) return { name: 'native', package: c.package, reason: attempt.reason, tried, wasm: status, native, versions: wasmVersions(status) };
    } else if (c.name === 'wasm') {
      const { attempt, status } = await tryWasm(c, threads);
      tried.push(attempt);
      if (attempt.ok) return { name: 'wasm', package: c.package, reason: withNativeReason(attempt.reason, tried), tried, wasm: status, versions: wasmVersions(status) };
    } else {
      const attempt = await tryCpu(c);
      tried.push(attempt);
      if (attempt.ok) return { name: 'cpu', package: c.package, reason: attempt.reason, tried };
    }
  }
  const summary = tried.map((t) => `${t.package}: ${t.reason}`).join('; ');
  throw new SeglensError(`No TensorFlow.js backend could start for training. ${summary}.${allowCpu || options.only ? '' : ' ' + CPU_REFUSAL}`, { tried });
}

/** The choice in one line, for logs and the run folder's README. */
export function formatBackendChoice(choice: BackendChoice): string {
  const skipped = choice.tried.filter((t) => !t.ok).map((t) => t.reason);
  return `backend ${choice.name}: ${choice.reason}${skipped.length ? ` (skipped: ${skipped.join('; ')})` : ''}`;
}
