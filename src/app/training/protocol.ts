// Messages between the engine and the child process that runs one training job. Training runs in
// its own process so that the engine (and the HTTP server or Electron window it serves) never
// waits on a training step, and a crash or a stuck backend can be ended with the process.
import { z } from 'zod';
import { EVENT_SCHEMAS, WireErrorSchema } from '../../api/index.ts';
import type { TrainingOptions, WireError } from '../../api/index.ts';
import type { ComputeEnvelope } from './child-compute.ts';

export interface JobRequest {
  /** Absolute project folder. */
  projectDir: string;
  options: TrainingOptions;
  /** Continue this run instead of starting a new one. */
  resume?: { runId: string; epochs?: number };
  /** Where the GPU compute the engine lends this job lives ("browser page", "compute window"), if any. */
  gpuCompute?: string;
}

// What a job reports; the engine adds jobId (and runId after `started`) to make contract events.
// One definition per shape: each message is the payload of the contract event it becomes
// (src/api's EVENT_SCHEMAS), less the ids the engine adds, so the child's messages are validated
// by the same rules (finite numbers, counts, names) as the events the page receives.
const withoutIds = { jobId: true, runId: true } as const;
const ev = EVENT_SCHEMAS;
export const JobMessageSchema = z.discriminatedUnion('type', [
  ev['training.started'].omit({ jobId: true }).extend({ type: z.literal('started') }),
  ev['training.step'].omit(withoutIds).extend({ type: z.literal('step') }),
  ev['training.epoch'].omit(withoutIds).extend({ type: z.literal('epoch') }),
  ev['training.preview'].omit(withoutIds).extend({ type: z.literal('preview') }),
  ev['training.warning'].omit(withoutIds).extend({ type: z.literal('warning') }),
  ev['training.checkpoint'].omit(withoutIds).extend({ type: z.literal('checkpoint') }),
  ev['task.progress'].extend({ type: z.literal('progress') }),
  // A job that ends by itself; a failure is the `failed` message (or the process's exit).
  ev['training.finished']
    .omit({ ...withoutIds, error: true })
    .extend({ type: z.literal('finished'), status: z.enum(['finished', 'stopped', 'diverged', 'time-limit']) }),
  z.object({ type: z.literal('failed'), error: WireErrorSchema }),
]);

/**
 * What a training job sends: its JobMessageSchema messages, or a message for the lent GPU compute
 * (child-compute.ts; relayed to the compute worker as it is, never shown).
 */
export type JobMessage = ParsedJobMessage | ComputeEnvelope;
/** A job message as the engine has checked it. */
export type ParsedJobMessage = z.infer<typeof JobMessageSchema>;

/**
 * Engine -> child. The child (worker.ts) runs any job module: a training (this file's JobRequest),
 * a report (../report-runner.ts) or a prediction (../predict/predict-protocol.ts); the request is
 * the module's own.
 */
export const ControlMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), module: z.string().min(1), request: z.unknown() }),
  z.object({ type: z.literal('stop') }),
  // The lent GPU compute's messages: checked by the compute protocol (child-compute.ts's listener).
  z.object({ type: z.literal('compute'), message: z.unknown() }),
]);
export type ControlMessage = Exclude<z.infer<typeof ControlMessageSchema>, { type: 'compute' }> | ComputeEnvelope;

/** What every job may send besides its own messages: an error that ended it. */
export type FailedMessage = { type: 'failed'; error: WireError };

export interface JobContextOf<M> {
  signal: AbortSignal;
  emit(msg: M): void;
}
export type JobContext = JobContextOf<JobMessage>;

/** What any job module exports: runJob(request, ctx); a training's is RunJob, a report's and a prediction's their own. */
export type RunJobOf<R, M> = (request: R, ctx: JobContextOf<M>) => Promise<void>;

/** What a training job module (the real trainer adapter, or a test double) exports. */
export type RunJob = RunJobOf<JobRequest, JobMessage>;
