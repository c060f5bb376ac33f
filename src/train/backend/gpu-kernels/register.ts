// The project's kernels for the GPU backends (webgpu, webgl), put over the stock ones after the
// backend package is imported. Pure tfjs: runs in Node (webgpu through the `webgpu` package) and
// in a browser worker alike.
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { makeTapConv2DBackpropFilter } from './conv2d-backprop-filter.ts';

export const GPU_KERNELS = ['Conv2DBackpropFilter'] as const;

const done = new Set<string>();
const ours = new WeakSet<object>();

/** Whether the kernel now registered under `name` for `backendName` is the project's. */
export function isProjectGpuKernel(name: string, backendName: string): boolean {
  const k = getKernel(name, backendName);
  return Boolean(k && ours.has(k.kernelFunc));
}

export function useGpuKernels(backendName: 'webgpu' | 'webgl'): void {
  if (done.has(backendName)) return;
  const stock = getKernel('Conv2DBackpropFilter', backendName);
  if (stock) unregisterKernel('Conv2DBackpropFilter', backendName);
  const kernelFunc = makeTapConv2DBackpropFilter(backendName, stock?.kernelFunc ?? null);
  ours.add(kernelFunc);
  registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc });
  done.add(backendName);
}
