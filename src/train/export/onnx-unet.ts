// A seglens U-Net as an ONNX graph (opset 17), written from the saved weights and the model's
// configuration alone: no tfjs at export time, and the graph is the one buildUNet describes, layer
// by layer. Layout NCHW, as ONNX's Conv expects and bioimage.io's axes (batch, channel, y, x) say:
//   input [batch, C, height, width] (normalised to 0..1, see the package's preprocessing)
//   per block, twice: Conv 3x3 pad 1 (no bias with batch norm) -> BatchNormalization (eps 1e-3,
//     the moving statistics) -> Relu
//   MaxPool 2x2 stride 2; ConvTranspose 2x2 stride 2 with bias; Concat [up, skip] on channels
//   Conv 1x1 with bias ('logits') -> Softmax over channels (or Sigmoid) -> output [batch, K, height, width]
// Dropout is the identity at inference and is left out. Height and width must be multiples of
// 2^depth, as for the model itself. Weights are transposed from tfjs' HWIO to ONNX's OIHW
// (ConvTranspose: HW-out-in to in-out-HW).
import type { UNetConfig } from '../model/config.ts';
import { LOGITS_LAYER } from '../model/unet.ts';
import type { SerializedWeights } from '../model/weights.ts';
import { encodeOnnxModel } from './onnx-proto.ts';
import type { OnnxModel, OnnxNode, OnnxTensor } from './onnx-proto.ts';
import { UNetWeights, unetSteps } from './unet-weights.ts';

export const ONNX_OPSET = 17;
/** ONNX IR version 8 is the one released with opset 17 (onnx 1.12); runtimes from 2022 on read it. */
export const ONNX_IR_VERSION = 8;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'output';
/** tfjs-layers' and our BatchNormRelu's epsilon (model/unet.ts). */
const BN_EPSILON = 1e-3;

/** [kh, kw, cin, cout] (tfjs conv) -> [cout, cin, kh, kw] (ONNX Conv). */
export function hwioToOihw(w: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = w[((y * kw + x) * cin + i) * cout + o];
  return out;
}

/** [kh, kw, cout, cin] (tfjs conv2dTranspose) -> [cin, cout, kh, kw] (ONNX ConvTranspose). */
export function transposedToOnnx(w: Float32Array, kh: number, kw: number, cout: number, cin: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let o = 0; o < cout; o++)
        for (let i = 0; i < cin; i++) out[((i * cout + o) * kh + y) * kw + x] = w[((y * kw + x) * cout + o) * cin + i];
  return out;
}

export interface OnnxExportInfo {
  producerVersion: string;
  /** Free key/value strings for ModelProto.metadata_props (class names, normalisation). */
  metadata?: Record<string, string>;
  doc?: string;
}

export function unetToOnnxModel(cfg: UNetConfig, saved: SerializedWeights, info: OnnxExportInfo): OnnxModel {
  const w = new UNetWeights(saved);
  const nodes: OnnxNode[] = [];
  const inits: OnnxTensor[] = [];
  const init = (name: string, dims: number[], data: Float32Array) => {
    inits.push({ name, dims, data });
    return name;
  };
  let x = ONNX_INPUT;
  const skips: string[] = [];
  for (const step of unetSteps(cfg)) {
    if (step.kind === 'block') {
      for (const u of step.units) {
        const base = `${u.prefix}_conv${u.index}`;
        const kernel = init(`${base}.weight`, [u.cout, u.cin, 3, 3], hwioToOihw(w.get(`${base}/kernel`, [3, 3, u.cin, u.cout]), 3, 3, u.cin, u.cout));
        const convIn = [x, kernel];
        if (!cfg.batchNorm) convIn.push(init(`${base}.bias`, [u.cout], w.get(`${base}/bias`, [u.cout])));
        nodes.push({ op: 'Conv', name: base, inputs: convIn, outputs: [`${base}_out`], attrs: [{ name: 'kernel_shape', ints: [3, 3] }, { name: 'pads', ints: [1, 1, 1, 1] }, { name: 'strides', ints: [1, 1] }] });
        x = `${base}_out`;
        if (cfg.batchNorm) {
          const bn = `${u.prefix}_bn${u.index}`;
          const c = [u.cout];
          nodes.push({
            op: 'BatchNormalization',
            name: bn,
            inputs: [x, init(`${bn}.gamma`, c, w.get(`${bn}/gamma`, c)), init(`${bn}.beta`, c, w.get(`${bn}/beta`, c)), init(`${bn}.moving_mean`, c, w.get(`${bn}/moving_mean`, c)), init(`${bn}.moving_variance`, c, w.get(`${bn}/moving_variance`, c))],
            outputs: [`${bn}_out`],
            attrs: [{ name: 'epsilon', float: BN_EPSILON }],
          });
          x = `${bn}_out`;
        }
        const relu = `${u.prefix}_relu${u.index}`;
        nodes.push({ op: 'Relu', name: relu, inputs: [x], outputs: [`${relu}_out`] });
        x = `${relu}_out`;
      }
      if (step.skipOf !== undefined) skips[step.skipOf] = x;
    } else if (step.kind === 'pool') {
      const name = `pool${step.level}`;
      nodes.push({ op: 'MaxPool', name, inputs: [x], outputs: [`${name}_out`], attrs: [{ name: 'kernel_shape', ints: [2, 2] }, { name: 'strides', ints: [2, 2] }] });
      x = `${name}_out`;
    } else {
      const name = `up${step.level}`;
      const kernel = init(`${name}.weight`, [step.cin, step.cout, 2, 2], transposedToOnnx(w.get(`${name}/kernel`, [2, 2, step.cout, step.cin]), 2, 2, step.cout, step.cin));
      const bias = init(`${name}.bias`, [step.cout], w.get(`${name}/bias`, [step.cout]));
      nodes.push({ op: 'ConvTranspose', name, inputs: [x, kernel, bias], outputs: [`${name}_out`], attrs: [{ name: 'kernel_shape', ints: [2, 2] }, { name: 'strides', ints: [2, 2] }] });
      const cat = `concat${step.level}`;
      nodes.push({ op: 'Concat', name: cat, inputs: [`${name}_out`, skips[step.level]], outputs: [`${cat}_out`], attrs: [{ name: 'axis', int: 1 }] });
      x = `${cat}_out`;
    }
  }
  const f0 = cfg.baseFilters;
  const K = cfg.numClasses;
  nodes.push({
    op: 'Conv',
    name: LOGITS_LAYER,
    inputs: [x, init(`${LOGITS_LAYER}.weight`, [K, f0, 1, 1], hwioToOihw(w.get(`${LOGITS_LAYER}/kernel`, [1, 1, f0, K]), 1, 1, f0, K)), init(`${LOGITS_LAYER}.bias`, [K], w.get(`${LOGITS_LAYER}/bias`, [K]))],
    outputs: [LOGITS_LAYER],
    attrs: [{ name: 'kernel_shape', ints: [1, 1] }],
  });
  nodes.push(cfg.head === 'softmax' ? { op: 'Softmax', name: 'probs', inputs: [LOGITS_LAYER], outputs: [ONNX_OUTPUT], attrs: [{ name: 'axis', int: 1 }] } : { op: 'Sigmoid', name: 'probs', inputs: [LOGITS_LAYER], outputs: [ONNX_OUTPUT] });
  if (inits.length !== w.size) {
    // Every saved tensor must be in the graph: a weight left over means a layer this exporter does not know.
    const used = new Set(inits.map((t) => t.name.replace(/\.(weight)$/, '/kernel').replace(/\./, '/')));
    throw new RangeError(`The ONNX export used ${inits.length} of the ${w.size} saved weight tensors (${[...used].slice(0, 3).join(', ')}...): the model has layers the exporter does not know.`);
  }
  const multiple = 2 ** cfg.depth;
  return {
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producer: { name: 'seglens', version: info.producerVersion },
    ...(info.doc ? { doc: info.doc } : {}),
    ...(info.metadata ? { metadata: info.metadata } : {}),
    graph: {
      name: `unet_d${cfg.depth}_b${cfg.baseFilters}`,
      nodes,
      initializers: inits,
      inputs: [{ name: ONNX_INPUT, dims: ['batch', cfg.inputChannels, 'height', 'width'], doc: `normalised image, values 0..1; height and width multiples of ${multiple}` }],
      outputs: [{ name: ONNX_OUTPUT, dims: ['batch', K, 'height', 'width'], doc: cfg.head === 'softmax' ? 'class probabilities (softmax over the channel axis)' : 'per-class probabilities (sigmoid)' }],
    },
  };
}

/** The .onnx bytes of a saved U-Net. */
export function unetToOnnx(cfg: UNetConfig, saved: SerializedWeights, info: OnnxExportInfo): Uint8Array {
  return encodeOnnxModel(unetToOnnxModel(cfg, saved, info));
}
