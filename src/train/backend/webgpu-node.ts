// tfjs-backend-webgpu in plain Node, through the `webgpu` package (Dawn's dawn.node, prebuilt for
// Linux, Windows and macOS inside its npm tarball; an optional dependency). Electron cannot load
// it (it uses external buffers), so the desktop app reaches WebGPU through a browser worker
// instead (compute/); this is the command line's path.
//
// Adapters are tried native API first (Vulkan, Metal, Direct3D 12), then OpenGL ES at the
// 'compatibility' feature level, which is how Dawn reaches Mesa's llvmpipe on a machine without a
// GPU (with EGL_PLATFORM=surfaceless: no display needed). Software adapters are refused unless
// allowed. tfjs-webgpu reads tensors only asynchronously here; the compute code never calls
// dataSync.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../tf.ts';
import type { AdapterInfo } from '../compute/types.ts';
import { adapterLabel, describeAdapter } from './gpu-adapter.ts';
import type { RawAdapterInfo } from './gpu-adapter.ts';
import { useGpuKernels } from './gpu-kernels/register.ts';

interface GpuAdapterLike {
  info?: RawAdapterInfo;
}
interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapterLike | null>;
}
interface WebGpuPackage {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

export type NodeWebGpuResult = { ok: true; adapter: AdapterInfo; reason: string } | { ok: false; reason: string };

const ATTEMPTS: Array<{ options: string[]; featureLevel: 'core' | 'compatibility'; label: string }> = [
  { options: [], featureLevel: 'core', label: 'the platform GPU API' },
  { options: ['backend=opengles'], featureLevel: 'compatibility', label: 'OpenGL ES' },
];

let started: NodeWebGpuResult | null = null;
/** Failures by allowSoftware: searching for adapters again would find the same (and costs time). */
const failed = new Map<boolean, NodeWebGpuResult>();

/**
 * Starts the 'webgpu' tfjs backend on the first usable adapter, once per process (a later call
 * returns the first result and re-activates the backend). Never throws for a missing package or
 * adapter: the result says why.
 */
export async function startNodeWebGpu(opts: { allowSoftware: boolean; load?: (pkg: string) => Promise<unknown> }): Promise<NodeWebGpuResult> {
  if (started?.ok) {
    if (!started.adapter.software || opts.allowSoftware) return (await tf.setBackend('webgpu')) ? started : { ok: false, reason: 'the webgpu backend is no longer available' };
    return { ok: false, reason: `only a software adapter was found (${adapterLabel(started.adapter)}); --allow-software-gpu uses it` };
  }
  const known = opts.load ? undefined : failed.get(opts.allowSoftware);
  if (known) return known;
  const result = await search(opts);
  if (!result.ok && !opts.load) failed.set(opts.allowSoftware, result);
  return result;
}

/**
 * The adapters each attempt finds, asked in a child process: Dawn and Mesa print their own
 * warnings on stderr while looking (no display, missing Vulkan features), which would be noise
 * on every command of a machine without a GPU. Only an attempt that found an adapter is then
 * made in this process.
 */
function probe(): Array<{ label: string; adapter: RawAdapterInfo | null; error?: string }> {
  const script = `
    const { create } = await import('webgpu');
    const attempts = ${JSON.stringify(ATTEMPTS)};
    const out = [];
    for (const a of attempts) {
      try {
        const adapter = await create(a.options).requestAdapter({ featureLevel: a.featureLevel });
        const i = adapter?.info;
        out.push({ label: a.label, adapter: i ? { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, isFallbackAdapter: i.isFallbackAdapter } : null });
      } catch (e) { out.push({ label: a.label, adapter: null, error: String(e?.message ?? e).split('\\n')[0] }); }
    }
    process.stdout.write(JSON.stringify(out));
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: dirname(fileURLToPath(import.meta.url)),
    env: { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless' },
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`the adapter probe failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').trim().split('\n').at(-1)}`);
  return JSON.parse(r.stdout) as Array<{ label: string; adapter: RawAdapterInfo | null; error?: string }>;
}

async function search(opts: { allowSoftware: boolean; load?: (pkg: string) => Promise<unknown> }): Promise<NodeWebGpuResult> {
  let pkg: WebGpuPackage;
  try {
    pkg = (await (opts.load ?? ((p: string) => import(p)))('webgpu')) as WebGpuPackage;
  } catch (e) {
    return { ok: false, reason: `the webgpu package is not installed (optional dependency with Dawn's prebuilt binaries): ${(e as Error).message.split('\n')[0]}` };
  }
  // Dawn's OpenGL ES backend finds Mesa through EGL; without a display it needs the surfaceless platform.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  let found: ReturnType<typeof probe>;
  try {
    found = opts.load ? ATTEMPTS.map((a) => ({ label: a.label, adapter: {} })) : probe();
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  const skipped: string[] = [];
  for (const attempt of ATTEMPTS) {
    const seen = found.find((f) => f.label === attempt.label);
    if (!seen?.adapter) {
      skipped.push(`${attempt.label}: ${seen?.error ?? 'no adapter'}`);
      continue;
    }
    const info = describeAdapter(seen.adapter);
    if (info.software && !opts.allowSoftware) {
      skipped.push(`${attempt.label}: only a software adapter (${adapterLabel(info)}); --allow-software-gpu uses it, for tests`);
      continue;
    }
    let gpu: GpuLike;
    try {
      gpu = pkg.create(attempt.options);
      if (!(await gpu.requestAdapter({ featureLevel: attempt.featureLevel }))) throw new Error('the adapter the probe found is gone');
    } catch (e) {
      skipped.push(`${attempt.label}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    const result = await activate(pkg, gpu, attempt.featureLevel, info, attempt.label);
    if (result.ok) return (started = result);
    skipped.push(result.reason);
  }
  return { ok: false, reason: skipped.length ? skipped.join('; ') : 'no WebGPU adapter' };
}

async function activate(pkg: WebGpuPackage, gpu: GpuLike, featureLevel: string, info: AdapterInfo, label: string): Promise<NodeWebGpuResult> {
  Object.assign(globalThis, pkg.globals);
  // tfjs asks navigator.gpu for its adapter; this one always requests the level that worked.
  const request = gpu.requestAdapter.bind(gpu);
  const wrapped = { requestAdapter: (o: Record<string, unknown> = {}) => request({ ...o, featureLevel }) };
  const nav = (globalThis as unknown as { navigator?: object }).navigator;
  if (nav) Object.defineProperty(nav, 'gpu', { value: wrapped, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu: wrapped, userAgent: `Node.js ${process.version}` }, configurable: true });
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
    useGpuKernels('webgpu');
    if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: `${label}: tfjs-backend-webgpu did not start (see the warning above)` };
    await tf.ready();
  } catch (e) {
    return { ok: false, reason: `${label}: tfjs-backend-webgpu failed: ${(e as Error).message.split('\n')[0]}` };
  }
  return { ok: true, adapter: info, reason: `WebGPU through ${label} on ${adapterLabel(info)}` };
}
