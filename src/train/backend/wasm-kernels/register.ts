// Puts the project's kernels (convolution gradients, and replacements of slow or wrong stock
// kernels) into the global tfjs kernel registry for the 'wasm' backend. Must run after
// @tensorflow/tfjs-backend-wasm was imported (its import registers the stock kernels, and a later
// registration of the same name overwrites ours with a warning).
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { makeCast } from './cast.ts';
import { makeConcat } from './concat.ts';
import { conv2dBackpropFilterKernel } from './conv2d-backprop-filter.ts';
import { makeConv2dBackpropInput } from './conv2d-backprop-input.ts';
import { makeIdentity } from './identity.ts';
import { maxPoolGradKernel } from './max-pool-grad.ts';
import { makeOneHot } from './one-hot.ts';
import { makeSlice, makeSplitV } from './slice.ts';
import { makeTile } from './tile.ts';

export type WasmKernelSet = 'project' | 'stock';

/** What useWasmKernels last installed ('mixed': a list). */
export type ActiveKernels = WasmKernelSet | 'mixed';

/** The project kernels, each built from the stock one it replaces (null if wasm has none). */
const PROJECT: Record<string, (stock: KernelFunc | null) => KernelFunc> = {
  Conv2DBackpropInput: makeConv2dBackpropInput,
  Conv2DBackpropFilter: () => conv2dBackpropFilterKernel,
  Tile: makeTile,
  MaxPoolGrad: () => maxPoolGradKernel,
  Cast: makeCast,
  Slice: makeSlice,
  SplitV: makeSplitV,
  Concat: makeConcat,
  Identity: makeIdentity,
  OneHot: makeOneHot,
};

/** Kernel names the project replaces or adds on wasm. */
export const PROJECT_WASM_KERNELS: readonly string[] = Object.keys(PROJECT);

/** The stock configs as found before the first replacement (undefined: wasm had none). */
let stock: Map<string, KernelConfig | undefined> | null = null;
let active: ActiveKernels = 'stock';

function captureStock(): Map<string, KernelConfig | undefined> {
  if (!stock) {
    stock = new Map();
    for (const name of PROJECT_WASM_KERNELS) {
      const config = getKernel(name, 'wasm');
      stock.set(name, config && withLazySetup(config));
    }
  }
  return stock;
}

/**
 * A stock kernel whose setup (cwrap of its C++ function) runs on first use: the engine runs
 * setupFuncs only for kernels registered when the backend initialises, and ours may have been
 * registered in their place at that moment.
 */
function withLazySetup(config: KernelConfig): KernelConfig {
  const { setupFunc } = config;
  if (!setupFunc) return config;
  const ready = new WeakSet<object>();
  const kernelFunc: KernelFunc = (args) => {
    if (!ready.has(args.backend)) {
      setupFunc(args.backend);
      ready.add(args.backend);
    }
    return config.kernelFunc(args);
  };
  return { ...config, kernelFunc, setupFunc: undefined };
}

function put(config: KernelConfig | undefined, name: string): void {
  if (getKernel(name, 'wasm')) unregisterKernel(name, 'wasm');
  if (config) registerKernel(config);
}

/**
 * Selects which implementation the wasm backend runs: the project kernels (default for training),
 * the stock ones (for benchmarks and comparisons; stock has no Conv2DBackpropFilter), or the
 * project kernels for the listed names only and stock for the others.
 */
export function useWasmKernels(set: WasmKernelSet | readonly string[]): { kernels: string[]; set: WasmKernelSet | string[] } {
  const originals = captureStock();
  const chosen = set === 'project' ? PROJECT_WASM_KERNELS : set === 'stock' ? [] : set;
  for (const name of chosen) if (!(name in PROJECT)) throw new Error(`no project wasm kernel ${name}`);
  for (const [name, make] of Object.entries(PROJECT)) {
    if (chosen.includes(name)) put({ kernelName: name, backendName: 'wasm', kernelFunc: make(originals.get(name)?.kernelFunc ?? null) }, name);
    else put(originals.get(name), name);
  }
  active = set === 'project' || set === 'stock' ? set : 'mixed';
  return { kernels: [...chosen], set: typeof set === 'string' ? set : [...set] };
}

export function activeWasmKernels(): ActiveKernels {
  return active;
}
