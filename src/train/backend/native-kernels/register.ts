// Puts the native kernels into the tfjs kernel registry for the 'wasm' backend, over whatever
// was registered there (the project's wasm kernels, or stock ones), which each native kernel
// keeps as its fallback; useNativeKernels(null) puts those back.
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.ts';
import { useRunCopier } from '../wasm-kernels/copy-runs.ts';
import { nativeAdamKernel } from './adam.ts';
import { nativeBatchNormKernels } from './batch-norm.ts';
import { makeNativeConv2D, makeNativeConv2DBackpropFilter, makeNativeConv2DBackpropInput, makeNativeFusedConv2D } from './conv.ts';
import { makeNativeMaxPoolGrad, makeNativeSum } from './reduce-pool.ts';

/** Native replacements of kernels wasm has, each given the kernel it replaces. */
const REPLACEMENTS: Record<string, (native: NativeAddon, fallback: KernelFunc) => KernelFunc> = {
  Conv2D: makeNativeConv2D,
  FusedConv2D: makeNativeFusedConv2D,
  Conv2DBackpropInput: makeNativeConv2DBackpropInput,
  Conv2DBackpropFilter: makeNativeConv2DBackpropFilter,
  Sum: makeNativeSum,
  MaxPoolGrad: makeNativeMaxPoolGrad,
};

/** Kernels only the native path has (fused ops of src/train; elsewhere they run composite). */
const additions = (native: NativeAddon): KernelConfig[] => [...nativeBatchNormKernels(native), nativeAdamKernel(native)];

/** Kernel names the native path replaces or adds on wasm. */
export const NATIVE_KERNELS: readonly string[] = [...Object.keys(REPLACEMENTS), ...additions({} as NativeAddon).map((k) => k.kernelName)];

/** What was registered before the native kernels went in (undefined: nothing). */
let saved: Map<string, KernelConfig | undefined> | null = null;

function put(name: string, config: KernelConfig | undefined): void {
  if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
  if (config) registerKernel(config);
}

/** Installs the native kernels (addon given) or restores the ones they replaced (null). */
export function useNativeKernels(native: NativeAddon | null): void {
  if (saved) {
    for (const [name, config] of saved) put(name, config);
    saved = null;
  }
  // Slice, SplitV and Concat (the U-Net's skip connections) copy through the addon.
  useRunCopier(native ? (...args) => native.copyRuns(...args) : null);
  if (!native) return;
  saved = new Map(NATIVE_KERNELS.map((name) => [name, getKernel(name, 'wasm')]));
  for (const [name, make] of Object.entries(REPLACEMENTS)) {
    const previous = saved.get(name);
    if (!previous) throw new Error(`wasm has no ${name} kernel to fall back on; start the wasm backend first`);
    put(name, { kernelName: name, backendName: 'wasm', kernelFunc: make(native, previous.kernelFunc) });
  }
  for (const config of additions(native)) put(config.kernelName, config);
}

export function nativeKernelsActive(): boolean {
  return saved !== null;
}
