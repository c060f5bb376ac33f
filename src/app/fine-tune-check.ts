// What the engine checks before it starts a training from another run (TrainingOptions.fromRun):
// the run exists, has a best checkpoint and is not being trained right now. The trainer itself
// checks the rest (channels, normalisation, classes: src/train/trainer/fine-tune.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { invalid, notFound } from './errors.ts';
import type { OpenProject } from './open-project.ts';
import { runDir } from './run-files.ts';

export function checkFineTunable(p: OpenProject, runId: string, live: ReadonlySet<string>): void {
  const dir = runDir(p, runId);
  if (!existsSync(join(dir, 'best', 'model.json')) && !existsSync(join(dir, 'best.old', 'model.json'))) {
    throw notFound('best checkpoint of run', runId, 'Only a run that finished at least one epoch can be fine-tuned.');
  }
  if (live.has(runId)) throw invalid('params of startTraining', 'fromRun', `run ${runId} is still training; fine-tune it once it has finished`);
}
