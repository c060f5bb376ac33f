// Where the app finds the open project's runs: runs/<id>/ under the project folder. What a run
// folder holds, and every file name in it, belongs to src/train (trainer/run-folder.ts and
// trainer/run-outputs.ts); the app reads a run only through those modules.
import { basename, join } from 'node:path';
import { RUNS_FOLDER, isRunFolder } from '../train/trainer/run-folder.ts';
import { notFound } from './errors.ts';
import type { OpenProject } from './open-project.ts';

export function runsDir(p: OpenProject): string {
  return join(p.dir, RUNS_FOLDER);
}

/** The folder of run `runId` (already checked against the run-id pattern), or NotFoundError. */
export function runDir(p: OpenProject, runId: string): string {
  const dir = join(runsDir(p), basename(runId));
  if (!isRunFolder(dir)) throw notFound('run', runId, 'Runs are listed by listRuns; it may have been deleted.');
  return dir;
}
