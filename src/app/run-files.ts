// Where the app finds a run's files. The trainer writes runs/<id>/ (config.json, run.json,
// metrics.jsonl, best/, last/: src/train/trainer/run-folder.ts); the app adds
//   predictions/<stem>.png   label masks of every project image by the best checkpoint, in the class
//                            table's stored values (as `seglens predict` writes them)
//   predictions/index.json   {epoch, checkpoint} that made them
//   preview.png, preview.json  the per-epoch prediction of one validation image, class ids
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { stemOf } from '../seg/project/index.ts';
import { notFound } from './errors.ts';
import type { ImageRecord, OpenProject } from './open-project.ts';

export const RUNS_FOLDER = 'runs';
export const PREDICTIONS_FOLDER = 'predictions';
export const PREDICTIONS_INDEX = 'index.json';
export const PREVIEW_IMAGE = 'preview.png';
export const PREVIEW_INFO = 'preview.json';

export function runsDir(p: OpenProject): string {
  return join(p.dir, RUNS_FOLDER);
}

/** The folder of run `runId` (already checked against the run-id pattern), or NotFoundError. */
export function runDir(p: OpenProject, runId: string): string {
  const dir = join(runsDir(p), basename(runId));
  if (!existsSync(join(dir, 'config.json')) && !existsSync(join(dir, 'run.json'))) {
    throw notFound('run', runId, 'Runs are listed by listRuns; it may have been deleted.');
  }
  return dir;
}

export function predictionFile(dir: string, rec: ImageRecord): string {
  return join(dir, PREDICTIONS_FOLDER, `${stemOf(basename(rec.image))}.png`);
}

export async function readJsonOr<T>(file: string, fallback: T): Promise<T | unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return fallback;
  }
}
