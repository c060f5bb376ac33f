// Whether a WebGPU adapter is real hardware. Software adapters (Chromium's SwiftShader, Mesa's
// llvmpipe and lavapipe) run far slower than the CPU path and are for tests only: they are refused
// for training unless forced (--allow-software-gpu). `isFallbackAdapter` alone is not enough:
// Dawn reports Mesa's llvmpipe behind OpenGL ES as a regular adapter.
import type { AdapterInfo } from '../compute/types.ts';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

export interface RawAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

export function describeAdapter(info: RawAdapterInfo | undefined): AdapterInfo {
  const a = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
  const software = Boolean(info?.isFallbackAdapter) || SOFTWARE.test(`${a.vendor} ${a.architecture} ${a.device} ${a.description}`);
  return { ...a, software };
}

/** The adapter in a few words, for reasons and logs. */
export function adapterLabel(a: AdapterInfo): string {
  const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'unnamed adapter';
  return `${name}${a.software ? ' (software, not a GPU)' : ''}`;
}

/** Whether a WebGL renderer string names a software rasteriser. */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE.test(renderer);
}
