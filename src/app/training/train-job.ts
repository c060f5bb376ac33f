// The job module the training child runs by default: src/train's trainer on the project.
// The trainer (issue 3) is being written in parallel; until its entry exists this job fails with
// a NotImplementedError that says so, and the engine, the events and stop/resume plumbing are
// exercised with a test double (test/app/fixtures/fake-train-job.ts).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ContractError, ERROR_NAMES } from '../../api/index.ts';
import type { JobContext, JobRequest, RunJob } from './protocol.ts';

const TRAINER_ENTRY = new URL('../../train/trainer/trainer.ts', import.meta.url);

export const runJob: RunJob = async (request: JobRequest, ctx: JobContext) => {
  if (!existsSync(fileURLToPath(TRAINER_ENTRY))) {
    throw new ContractError(ERROR_NAMES.notImplemented, 'Training from the app is not available yet: the trainer (issue 3) is not in this build. Use `seglens train` once it is.', { issue: 3 });
  }
  const adapter = (await import(new URL('./trainer-adapter.ts', import.meta.url).href)) as { runTrainer: RunJob };
  await adapter.runTrainer(request, ctx);
};
