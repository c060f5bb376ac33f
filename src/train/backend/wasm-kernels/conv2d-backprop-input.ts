// Conv2DBackpropInput for the wasm backend (also what conv2dTranspose runs, i.e. the U-Net up
// path). The stock kernel is a plain C++ loop about 10x slower than the forward convolution; this
// one expresses the transposed convolution as ONE forward stride-1 Conv2D, which runs on XNNPACK:
// - stride 1: dy convolved with the 180-degree-rotated filter whose in/out channels are swapped;
// - stride s: the phase decomposition of transposed-plan.ts, a stride-1 convolution with s*s
//   times the channels followed by a depth-to-space, instead of inserting zeros into dy.
// Cases it does not cover (NCHW, unequal strides) go to the stock kernel.
import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { cropNHWC } from './crop.ts';
import { axisOutput, planAxis } from './transposed-plan.ts';
import type { AxisPlan } from './transposed-plan.ts';
import { asWasm, disposeAll, heapView, input, runWasmKernel, viewAs } from './wasm-internals.ts';
import type { WasmBackendInternals } from './wasm-internals.ts';

/**
 * Filter of the combined convolution, [tapsH, tapsW, outChannels, s*s*inChannels] with channel
 * block (rh*s + rw) holding phase (rh, rw), the depth-to-space order. Filled in JS: it is small
 * (filter-sized), the activations never pass through JS.
 */
function combinedFilter(
  backend: WasmBackendInternals,
  filter: TensorInfo,
  ph: AxisPlan,
  pw: AxisPlan,
): TensorInfo {
  const [, fw, ci, co] = filter.shape;
  const s2ci = ph.stride * pw.stride * ci;
  const out = backend.makeOutput([ph.taps, pw.taps, co, s2ci], 'float32');
  const k = heapView(backend, out);
  const w = heapView(backend, filter);
  k.fill(0);
  for (let th = 0; th < ph.taps; th++) {
    for (let tw = 0; tw < pw.taps; tw++) {
      for (let rh = 0; rh < ph.stride; rh++) {
        const kh = ph.source[rh * ph.taps + th];
        if (kh < 0) continue;
        for (let rw = 0; rw < pw.stride; rw++) {
          const kw = pw.source[rw * pw.taps + tw];
          if (kw < 0) continue;
          const block = (rh * pw.stride + rw) * ci;
          const kBase = (th * pw.taps + tw) * co * s2ci + block;
          const wBase = (kh * fw + kw) * ci * co;
          for (let c = 0; c < ci; c++) {
            const wRow = wBase + c * co;
            let kIdx = kBase + c;
            for (let o = 0; o < co; o++, kIdx += s2ci) k[kIdx] = w[wRow + o];
          }
        }
      }
    }
  }
  return out;
}

/** dx for NHWC, equal strides; see the file comment. */
export function conv2dBackpropInputPhased(backend: WasmBackendInternals, dy: TensorInfo, filter: TensorInfo, attrs: Conv2DBackpropInputAttrs): TensorInfo {
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const s = info.strideHeight;
  const ph = planAxis(info.filterHeight, s, info.padInfo.top);
  const pw = planAxis(info.filterWidth, s, info.padInfo.left);
  const oh = axisOutput(ph, dy.shape[1], info.inHeight);
  const ow = axisOutput(pw, dy.shape[2], info.inWidth);

  const convAttrs = {
    strides: [1, 1],
    pad: [
      [0, 0],
      [ph.padBefore, oh.padAfter],
      [pw.padBefore, ow.padAfter],
      [0, 0],
    ],
    dataFormat: 'NHWC',
    dilations: [1, 1],
  } as unknown as NamedAttrMap;
  const k = combinedFilter(backend, filter, ph, pw);
  let conv: TensorInfo;
  try {
    conv = runWasmKernel('Conv2D', backend, { x: dy, filter: k }, convAttrs);
  } finally {
    disposeAll(backend, [k]);
  }
  let spread = conv;
  if (s > 1) {
    try {
      // Depth-to-space as a 4-D transpose: the stock DepthToSpace kernel is a slow generic loop
      // (measured 72 ms on a 4x64x64x64 tensor, against under 1 ms for this transpose).
      const [n, rows, cols] = conv.shape;
      const ci = info.inChannels;
      spread = runWasmKernel('Transpose', backend, { x: viewAs(conv, [n * rows, cols, s, s * ci]) }, { perm: [0, 2, 1, 3] });
      spread.shape = [n, rows * s, cols * s, ci];
    } finally {
      disposeAll(backend, [conv]);
    }
  }
  if (spread.shape[1] === info.inHeight && spread.shape[2] === info.inWidth) return spread;
  try {
    return cropNHWC(backend, spread, info.inHeight, info.inWidth);
  } finally {
    disposeAll(backend, [spread]);
  }
}

/** Whether the phased kernel handles these attributes (else the stock kernel runs). */
export function phasedSupports(attrs: Conv2DBackpropInputAttrs): boolean {
  const [sh, sw] = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  return attrs.dataFormat !== 'NCHW' && sh === sw;
}

/** Builds the kernel function, falling back to `stock` for unsupported attributes. */
export function makeConv2dBackpropInput(stock: KernelFunc | null): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    if (!phasedSupports(a)) {
      if (!stock) throw new Error(`Conv2DBackpropInput on wasm: unsupported attributes ${JSON.stringify(a)}`);
      return stock({ inputs, backend, attrs });
    }
    return conv2dBackpropInputPhased(asWasm(backend), input(inputs, 'dy'), input(inputs, 'filter'), a);
  };
}
