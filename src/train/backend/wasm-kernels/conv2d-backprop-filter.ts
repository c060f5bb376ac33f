// Conv2DBackpropFilter for the wasm backend, which has none in tfjs 4.22 (training a convolution
// on wasm otherwise fails with "Kernel 'Conv2DBackpropFilter' not registered").
//
// dW[kh, kw, :, :] = sum over batch and output pixels p of x(p shifted by the tap)^T dy(p): for
// each tap one matrix product X_tap [inC, R] @ DY [R, outC], run by the wasm BatchMatMul kernel,
// which for untransposed single-batch operands is an XNNPACK fully-connected operator. That
// operator packs its right operand once per tensor id and caches it, so DY, the same for all
// taps, is packed once per call (packing costs about a third of a product).
//
// No im2col: x is zero-padded into a grid of hq x wq cells per image, split into s*s phase grids
// for stride s, and stored channel-major [phase, channel, cells]. dy is zero-padded to the same
// grid. On that grid a tap (kh, kw) is a constant shift (kh/s * wq + kw/s cells), so X_tap is the
// buffer read from phaseStart + shift with row stride R: an alias (wasm-internals.ts makeAlias),
// not a copy. The last `shift` cells of a row run into the next row, but they meet grid cells of
// dy beyond the last output pixel, which are zero; an extra zero channel per phase keeps the last
// row's overrun inside the buffer and finite.
import { backend_util } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { asWasm, disposeAlias, disposeAll, heapIndex, input, makeAlias, runWasmKernel, viewAs } from './wasm-internals.ts';
import type { WasmBackendInternals } from './wasm-internals.ts';

export function conv2dBackpropFilterTaps(
  backend: WasmBackendInternals,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize: b, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, outHeight: dyH, outWidth: dyW } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Grid cells per image: hold all of x and every tap of every output pixel.
  const hq = Math.max(Math.ceil((top + h) / sh), dyH + Math.floor((fh - 1) / sh));
  const wq = Math.max(Math.ceil((left + w) / sw), dyW + Math.floor((fw - 1) / sw));
  const rows = b * hq * wq;
  const ci1 = ci + 1; // the zero channel
  const phaseSize = ci1 * rows;

  const owned: TensorInfo[] = [];
  try {
    // x -> [ph, pw, channel, image, hq, wq] with a zero channel.
    const padded = runWasmKernel('PadV2', backend, { x }, {
      paddings: [
        [0, 0],
        [top, hq * sh - top - h],
        [left, wq * sw - left - w],
        [0, 1],
      ],
      constantValue: 0,
    } as never);
    owned.push(padded);
    let grid = runWasmKernel('Transpose', backend, { x: padded }, { perm: [3, 0, 1, 2] });
    owned.push(grid);
    if (sh * sw > 1) {
      // [c, image, hq, ph, wq, pw] -> [ph, pw, c, image, hq, wq], as one fast 4-D transpose.
      grid = runWasmKernel('Transpose', backend, { x: viewAs(grid, [ci1 * b * hq, sh, wq, sw]) }, { perm: [1, 3, 0, 2] });
      owned.push(grid);
    }
    let dyGrid = dy;
    if (hq !== dyH || wq !== dyW) {
      dyGrid = runWasmKernel('PadV2', backend, { x: dy }, {
        paddings: [
          [0, 0],
          [0, hq - dyH],
          [0, wq - dyW],
          [0, 0],
        ],
        constantValue: 0,
      } as never);
      owned.push(dyGrid);
    }
    const dyMat = viewAs(dyGrid, [rows, co]);

    const dw = backend.makeOutput([fh, fw, ci, co], 'float32');
    try {
      for (let kh = 0; kh < fh; kh++) {
        for (let kw = 0; kw < fw; kw++) {
          const phase = (kh % sh) * sw + (kw % sw);
          const shift = Math.floor(kh / sh) * wq + Math.floor(kw / sw);
          const xTap = makeAlias(backend, grid, phase * phaseSize + shift, [ci, rows]);
          let prod: TensorInfo;
          try {
            prod = runWasmKernel('BatchMatMul', backend, { a: xTap, b: dyMat }, { transposeA: false, transposeB: false });
          } finally {
            disposeAlias(backend, xTap);
          }
          const heap = backend.wasm.HEAPF32;
          const src = heapIndex(backend, prod);
          heap.copyWithin(heapIndex(backend, dw) + (kh * fw + kw) * ci * co, src, src + ci * co);
          backend.disposeData(prod.dataId);
        }
      }
    } catch (e) {
      backend.disposeData(dw.dataId);
      throw e;
    }
    return dw;
  } finally {
    disposeAll(backend, owned);
  }
}

export const conv2dBackpropFilterKernel: KernelFunc = ({ inputs, backend, attrs }) =>
  conv2dBackpropFilterTaps(asWasm(backend), input(inputs, 'x'), input(inputs, 'dy'), attrs as unknown as Conv2DBackpropFilterAttrs);
