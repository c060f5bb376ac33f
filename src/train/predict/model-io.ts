// Saving and loading a model as TensorFlow.js layers; the folder format, and reading it without
// building the model, are in model-files.ts (re-exported here).
import type { WriteGate } from '../../seg/write-gate.ts';
import type { tfl } from '../tf.ts';
import type { ModelMeta } from '../model/config.ts';
import { buildUNet } from '../model/unet.ts';
import { loadWeights, serializeWeights } from '../model/weights.ts';
import { readModelWeights, saveModelWeights } from './model-files.ts';
import type { ModelInfo } from './model-files.ts';

export * from './model-files.ts';

/** Writes `dir/model.json` and `dir/weights.bin` (the folder must exist). */
export async function saveModel(gate: WriteGate, dir: string, model: tfl.LayersModel, meta: ModelMeta): Promise<void> {
  await saveModelWeights(gate, dir, serializeWeights(model), meta);
}

export interface LoadedModel extends ModelInfo {
  model: tfl.LayersModel;
}

/**
 * Loads a model from a model folder or a run folder (its `best/` checkpoint), checking the
 * metadata and every weight's name and shape against the architecture it describes. The model's
 * variables live on the backend active at the call: select the backend first.
 */
export async function loadModel(dirOrRun: string): Promise<LoadedModel> {
  const { info, weights: saved } = await readModelWeights(dirOrRun);
  const model = buildUNet(info.meta.config);
  try {
    loadWeights(model, saved);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { ...info, model };
}
