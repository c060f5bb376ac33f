// Checkpoints `best/` and `last/` of a run folder. Each is a directory:
//   model.json     ModelMeta (architecture, normalisation, class table)  } a model folder as
//   weights.bin    the model weights                                     } predict/model-io.ts
//                                                                           writes and loads it
//   optimizer.bin  Adam's first and second moments, same format, in the optimizer's variable order
//   state.json     where training stands: epoch and step, Adam iterations, learning rate, RNG
//                  states, early-stopping and plateau counters, best figure (TrainState below)
// A checkpoint directory is replaced as a whole: the files are written (each fsynced) into
// `<name>.tmp/`, the old directory is renamed to `<name>.old/`, the new one renamed into place, and
// the old one removed. A crash leaves `<name>/` complete, or only `<name>.old/` (between the two
// renames), which readCheckpoint then uses; `<name>.tmp/` is never read.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { fsyncDir } from '../../seg/atomic.ts';
import { FileError } from '../../seg/errors.ts';
import { parseOrThrow } from '../../seg/validate.ts';
import type { WriteGate } from '../../seg/write-gate.ts';
import { RngStateSchema } from '../data/rng.ts';
import type { ModelMeta } from '../model/config.ts';
import { packWeights, unpackWeights } from '../model/weight-bytes.ts';
import type { SerializedWeights } from '../model/weight-bytes.ts';
import { MODEL_FILE, WEIGHTS_FILE, saveModelWeights } from '../predict/model-files.ts';

export const CHECKPOINT_FILES = {
  meta: MODEL_FILE,
  weights: WEIGHTS_FILE,
  optimizer: 'optimizer.bin',
  state: 'state.json',
} as const;

const nullableNumber = z.number().nullable();

export const TrainStateSchema = z.object({
  format: z.literal('seglens-train-state'),
  version: z.literal(1),
  /** Epochs fully completed (training and validation). */
  epoch: z.number().int().min(0),
  /** Steps done in epoch `epoch + 1` (0 at an epoch boundary; > 0 after a stop mid-epoch). */
  step: z.number().int().min(0),
  /** Loss sum and count of those steps, so the resumed epoch's mean loss is the uninterrupted one. */
  epochLossSum: z.number(),
  epochLossCount: z.number().int().min(0),
  /** Training seconds already spent in that partial epoch. */
  epochSeconds: z.number().min(0),
  /** Adam's step counter (also the first entry of optimizer.getWeights()). */
  iterations: z.number().int().min(0),
  /** Learning rate in force (the plateau schedule changes it). */
  lr: z.number().min(0),
  rng: z.object({ sampling: RngStateSchema, augmentation: RngStateSchema }),
  /** Losses of the first steps of the run; their mean is the initial loss (not-learning, divergence). */
  initialLosses: z.array(z.number()),
  best: z.object({ epoch: z.number().int().nullable(), value: nullableNumber }),
  /** Epochs since the monitored figure last improved by more than minDelta (early stopping). */
  epochsWithoutImprovement: z.number().int().min(0),
  /** Epochs since the last improvement or learning-rate cut (plateau schedule). */
  plateauEpochs: z.number().int().min(0),
  /** Warning kinds raised and still true, so a resumed run does not raise them again. */
  activeWarnings: z.array(z.string()),
  /** Wall seconds of all sessions so far (maxMinutes counts them). */
  elapsedSeconds: z.number().min(0),
});

export type TrainState = z.infer<typeof TrainStateSchema>;

export interface CheckpointContent {
  /** The model's weights, read from wherever it runs (Compute.snapshot). */
  weights: SerializedWeights;
  meta: ModelMeta;
  optimizer: SerializedWeights;
  state: TrainState;
}

/** What readCheckpoint returns; the model itself is loaded from `dir` with predict's loadModel. */
export interface SavedCheckpoint {
  /** The directory actually read (`<name>` or, after a crash mid-swap, `<name>.old`). */
  dir: string;
  optimizer: SerializedWeights;
  state: TrainState;
}

/** Writes `parent/name/` as a whole (see the file comment), every step through the run's gate. */
export async function writeCheckpoint(gate: WriteGate, parent: string, name: string, ck: CheckpointContent): Promise<string> {
  const target = join(parent, name);
  const tmp = join(parent, `${name}.tmp`);
  const old = join(parent, `${name}.old`);
  await gate.remove(tmp);
  await gate.mkdirNew(tmp);
  await saveModelWeights(gate, tmp, ck.weights, ck.meta);
  await gate.writeFile(join(tmp, CHECKPOINT_FILES.optimizer), packWeights(ck.optimizer));
  await gate.writeJson(join(tmp, CHECKPOINT_FILES.state), parseOrThrow(TrainStateSchema, ck.state, 'training state'));
  if (existsSync(target)) {
    // A leftover .old from an earlier crash is stale once `target` exists again.
    await gate.remove(old);
    await gate.rename(target, old);
  }
  await gate.rename(tmp, target);
  await fsyncDir(parent);
  await gate.remove(old);
  return target;
}

/** The directory holding a complete checkpoint `name`, or null when there is none. */
export function checkpointDir(parent: string, name: string): string | null {
  const target = join(parent, name);
  if (existsSync(join(target, CHECKPOINT_FILES.state))) return target;
  const old = join(parent, `${name}.old`);
  if (existsSync(join(old, CHECKPOINT_FILES.state))) return old;
  return null;
}

async function readBytes(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw new FileError(file, `Cannot read ${file}: ${(e as Error).message}. The checkpoint is incomplete.`);
  }
}

async function readJson(file: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readBytes(file));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FileError(file, `${file} is not JSON (${(e as Error).message}); the checkpoint is damaged.`);
  }
}

/** The training state of checkpoint `name`; its model is read with loadModel(result.dir). */
export async function readCheckpoint(parent: string, name: string): Promise<SavedCheckpoint> {
  const dir = checkpointDir(parent, name);
  if (!dir) throw new FileError(join(parent, name), `The run has no "${name}" checkpoint in ${parent} (it is written at the end of the first epoch, or when training is stopped).`);
  const f = (n: string) => join(dir, n);
  return {
    dir,
    optimizer: unpackWeights(await readBytes(f(CHECKPOINT_FILES.optimizer)), f(CHECKPOINT_FILES.optimizer)),
    state: parseOrThrow(TrainStateSchema, await readJson(f(CHECKPOINT_FILES.state)), f(CHECKPOINT_FILES.state)),
  };
}

/**
 * The training state of checkpoint `name` alone (no optimizer bytes), or null when there is no
 * complete checkpoint: what a reader needs to know which epoch's weights it holds.
 */
export async function readCheckpointState(parent: string, name: string): Promise<TrainState | null> {
  const dir = checkpointDir(parent, name);
  if (!dir) return null;
  const file = join(dir, CHECKPOINT_FILES.state);
  return parseOrThrow(TrainStateSchema, await readJson(file), file);
}
