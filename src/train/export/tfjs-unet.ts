// A seglens U-Net as a TensorFlow.js layers model that any tfjs program loads with
// tf.loadLayersModel, built from standard layers only: the app's fused BatchNormRelu layer (a
// custom class other programs do not know) becomes BatchNormalization + ReLU with the same
// weights. The model takes and returns NCHW tensors like the ONNX export, so that one set of
// bioimage.io axes (batch, channel, y, x) describes both: a Permute to NHWC at the input and back
// at the output. Files: model.json (topology + weightsManifest) and weights.bin.
import { tf, tfl } from '../tf.ts';
import type { UNetConfig } from '../model/config.ts';
import { LOGITS_LAYER, PROBS_LAYER } from '../model/unet.ts';
import type { SerializedWeights } from '../model/weights.ts';
import { UNetWeights, unetSteps } from './unet-weights.ts';

export const TFJS_MODEL_FILE = 'model.json';
export const TFJS_WEIGHTS_FILE = 'weights.bin';

/** The standard-layer model, with the saved weights in it. Dispose it after use. */
export function portableUNet(cfg: UNetConfig, saved: SerializedWeights): tfl.LayersModel {
  const w = new UNetWeights(saved);
  const values: tf.Tensor[] = [];
  const input = tfl.input({ shape: [cfg.inputChannels, null, null], name: 'input' });
  let x = tfl.layers.permute({ dims: [2, 3, 1], name: 'to_nhwc' }).apply(input) as tfl.SymbolicTensor;
  const layers: Array<{ layer: tfl.layers.Layer; weights: Float32Array[]; shapes: number[][] }> = [];
  const add = <T extends tfl.layers.Layer>(layer: T, weights: Array<[string, number[]]> = []): T => {
    layers.push({ layer, weights: weights.map(([n, s]) => w.get(n, s)), shapes: weights.map(([, s]) => s) });
    return layer;
  };
  const skips: tfl.SymbolicTensor[] = [];
  for (const step of unetSteps(cfg)) {
    if (step.kind === 'block') {
      for (const u of step.units) {
        const base = `${u.prefix}_conv${u.index}`;
        const conv = add(tfl.layers.conv2d({ name: base, filters: u.cout, kernelSize: 3, padding: 'same', useBias: !cfg.batchNorm }), [
          [`${base}/kernel`, [3, 3, u.cin, u.cout]],
          ...(cfg.batchNorm ? [] : ([[`${base}/bias`, [u.cout]]] as Array<[string, number[]]>)),
        ]);
        x = conv.apply(x) as tfl.SymbolicTensor;
        if (cfg.batchNorm) {
          const bn = `${u.prefix}_bn${u.index}`;
          const c = [u.cout];
          const norm = add(tfl.layers.batchNormalization({ name: bn, epsilon: 1e-3, momentum: cfg.bnMomentum }), [
            [`${bn}/gamma`, c],
            [`${bn}/beta`, c],
            [`${bn}/moving_mean`, c],
            [`${bn}/moving_variance`, c],
          ]);
          x = norm.apply(x) as tfl.SymbolicTensor;
        }
        x = tfl.layers.reLU({ name: `${u.prefix}_relu${u.index}` }).apply(x) as tfl.SymbolicTensor;
      }
      if (step.skipOf !== undefined) skips[step.skipOf] = x;
    } else if (step.kind === 'pool') {
      x = tfl.layers.maxPooling2d({ name: `pool${step.level}`, poolSize: 2, strides: 2 }).apply(x) as tfl.SymbolicTensor;
    } else {
      const name = `up${step.level}`;
      const up = add(tfl.layers.conv2dTranspose({ name, filters: step.cout, kernelSize: 2, strides: 2, padding: 'same' }), [
        [`${name}/kernel`, [2, 2, step.cout, step.cin]],
        [`${name}/bias`, [step.cout]],
      ]);
      const u = up.apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.concatenate({ name: `concat${step.level}`, axis: -1 }).apply([u, skips[step.level]]) as tfl.SymbolicTensor;
    }
  }
  const K = cfg.numClasses;
  const logits = add(tfl.layers.conv2d({ name: LOGITS_LAYER, filters: K, kernelSize: 1, padding: 'same', useBias: true }), [
    [`${LOGITS_LAYER}/kernel`, [1, 1, cfg.baseFilters, K]],
    [`${LOGITS_LAYER}/bias`, [K]],
  ]);
  x = logits.apply(x) as tfl.SymbolicTensor;
  x = (cfg.head === 'softmax' ? tfl.layers.softmax({ name: PROBS_LAYER, axis: -1 }) : tfl.layers.activation({ name: PROBS_LAYER, activation: 'sigmoid' })).apply(x) as tfl.SymbolicTensor;
  const output = tfl.layers.permute({ dims: [3, 1, 2], name: 'output' }).apply(x) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output, name: `unet_d${cfg.depth}_b${cfg.baseFilters}_nchw` });
  try {
    for (const l of layers) {
      const ts = l.weights.map((d, i) => tf.tensor(d, l.shapes[i], 'float32'));
      values.push(...ts);
      l.layer.setWeights(ts);
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    values.forEach((t) => t.dispose());
  }
  return model;
}

export interface TfjsFiles {
  /** model.json text (tfjs' layers-model format). */
  modelJson: string;
  weights: Uint8Array;
}

/** model.json and weights.bin of the standard-layer model, as tf.loadLayersModel reads them. */
export async function unetToTfjs(cfg: UNetConfig, saved: SerializedWeights, generatedBy: string): Promise<TfjsFiles> {
  const model = portableUNet(cfg, saved);
  try {
    let files: TfjsFiles | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        const topology = a.modelTopology;
        if (!topology || !a.weightSpecs || !a.weightData) throw new Error('tfjs gave no topology or weights to save');
        const data = a.weightData instanceof ArrayBuffer ? new Uint8Array(a.weightData) : new Uint8Array(tf.io.concatenateArrayBuffers(a.weightData));
        const json = {
          format: 'layers-model',
          generatedBy,
          convertedBy: null,
          modelTopology: topology,
          weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: a.weightSpecs }],
        };
        files = { modelJson: JSON.stringify(json), weights: data };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!files) throw new Error('tfjs did not call the save handler');
    return files;
  } finally {
    model.dispose();
  }
}

/** The TensorFlow.js version the model was saved with (bioimage.io's tensorflow_version). */
export function tfjsVersion(): string {
  return tf.version_core;
}
