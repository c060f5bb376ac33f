// Events the engine pushes to the UI. Every event is {type, payload}; payload schemas below.
import { z } from 'zod';
import { BackendInfoSchema, count, finite, imageName, jobId, metric, runId } from './common.ts';
import { ProjectSummarySchema } from './project.ts';
import { EndStateSchema, EpochRecordSchema } from './training.ts';
import { WireErrorSchema } from '../errors.ts';

export const EVENT_SCHEMAS = {
  /** A project was opened (by this UI or another window of the same engine). */
  'project.opened': ProjectSummarySchema,
  /** Progress of a long task (generating the demo, reading every mask for listImages, inspect). */
  'task.progress': z.object({ task: z.string().min(1), done: count, total: count, item: z.string().nullable() }),
  /** A mask was saved (so every view of it can refresh). */
  'mask.saved': z.object({ name: imageName, file: z.string(), version: z.string() }),
  'training.started': z.object({
    jobId,
    runId,
    backend: BackendInfoSchema,
    epochs: count,
    /** Null while the trainer times its first steps to size an epoch (about 30 s of steps). */
    stepsPerEpoch: count.nullable(),
    /** Epoch the run resumed after (0 for a new run). */
    resumedAfter: count,
    split: z.object({
      /** The project's split manifest, or a split made for this run. */
      source: z.enum(['project-manifest', 'made-for-run']),
      train: count,
      val: count,
      test: count,
      warnings: z.array(z.string()),
      /** Images the project file excludes (in no side), with why. */
      excluded: z.array(z.object({ name: imageName, reason: z.string().nullable() })),
    }),
    /** The figure "best" and early stopping follow; a new best must beat the old by more than minDelta. */
    monitor: z.object({ name: z.string(), minDelta: finite.min(0), patience: count }),
  }),
  'training.step': z.object({
    jobId,
    runId,
    epoch: z.number().int().min(1),
    step: z.number().int().min(1),
    stepsPerEpoch: count,
    loss: metric,
    /** Mean loss of the epoch so far. */
    epochLoss: metric,
    /** Seconds to the planned last epoch; null before it can be estimated. */
    etaSeconds: finite.min(0).nullable(),
  }),
  'training.epoch': z.object({ jobId, runId, record: EpochRecordSchema, etaSeconds: finite.min(0).nullable() }),
  /** The preview prediction (getPreviewPixels) was refreshed after this epoch. */
  'training.preview': z.object({ jobId, runId, epoch: z.number().int().min(1), name: imageName }),
  /** A named failure (code: not-learning, collapsed, diverged, overfitting) with what to do. */
  'training.warning': z.object({
    jobId,
    runId,
    code: z.string().min(1),
    message: z.string(),
    hint: z.string(),
    epoch: count.nullable(),
  }),
  'training.checkpoint': z.object({ jobId, runId, epoch: z.number().int().min(1), kind: z.enum(['best', 'last']) }),
  'training.finished': z.object({
    jobId,
    runId,
    status: EndStateSchema,
    /** Why it ended, one sentence. */
    reason: z.string(),
    epochs: count,
    bestEpoch: z.number().int().min(1).nullable(),
    /** Set when the GPU compute was lost mid-run: the CPU backend to resume on ("Resume on the CPU"). */
    resumeOn: z.enum(['native', 'wasm']).nullable(),
    error: WireErrorSchema.nullable(),
  }),
} as const;

export type EventName = keyof typeof EVENT_SCHEMAS;
export const EVENT_NAMES = Object.keys(EVENT_SCHEMAS) as EventName[];
