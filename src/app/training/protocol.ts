// Messages between the engine and the child process that runs one training job. Training runs in
// its own process so that the engine (and the HTTP server or Electron window it serves) never
// waits on a training step, and a crash or a stuck backend can be ended with the process.
import type { BackendInfo, EpochRecord, TrainingOptions, WireError } from '../../api/index.ts';
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

/** What a job reports; the engine adds jobId (and runId after `started`) to make contract events. */
export type JobMessage =
  | {
      type: 'started';
      runId: string;
      backend: BackendInfo;
      epochs: number;
      stepsPerEpoch: number | null;
      resumedAfter: number;
      split: { source: 'project-manifest' | 'made-for-run'; train: number; val: number; test: number; warnings: string[]; excluded: { name: string; reason: string | null }[] };
      monitor: { name: string; minDelta: number; patience: number };
    }
  | { type: 'step'; epoch: number; step: number; stepsPerEpoch: number; loss: number | null; epochLoss: number | null; etaSeconds: number | null }
  | { type: 'epoch'; record: EpochRecord; etaSeconds: number | null }
  | { type: 'preview'; epoch: number; name: string }
  | { type: 'warning'; code: string; message: string; hint: string; epoch: number | null }
  | { type: 'checkpoint'; epoch: number; kind: 'best' | 'last' }
  | { type: 'progress'; task: string; done: number; total: number; item: string | null }
  | { type: 'finished'; status: 'finished' | 'stopped' | 'diverged' | 'time-limit'; reason: string; epochs: number; bestEpoch: number | null; resumeOn?: 'native' | 'wasm' }
  | { type: 'failed'; error: WireError }
  /** A message for the lent GPU compute (child-compute.ts); relayed, never shown. */
  | ComputeEnvelope;

/**
 * Engine -> child. The child (worker.ts) runs any job module: a training (this file's JobRequest),
 * a report (../report-runner.ts) or a prediction (../predict/predict-protocol.ts); the request is
 * the module's own.
 */
export type ControlMessage = { type: 'start'; module: string; request: unknown } | { type: 'stop' } | ComputeEnvelope;

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
