// Conv2DBackpropFilter for the GPU backends (webgpu, webgl). Their stock kernels run one GPU
// thread per filter weight, each looping over batch x height x width: for a 3x3 16 -> 16 layer on
// 4 x 128 x 128 that is 2 304 threads each summing 65 536 products, far too few threads for a GPU.
// Here the gradient is a sum of matrix products, one per filter tap, as the project's wasm kernel
// does on the CPU:
//   dW[kh, kw] = sum over batch and output pixels of x(pixel shifted by the tap)^T dy(pixel)
// computed per output row as a batched product (B * OH products of [OW, Cin]^T [OW, Cout]) and
// summed, so the work spreads over B * OH * Cin * Cout threads. Built only from the backend's own
// kernels (PadV2, StridedSlice, Reshape, BatchMatMul, Sum, Concat), called directly like the
// wasm project kernels do, so the same code serves both backends.
import { backend_util, getKernel } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

type Shape4 = [number, number, number, number];

function run(backendName: string, name: string, backend: KernelBackend, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const k = getKernel(name, backendName);
  if (!k) throw new Error(`${backendName} has no ${name} kernel`);
  const out = k.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`${name} returned several tensors`);
  return out;
}

export function makeTapConv2DBackpropFilter(backendName: string, stock: KernelFunc | null): KernelFunc {
  return (args) => {
    const backend = args.backend as KernelBackend;
    const x = args.inputs.x as TensorInfo;
    const dy = args.inputs.dy as TensorInfo;
    const a = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (a.dataFormat === 'NCHW' || x.shape.length !== 4 || x.dtype !== 'float32') {
      if (!stock) throw new Error(`Conv2DBackpropFilter on ${backendName}: unsupported arguments`);
      return stock(args);
    }
    const info = backend_util.computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const { batchSize: B, inHeight: H, inWidth: W, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = info;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    // Padded so that every tap's strided window lies inside.
    const bottom = Math.max(0, (oh - 1) * sh + (kh - 1) * dh + 1 - H - top);
    const right = Math.max(0, (ow - 1) * sw + (kw - 1) * dw + 1 - W - left);
    const temps: TensorInfo[] = [];
    const keep = (t: TensorInfo) => (temps.push(t), t);
    const call = (name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}) => keep(run(backendName, name, backend, inputs, attrs));
    try {
      const xp =
        top || bottom || left || right
          ? call('PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })
          : x;
      const dyRows = call('Reshape', { x: dy }, { shape: [B * oh, ow, co] });
      const parts: TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const tap = call('StridedSlice', { x: xp }, {
            begin: [0, i * dh, j * dw, 0],
            end: [B, i * dh + (oh - 1) * sh + 1, j * dw + (ow - 1) * sw + 1, ci],
            strides: [1, sh, sw, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          });
          const rows = call('Reshape', { x: tap }, { shape: [B * oh, ow, ci] });
          const prod = call('BatchMatMul', { a: rows, b: dyRows }, { transposeA: true, transposeB: false });
          const sum = call('Sum', { x: prod }, { axis: [0], keepDims: true });
          parts.push(sum);
        }
      }
      // Concat takes its inputs as an array (as tfjs's concat op passes them), not by name.
      const stacked = parts.length === 1 ? parts[0] : call('Concat', parts as unknown as NamedTensorInfoMap, { axis: 0 });
      const out = run(backendName, 'Reshape', backend, { x: stacked }, { shape: [kh, kw, ci, co] });
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}
