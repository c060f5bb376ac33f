// The backend of a compute worker in a browser or Electron renderer: WebGPU on a hardware adapter
// (Direct3D 12, Metal, Vulkan, with no install), else WebGL on a hardware renderer. Software
// adapters and renderers (SwiftShader, llvmpipe) are refused unless allowed (tests): they are far
// slower than the engine's native CPU path, which the engine then uses instead. The GPU kernels of
// the project (gpu-kernels/) go over the stock ones. Browser code: no Node module.
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-webgl';
import { tf } from '../tf.ts';
import { adapterLabel, describeAdapter, isSoftwareRenderer } from '../backend/gpu-adapter.ts';
import type { RawAdapterInfo } from '../backend/gpu-adapter.ts';
import { useGpuKernels } from '../backend/gpu-kernels/register.ts';
import type { AdapterInfo, BackendPreference, BackendReport } from './types.ts';
import type { GpuOfferInfo } from './protocol.ts';

interface GpuNavigator {
  gpu?: { requestAdapter(o?: object): Promise<{ info?: RawAdapterInfo } | null> };
}

/** Called with a reason when the GPU goes away for good (device lost, context lost). */
export type LostHandler = (reason: string) => void;

interface Attempt {
  ok: boolean;
  reason: string;
  adapter?: AdapterInfo;
}

async function tryWebGpu(allowSoftware: boolean, onLost: LostHandler): Promise<Attempt> {
  const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
  if (!gpu) return { ok: false, reason: 'this browser exposes no WebGPU (navigator.gpu is missing)' };
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return { ok: false, reason: 'WebGPU gave no adapter' };
  const info = describeAdapter(adapter.info);
  if (info.software && !allowSoftware) return { ok: false, reason: `only a software adapter (${adapterLabel(info)}); allow software GPUs to use it, for tests` };
  useGpuKernels('webgpu');
  if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: 'tfjs-backend-webgpu did not start' };
  await tf.ready();
  const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ message?: string; reason?: string }> } }).device;
  void device?.lost?.then((l) => onLost(`the GPU device was lost (${l.reason ?? 'unknown'}: ${l.message ?? ''})`));
  return { ok: true, reason: `WebGPU on ${adapterLabel(info)}`, adapter: info };
}

async function tryWebGl(allowSoftware: boolean, onLost: LostHandler): Promise<Attempt> {
  useGpuKernels('webgl');
  if (!(await tf.setBackend('webgl').catch(() => false))) return { ok: false, reason: 'WebGL is not available' };
  await tf.ready();
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  const ext = gl?.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl ? String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'unknown';
  if (isSoftwareRenderer(renderer) && !allowSoftware) return { ok: false, reason: `only a software WebGL renderer (${renderer}); allow software GPUs to use it, for tests` };
  const canvas = gl?.canvas as HTMLCanvasElement | OffscreenCanvas | undefined;
  canvas?.addEventListener?.('webglcontextlost', () => onLost('the WebGL context was lost'));
  return { ok: true, reason: `WebGL on ${renderer}${isSoftwareRenderer(renderer) ? ' (software, not a GPU)' : ''}` };
}

/** Starts the best GPU backend this page has, or says why there is none. */
export async function selectBrowserBackend(pref: BackendPreference, onLost: LostHandler): Promise<BackendReport> {
  const allow = Boolean(pref.allowSoftwareGpu);
  const order = pref.prefer === 'webgl' ? (['webgl', 'webgpu'] as const) : (['webgpu', 'webgl'] as const);
  const tried: BackendReport['tried'] = [];
  for (const name of order) {
    const r: Attempt = name === 'webgpu' ? await tryWebGpu(allow, onLost) : await tryWebGl(allow, onLost);
    const pkg = `@tensorflow/tfjs-backend-${name}`;
    tried.push({ package: pkg, ok: r.ok, reason: r.reason });
    if (r.ok) return { name, package: pkg, reason: r.reason, tried, ...(r.adapter ? { adapter: r.adapter } : {}) };
  }
  throw new Error(`No GPU backend in this page: ${tried.map((t) => t.reason).join('; ')}`);
}

/**
 * What this page could offer, without starting a tfjs backend: the WebGPU adapter and the WebGL
 * renderer, each flagged when it is a software emulation. Sent to the engine when the worker
 * connects, so the app can say which GPU would train.
 */
export async function probeBrowserGpus(): Promise<GpuOfferInfo[]> {
  const offers: GpuOfferInfo[] = [];
  const gpu = (globalThis.navigator as GpuNavigator | undefined)?.gpu;
  const adapter = gpu ? await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null) : null;
  if (adapter) {
    const info = describeAdapter(adapter.info);
    offers.push({ backend: 'webgpu', name: adapterLabel(info).replace(' (software, not a GPU)', ''), software: info.software });
  }
  try {
    const Canvas = (globalThis as { OffscreenCanvas?: new (w: number, h: number) => OffscreenCanvas }).OffscreenCanvas;
    const gl = Canvas ? (new Canvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null) : null;
    if (gl) {
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
      offers.push({ backend: 'webgl', name: renderer, software: isSoftwareRenderer(renderer) });
    }
  } catch {
    // no WebGL in this worker
  }
  return offers;
}
