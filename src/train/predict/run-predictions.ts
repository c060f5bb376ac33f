// Predictions of a run's best checkpoint, kept in the run folder (trainer/run-outputs.ts) so that
// every run can be reviewed: made at the end of an app run and on demand for any run (one trained
// with `seglens train` included). Tiles as the run's validation did (its config.json), so a figure
// recomputed from these predictions is the figure training recorded.
//
// Cache: an image already predicted by the current best checkpoint is not predicted again. When the
// best checkpoint has changed since (a resumed run improved), every stored prediction is stale and
// is removed before new ones are written. Every file is written through the caller's write gate
// (the run folder's: output-gate.ts's runGate, or the app's project gate at the end of a training).
import { existsSync } from 'node:fs';
import { FileError } from '../../seg/errors.ts';
import type { Problem } from '../../seg/problems.ts';
import type { WriteGate } from '../../seg/write-gate.ts';
import { RUN_FILES } from '../trainer/run-folder.ts';
import { readCheckpointState } from '../trainer/checkpoint.ts';
import { classProbFile, clearPredictions, predictedStems, predictionStem, predictionsDir, readPredictionIndex, writePredictionIndex } from '../trainer/run-outputs.ts';
import type { PredictionIndex } from '../trainer/run-outputs.ts';
import { inspectModel, loadModel } from './model-io.ts';
import { predictFiles, probFileNames } from './predict-files.ts';

export interface RunPredictItem {
  /** The image's name in the project (for progress and problems). */
  name: string;
  /** Absolute image file. */
  image: string;
}

export interface RunPredictOptions {
  page?: number;
  maxPixels?: number;
  onProgress?: (done: number, total: number, name: string) => void;
  signal?: AbortSignal;
}

export interface RunPredictResult {
  /** Epoch of the best checkpoint that made the predictions. */
  epoch: number | null;
  /** Images predicted now. */
  predicted: string[];
  /** Images whose stored prediction was already current. */
  cached: string[];
  /** Images that could not be predicted, each with its file and what to do. */
  problems: Problem[];
  /** Stored predictions removed because an older checkpoint made them. */
  cleared: boolean;
}

/**
 * Predicts `items` with the run's best checkpoint into its predictions folder. The backend must
 * already be selected (the caller owns it: the trainer's process, or a prediction job).
 */
export async function predictRun(gate: WriteGate, runDir: string, items: readonly RunPredictItem[], opts: RunPredictOptions = {}): Promise<RunPredictResult> {
  const state = await readCheckpointState(runDir, RUN_FILES.best);
  if (!state) {
    throw new FileError(`${runDir}/${RUN_FILES.best}`, `Run ${runDir} has no "best" checkpoint yet: it is written at the end of the first epoch. Train (or resume) the run for at least one epoch, then predict.`);
  }
  const epoch = state.best.epoch ?? state.epoch;
  const before = await readPredictionIndex(runDir);
  const stale = before !== null && before.epoch !== epoch;
  if (stale) await clearPredictions(gate, runDir);
  const done = stale ? new Set<string>() : await predictedStems(runDir);
  // Overlapping classes: every class's probability is kept beside its mask (the app's per-class
  // layers read them); an image stored without them (before they were kept) is predicted again.
  const { meta: info } = await inspectModel(runDir);
  const probNames = info.overlapping ? probFileNames(info) : [];
  const complete = (it: RunPredictItem) => done.has(predictionStem(it.image)) && probNames.every((n) => existsSync(classProbFile(runDir, n, it.image)));
  const cached = items.filter(complete).map((it) => it.name);
  const todo = items.filter((it) => !complete(it));
  const result: RunPredictResult = { epoch, predicted: [], cached, problems: [], cleared: stale };
  if (todo.length === 0) {
    opts.onProgress?.(items.length, items.length, '');
    return result;
  }
  const { model, meta, validationTiling } = await loadModel(runDir);
  const index: PredictionIndex = {
    checkpoint: RUN_FILES.best,
    epoch,
    created: new Date().toISOString(),
    ...(validationTiling ? { tile: validationTiling.tile, overlap: validationTiling.overlap } : {}),
    images: [...done],
  };
  const byFile = new Map(todo.map((it) => [it.image, it]));
  try {
    const r = await predictFiles(
      model,
      meta,
      todo.map((it) => it.image),
      {
        gate,
        outDir: predictionsDir(runDir),
        writeProbs: probNames.length > 0,
        page: opts.page,
        maxPixels: opts.maxPixels,
        ...(validationTiling ? { tile: validationTiling.tile, overlap: validationTiling.overlap, ...(validationTiling.batch ? { batch: validationTiling.batch } : {}) } : {}),
        signal: opts.signal,
        onProgress: (n, _total, file) => opts.onProgress?.(cached.length + n, items.length, byFile.get(file)?.name ?? file),
      },
    );
    for (const f of r.predicted) {
      index.images!.push(predictionStem(f.file));
      result.predicted.push(byFile.get(f.file)?.name ?? f.file);
    }
    result.problems = r.problems;
  } finally {
    model.dispose();
    // Written even after a failure: the predictions that were made are recorded as current.
    await writePredictionIndex(gate, runDir, { ...index, images: [...new Set(index.images)].sort() });
  }
  return result;
}

