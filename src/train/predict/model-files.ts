// A saved model is a folder of two files:
//   model.json   the ModelMeta (architecture, input normalisation, class table), pretty JSON
//   weights.bin  packWeights(serializeWeights(model)) (model/weights.ts)
// Both are written atomically; weights first, so a model.json is never beside weights of another
// save that never finished. A training run `runs/<id>/` holds its models in checkpoint folders
// `best/` and `last/`; loading a run folder loads `best/` (the weights early stopping kept), or
// `best.old/` when a crash between the two renames of a checkpoint swap left only that.
//
// This module finds, checks and reads model folders without TensorFlow.js (model-io.ts builds the
// model), so that the engine lists runs and reads predictions without loading it (issue 14).
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileError } from '../../seg/errors.ts';
import type { WriteGate } from '../../seg/write-gate.ts';
import { parseModelMeta } from '../model/config.ts';
import type { ModelMeta } from '../model/config.ts';
import { packWeights, unpackWeights } from '../model/weight-bytes.ts';
import type { SerializedWeights } from '../model/weight-bytes.ts';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
/** The checkpoint of a run folder that `loadModel(run)` reads. */
export const BEST_CHECKPOINT = 'best';

/** Writes `dir/model.json` and `dir/weights.bin` from weights already read out of a model (wherever it runs: see compute/; saveModel in model-io.ts reads them out of a model here). */
export async function saveModelWeights(gate: WriteGate, dir: string, weights: SerializedWeights, meta: ModelMeta): Promise<void> {
  const checked = parseModelMeta(meta, `metadata of the model saved to ${dir}`);
  await gate.writeFile(join(dir, WEIGHTS_FILE), packWeights(weights));
  await gate.writeJson(join(dir, MODEL_FILE), checked);
}

async function kind(path: string): Promise<'file' | 'dir' | 'none'> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}

/** The model folder a user's path designates: a model folder, a run folder, or a model.json. */
export async function resolveModelDir(path: string): Promise<{ dir: string; from: 'run' | 'model' }> {
  const k = await kind(path);
  if (k === 'none') {
    throw new FileError(path, `No model at ${path}: the path does not exist. Give a run folder (runs/<id>/) or a model folder holding ${MODEL_FILE} and ${WEIGHTS_FILE}.`);
  }
  if (k === 'file') {
    if (basename(path) === MODEL_FILE) return { dir: dirname(path), from: 'model' };
    throw new FileError(path, `${path} is a file, not a model: give a run folder (runs/<id>/) or a model folder holding ${MODEL_FILE} and ${WEIGHTS_FILE}.`);
  }
  if ((await kind(join(path, MODEL_FILE))) === 'file') return { dir: path, from: 'model' };
  const best = join(path, BEST_CHECKPOINT);
  if ((await kind(join(best, MODEL_FILE))) === 'file') return { dir: best, from: 'run' };
  // A kill between the swap's two renames (trainer/checkpoint.ts) leaves the complete previous
  // checkpoint as best.old/ only: it is the best model there is.
  const old = join(path, `${BEST_CHECKPOINT}.old`);
  if ((await kind(join(old, MODEL_FILE))) === 'file' && (await kind(join(old, WEIGHTS_FILE))) === 'file') return { dir: old, from: 'run' };
  const hasLast = (await kind(join(path, 'last', MODEL_FILE))) === 'file';
  throw new FileError(
    path,
    `No model in ${path}: it holds neither ${MODEL_FILE} (a model folder) nor ${BEST_CHECKPOINT}/${MODEL_FILE} (a training run). ` +
      (hasLast
        ? `The run has a "last" checkpoint but no "best" one yet; give ${join(path, 'last')} to predict with it.`
        : 'Train first (seglens train), or give the path of a run folder runs/<id>/.'),
  );
}

export interface ModelInfo {
  meta: ModelMeta;
  /** The model folder actually read (`<run>/best` for a run folder). */
  dir: string;
  /** Whether the path given was a run folder or a model folder. */
  from: 'run' | 'model';
  /** For a run folder: the tiling its per-epoch validation used (config.json), if recorded. */
  validationTiling?: Tiling;
}

/** Tile options of predictImage as a run records them. */
export interface Tiling {
  tile: number;
  overlap: number;
  batch?: number;
}

/** The run's config.json, written by the trainer (trainer/run-folder.ts). */
export const RUN_CONFIG_FILE = 'config.json';

/**
 * The `validation` tiling of a run's config.json, or undefined when absent or unreadable. Read
 * loosely (only these fields), so that `seglens predict RUN` repeats the run's validation exactly
 * and reports the figure training showed (issue 3, section 4).
 */
export async function readRunTiling(runDir: string): Promise<Tiling | undefined> {
  let cfg: unknown;
  try {
    cfg = JSON.parse(await readFile(join(runDir, RUN_CONFIG_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const v = (cfg as { validation?: Record<string, unknown> } | null)?.validation;
  const int = (x: unknown) => (typeof x === 'number' && Number.isInteger(x) && x >= 0 ? x : undefined);
  const tile = int(v?.tile);
  const overlap = int(v?.overlap);
  if (!tile || overlap === undefined) return undefined;
  const batch = int(v?.batch);
  return { tile, overlap, ...(batch ? { batch } : {}) };
}

/**
 * Finds and checks a saved model without creating any tensor: the metadata is validated field by
 * field and the weights file must be there. For commands that check everything before starting a
 * backend.
 */
export async function inspectModel(dirOrRun: string): Promise<ModelInfo> {
  const { dir, from } = await resolveModelDir(dirOrRun);
  const metaFile = join(dir, MODEL_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(metaFile, 'utf8'));
  } catch (e) {
    throw new FileError(metaFile, `${metaFile} cannot be read as JSON (${(e as Error).message}). The model folder is damaged: use another checkpoint or retrain.`);
  }
  const meta = parseModelMeta(json, metaFile);
  const weightsFile = join(dir, WEIGHTS_FILE);
  if ((await kind(weightsFile)) !== 'file') {
    throw new FileError(weightsFile, `The model folder ${dir} has ${MODEL_FILE} but no ${WEIGHTS_FILE}: the weights were not saved or were removed. Use another checkpoint or retrain.`);
  }
  const validationTiling = from === 'run' ? await readRunTiling(dirname(dir)) : undefined;
  return { meta, dir, from, ...(validationTiling ? { validationTiling } : {}) };
}

/** A saved model's metadata and weights as bytes, without building it (a remote compute builds it). */
export async function readModelWeights(dirOrRun: string): Promise<{ info: ModelInfo; weights: SerializedWeights }> {
  const info = await inspectModel(dirOrRun);
  const weightsFile = join(info.dir, WEIGHTS_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(weightsFile);
  } catch (e) {
    throw new FileError(weightsFile, `Cannot read ${weightsFile}: ${(e as Error).message}.`);
  }
  return { info, weights: unpackWeights(bytes, weightsFile) };
}
