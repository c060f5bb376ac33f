// The U-Net (Ronneberger et al. 2015, with 'same' padding so output size = input size) as a
// tfjs-layers functional model. Layers carry fixed names so that saved weights are matched by name
// and a test can check the head: ... -> 'logits' (1x1 conv, linear) -> 'probs' (softmax/sigmoid),
// with nothing in between (CONTEXT.md story 1: ReLU + BatchNorm before the softmax ruined a model).
import { tf } from '../tf.ts';
import * as tfl from '@tensorflow/tfjs-layers';
import { BatchNormRelu } from './batch-norm-layer.ts';
import { parseUNetConfig } from './config.ts';
import type { UNetConfig, UNetConfigInput } from './config.ts';

/** Names of the two head layers; the trainer takes its logits from LOGITS_LAYER. */
export const LOGITS_LAYER = 'logits';
export const PROBS_LAYER = 'probs';

/** Filters of level 0..depth (the last one is the bottleneck). */
export function levelFilters(config: Pick<UNetConfig, 'depth' | 'baseFilters'>): number[] {
  return Array.from({ length: config.depth + 1 }, (_, l) => config.baseFilters * 2 ** l);
}

/**
 * Derives distinct initialiser seeds from the run seed: neighbouring run seeds must not produce
 * the same weights shifted by one layer, hence a hash rather than seed + k.
 */
function layerSeed(seed: number, k: number): number {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(k + 1, 0xc2b2ae35)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 1;
}

/**
 * Builds the U-Net. Spatial input dims are left open ([null, null, C]) so the same model trains on
 * patches and predicts tiles of another size; both must be multiples of 2^depth (checkInputSize).
 */
export function buildUNet(configInput: UNetConfigInput | UNetConfig): tfl.LayersModel {
  const cfg = parseUNetConfig(configInput);
  const filters = levelFilters(cfg);
  let seedIndex = 0;
  const init = () => tfl.initializers.heNormal({ seed: layerSeed(cfg.seed, seedIndex++) });

  const block = (x: tfl.SymbolicTensor, f: number, prefix: string): tfl.SymbolicTensor => {
    for (let i = 0; i < 2; i++) {
      x = tfl.layers
        .conv2d({ name: `${prefix}_conv${i}`, filters: f, kernelSize: 3, padding: 'same', useBias: !cfg.batchNorm, kernelInitializer: init() })
        .apply(x) as tfl.SymbolicTensor;
      x = cfg.batchNorm
        ? (new BatchNormRelu({ name: `${prefix}_bn${i}`, momentum: cfg.bnMomentum, epsilon: 1e-3, relu: true }).apply(x) as tfl.SymbolicTensor)
        : (tfl.layers.reLU({ name: `${prefix}_relu${i}` }).apply(x) as tfl.SymbolicTensor);
    }
    return x;
  };

  const input = tfl.input({ shape: [null, null, cfg.inputChannels], name: 'image' });
  const skips: tfl.SymbolicTensor[] = [];
  let x: tfl.SymbolicTensor = input;
  for (let l = 0; l < cfg.depth; l++) {
    x = block(x, filters[l], `enc${l}`);
    skips.push(x);
    x = tfl.layers.maxPooling2d({ name: `pool${l}`, poolSize: 2, strides: 2 }).apply(x) as tfl.SymbolicTensor;
  }
  x = block(x, filters[cfg.depth], 'bottleneck');
  if (cfg.dropout > 0) x = tfl.layers.dropout({ name: 'bottleneck_dropout', rate: cfg.dropout, seed: layerSeed(cfg.seed, 10_000) }).apply(x) as tfl.SymbolicTensor;
  for (let l = cfg.depth - 1; l >= 0; l--) {
    const up = tfl.layers
      .conv2dTranspose({ name: `up${l}`, filters: filters[l], kernelSize: 2, strides: 2, padding: 'same', kernelInitializer: init() })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.concatenate({ name: `concat${l}`, axis: -1 }).apply([up, skips[l]]) as tfl.SymbolicTensor;
    x = block(x, filters[l], `dec${l}`);
  }
  const logits = tfl.layers
    .conv2d({ name: LOGITS_LAYER, filters: cfg.numClasses, kernelSize: 1, padding: 'same', activation: 'linear', useBias: true, kernelInitializer: init() })
    .apply(x) as tfl.SymbolicTensor;
  const probs =
    cfg.head === 'softmax'
      ? (tfl.layers.softmax({ name: PROBS_LAYER, axis: -1 }).apply(logits) as tfl.SymbolicTensor)
      : (tfl.layers.activation({ name: PROBS_LAYER, activation: 'sigmoid' }).apply(logits) as tfl.SymbolicTensor);
  return tfl.model({ inputs: input, outputs: probs, name: `unet_d${cfg.depth}_b${cfg.baseFilters}` });
}

/**
 * A model sharing every weight with `model` whose output is the logits (before softmax/sigmoid).
 * Losses take logits because log-softmax of logits is numerically safe where log(softmax) is not.
 */
export function logitsModel(model: tfl.LayersModel): tfl.LayersModel {
  return tfl.model({ inputs: model.inputs, outputs: model.getLayer(LOGITS_LAYER).output as tfl.SymbolicTensor, name: `${model.name}_logits` });
}

/** The head's non-linearity applied to logits: what the 'probs' layer does. */
export function applyHead(logits: tf.Tensor4D, head: UNetConfig['head']): tf.Tensor4D {
  return head === 'softmax' ? tf.softmax(logits, -1) : tf.sigmoid(logits);
}

export interface ModelSummary {
  /** All weights, including BatchNorm moving mean/variance. */
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Filters per level, the last being the bottleneck. */
  filters: number[];
}

/** Parameter counts computed from the config alone (no tensors), equal to model.countParams(). */
export function modelSummary(configInput: UNetConfigInput | UNetConfig): ModelSummary {
  const cfg = parseUNetConfig(configInput);
  const f = levelFilters(cfg);
  let trainable = 0;
  let frozen = 0;
  const conv3 = (cin: number, cout: number) => {
    trainable += 9 * cin * cout + (cfg.batchNorm ? 2 * cout : cout); // BN: gamma, beta
    if (cfg.batchNorm) frozen += 2 * cout; // BN: moving mean, moving variance
  };
  let cin: number = cfg.inputChannels;
  for (let l = 0; l < cfg.depth; l++) {
    conv3(cin, f[l]);
    conv3(f[l], f[l]);
    cin = f[l];
  }
  conv3(cin, f[cfg.depth]);
  conv3(f[cfg.depth], f[cfg.depth]);
  for (let l = cfg.depth - 1; l >= 0; l--) {
    trainable += 4 * f[l + 1] * f[l] + f[l]; // 2x2 transposed conv with bias
    conv3(2 * f[l], f[l]);
    conv3(f[l], f[l]);
  }
  trainable += f[0] * cfg.numClasses + cfg.numClasses;
  return { params: trainable + frozen, trainableParams: trainable, nonTrainableParams: frozen, filters: f };
}
