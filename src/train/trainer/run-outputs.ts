// What a run folder holds besides its training record: the predictions of the project's images by
// the best checkpoint (predictions/, with index.json saying which checkpoint, epoch and tiling made
// them) and the per-epoch preview of one validation image. File names come from RUN_FILES
// (run-folder.ts); nothing else in the code spells them.
//
// Every write goes through the caller's write gate (src/seg/write-gate.ts): the trainer's, the
// app's project gate, or a prediction job's gate on the run folder.
//
// The index is the source of truth of which stored predictions are current: `images` lists the
// file stems predicted by the checkpoint of `epoch`. A prediction folder written before the index
// listed its images (or without any index) counts every PNG in it.
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { writeLabelMask } from '../../seg/mask-write.ts';
import { stemOf } from '../../seg/project/files.ts';
import type { LabelMap } from '../../seg/types.ts';
import type { WriteGate } from '../../seg/write-gate.ts';
import { PROBS_FOLDER } from '../predict/defaults.ts';
import { RUN_FILES } from './run-folder.ts';

export const PredictionIndexSchema = z.object({
  checkpoint: z.string(),
  /** Epoch whose weights made the predictions (the best epoch when they were made). */
  epoch: z.number().int().min(0).nullable(),
  created: z.string().optional(),
  tile: z.number().int().positive().optional(),
  overlap: z.number().int().min(0).optional(),
  /** File stems predicted by that checkpoint; absent in folders written before it was recorded. */
  images: z.array(z.string()).optional(),
});
export type PredictionIndex = z.infer<typeof PredictionIndexSchema>;

export const PreviewInfoSchema = z.object({
  epoch: z.number().int().min(0),
  /** The image previewed (its name in the project). */
  name: z.string().min(1),
});
export type PreviewInfo = z.infer<typeof PreviewInfoSchema>;

export function predictionsDir(runDir: string): string {
  return join(runDir, RUN_FILES.predictions);
}

/** The stem under which an image's prediction is stored: its file name without extension. */
export function predictionStem(imageFile: string): string {
  return stemOf(basename(imageFile));
}

/** The stored prediction of `imageFile` (which may not exist yet). */
export function predictionFile(runDir: string, imageFile: string): string {
  return join(predictionsDir(runDir), `${predictionStem(imageFile)}.png`);
}

/**
 * Overlapping classes: the stored binary mask (0/255) of one foreground class,
 * `predictions/<class folder>/<stem>.png`; `classFolder` as predict/overlap-output.ts's
 * classMaskFolders names it.
 */
export function classMaskFile(runDir: string, classFolder: string, imageFile: string): string {
  return join(predictionsDir(runDir), classFolder, `${predictionStem(imageFile)}.png`);
}

/**
 * Overlapping classes: the stored probability of one class, `predictions/probs/<stem>_<class>.png`,
 * a 16-bit grey PNG (value = p x 65535, kept in p's 1/1000 threshold bin: predict-files.ts), so that
 * cutting it at the model's thresholds gives exactly the stored masks; `probName` as
 * predict-files.ts's probFileNames names it. Removed with the other predictions (clearPredictions).
 */
export function classProbFile(runDir: string, probName: string, imageFile: string): string {
  return join(predictionsDir(runDir), PROBS_FOLDER, `${predictionStem(imageFile)}_${probName}.png`);
}

async function readJsonLoose(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The prediction index, or null when absent or unreadable (then every PNG counts, see above). */
export async function readPredictionIndex(runDir: string): Promise<PredictionIndex | null> {
  const r = PredictionIndexSchema.safeParse(await readJsonLoose(join(predictionsDir(runDir), RUN_FILES.predictionsIndex)));
  return r.success ? r.data : null;
}

export async function writePredictionIndex(gate: WriteGate, runDir: string, index: PredictionIndex): Promise<void> {
  await gate.mkdir(predictionsDir(runDir));
  await gate.writeJson(join(predictionsDir(runDir), RUN_FILES.predictionsIndex), PredictionIndexSchema.parse(index));
}

/** Stems of the current stored predictions. */
export async function predictedStems(runDir: string): Promise<Set<string>> {
  const dir = predictionsDir(runDir);
  if (!existsSync(dir)) return new Set();
  const files = new Set((await readdir(dir)).filter((f) => f.endsWith('.png')).map((f) => f.slice(0, -4)));
  const index = await readPredictionIndex(runDir);
  if (!index?.images) return files;
  return new Set(index.images.filter((s) => files.has(s)));
}

/** Removes every stored prediction (they were made by another checkpoint than the best one now). */
export async function clearPredictions(gate: WriteGate, runDir: string): Promise<void> {
  const dir = predictionsDir(runDir);
  if (!existsSync(dir)) return;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('.png')) await gate.remove(join(dir, e.name));
    // Overlapping classes: the per-class masks, one folder per class (predict/overlap-output.ts),
    // and the per-class probabilities in probs/.
    else if (e.isDirectory()) for (const f of await readdir(join(dir, e.name))) if (f.endsWith('.png')) await gate.remove(join(dir, e.name, f));
  }
}

export async function writePreview(gate: WriteGate, runDir: string, labels: LabelMap, info: PreviewInfo): Promise<void> {
  await writeLabelMask(gate, join(runDir, RUN_FILES.preview), labels);
  await gate.writeJson(join(runDir, RUN_FILES.previewInfo), PreviewInfoSchema.parse(info));
}

/** The preview's file and what it shows, or null before the first epoch of an app run. */
export async function readPreview(runDir: string): Promise<{ file: string; info: PreviewInfo } | null> {
  const file = join(runDir, RUN_FILES.preview);
  const r = PreviewInfoSchema.safeParse(await readJsonLoose(join(runDir, RUN_FILES.previewInfo)));
  return r.success && existsSync(file) ? { file, info: r.data } : null;
}
