// Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter on the wasm backend's heap,
// computed by oneDNN in the native addon (native/src/conv.cc), in tfjs's layouts (NHWC, HWIO):
// no copy in or out. Anything the addon does not cover (NCHW, grouped convolutions, PReLU, bias
// that is not one value per output channel) goes to the kernel registered before (project or
// stock wasm), as does a shape oneDNN refuses.
import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, Conv2DBackpropInputAttrs, FusedConv2DAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from '../native.ts';
import { asWasm, input } from '../wasm-kernels/wasm-internals.ts';
import type { WasmBackendInternals } from '../wasm-kernels/wasm-internals.ts';
import { heapBuffer, isFloat, offset, size } from './heap.ts';

type Info = backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];

/** The 17 numbers of native ConvShape, from tfjs's conv info. */
function convShape(i: Info): number[] {
  const p = i.padInfo;
  return [
    i.batchSize, i.inHeight, i.inWidth, i.inChannels,
    i.outHeight, i.outWidth, i.outChannels,
    i.filterHeight, i.filterWidth, i.strideHeight, i.strideWidth,
    i.dilationHeight, i.dilationWidth,
    p.top, p.left, p.bottom, p.right,
  ]; // prettier-ignore
}

/** Native activation codes (native/src/conv.h); undefined: not supported natively. */
const ACTIVATIONS: Record<string, number | undefined> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, sigmoid: 4, elu: 5 };

/** Runs `body`, or the fallback when oneDNN refuses (first refusal per shape is remembered). */
function orFallback(refused: Set<string>, key: string, body: () => TensorInfo, fallback: () => TensorInfo | TensorInfo[]): TensorInfo | TensorInfo[] {
  if (refused.has(key)) return fallback();
  try {
    return body();
  } catch (e) {
    if (!(e instanceof Error) || !('code' in e) || (e as { code?: string }).code !== 'SEGLENS_NATIVE_DNNL') throw e;
    refused.add(key);
    return fallback();
  }
}

function allocate(backend: WasmBackendInternals, shape: number[], run: (heap: ArrayBuffer, out: TensorInfo) => void): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  try {
    run(heapBuffer(backend), out);
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  }
  return out;
}

function forward(native: NativeAddon, fallback: KernelFunc, fused: boolean): KernelFunc {
  const refused = new Set<string>();
  return (args) => {
    const { inputs, attrs } = args;
    const backend = asWasm(args.backend);
    const x = input(inputs, 'x');
    const filter = input(inputs, 'filter');
    const a = attrs as unknown as FusedConv2DAttrs;
    const bias = fused ? (inputs.bias as TensorInfo | undefined) : undefined;
    const act = fused ? ACTIVATIONS[a.activation ?? 'linear'] : 0;
    const usable =
      a.dataFormat !== 'NCHW' && x.shape.length === 4 && isFloat(x, filter) && act !== undefined && (!fused || !inputs.preluActivationWeights) &&
      x.shape[3] === filter.shape[2] && (!bias || (bias.dtype === 'float32' && size(bias.shape) === filter.shape[3]));
    if (!usable) return fallback(args);
    const info = backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const shape = convShape(info);
    return orFallback(
      refused,
      `${shape}|${bias ? 1 : 0}|${act}`,
      () =>
        allocate(backend, [info.batchSize, info.outHeight, info.outWidth, info.outChannels], (heap, y) =>
          native.conv2d(heap, offset(backend, x), offset(backend, filter), bias ? offset(backend, bias) : -1, offset(backend, y), ...shape, act ?? 0, a.leakyreluAlpha ?? 0.2),
        ),
      () => fallback(args),
    );
  };
}

export function makeNativeConv2D(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return forward(native, fallback, false);
}

export function makeNativeFusedConv2D(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  return forward(native, fallback, true);
}

export function makeNativeConv2DBackpropInput(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  const refused = new Set<string>();
  return (args) => {
    const backend = asWasm(args.backend);
    const dy = input(args.inputs, 'dy');
    const filter = input(args.inputs, 'filter');
    const a = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (a.dataFormat === 'NCHW' || dy.shape.length !== 4 || !isFloat(dy, filter) || a.inputShape[3] !== filter.shape[2] || size(a.inputShape) === 0) return fallback(args);
    const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const shape = convShape(info);
    return orFallback(
      refused,
      String(shape),
      () => allocate(backend, [...a.inputShape], (heap, dx) => native.conv2dBackpropInput(heap, offset(backend, dy), offset(backend, filter), offset(backend, dx), ...shape)),
      () => fallback(args),
    );
  };
}

export function makeNativeConv2DBackpropFilter(native: NativeAddon, fallback: KernelFunc): KernelFunc {
  const refused = new Set<string>();
  return (args) => {
    const backend = asWasm(args.backend);
    const x = input(args.inputs, 'x');
    const dy = input(args.inputs, 'dy');
    const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat === 'NCHW' || x.shape.length !== 4 || !isFloat(x, dy) || x.shape[3] !== a.filterShape[2]) return fallback(args);
    const info = backend_util.computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const shape = convShape(info);
    return orFallback(
      refused,
      String(shape),
      () => allocate(backend, [...a.filterShape], (heap, dw) => native.conv2dBackpropFilter(heap, offset(backend, x), offset(backend, dy), offset(backend, dw), ...shape)),
      () => fallback(args),
    );
  };
}

