// Payloads about training jobs and runs: options, job status, per-epoch records, run listings.
import { z } from 'zod';
import { BackendInfoSchema, count, finite, isoTime, jobId, metric, runId } from './common.ts';
import { WireErrorSchema } from '../errors.ts';

export const LOSS_NAMES = ['ce', 'weighted-ce', 'dice', 'dice-ce', 'focal'] as const;
/**
 * Backends a training can ask for first. webgpu and webgl run in the GPU compute worker of the
 * page (browser mode) or of the desktop app's compute window; auto tries that worker's GPU first
 * when it has a hardware adapter, then the engine's own backends.
 */
export const BACKEND_PREFERENCES = ['auto', 'tensorflow-gpu', 'webgpu', 'webgl', 'native', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

/** Options of a new training run. Everything left out takes the trainer's default. */
export const TrainingOptionsSchema = z.strictObject({
  epochs: z.number().int().min(1).max(10000).optional(),
  /** Epochs without improvement of the monitored validation figure before stopping early. */
  patience: z.number().int().min(1).max(10000).optional(),
  /** Optimiser steps per epoch; left out: about 30 s of steps, timed on this machine by the trainer. */
  stepsPerEpoch: z.number().int().min(1).max(100000).optional(),
  /** Validation share when the project has no split manifest (a split is then made for the run). */
  valFraction: finite.gt(0).lt(1).optional(),
  /** Square training patch side in pixels (a multiple of 2^depth, which the trainer checks with the reason). */
  patch: z.number().int().min(8).max(2048).optional(),
  batchSize: z.number().int().min(1).max(256).optional(),
  learningRate: finite.positive().max(10).optional(),
  loss: z.enum(LOSS_NAMES).optional(),
  seed: z.number().int().optional(),
  backend: z.enum(BACKEND_PREFERENCES).optional(),
  /** Accept a software GPU adapter (SwiftShader, llvmpipe): for tests, far slower than the CPU path. */
  allowSoftwareGpu: z.boolean().optional(),
  /** Validation image whose prediction is previewed after each epoch; default the first one. */
  previewImage: z.string().min(1).max(1024).optional(),
  /**
   * Fine-tune: start from this run's best weights, with its settings, a tenth of its learning rate
   * and a short schedule (the options given here win), keeping its validation images.
   */
  fromRun: runId.optional(),
});
export type TrainingOptions = z.infer<typeof TrainingOptionsSchema>;

export const StartTrainingResultSchema = z.object({ jobId, runId });
export type StartTrainingResult = z.infer<typeof StartTrainingResultSchema>;

export const StopTrainingParams = z.strictObject({ jobId });
export const StopTrainingResultSchema = z.object({
  /** False when the job had already finished. */
  stopping: z.boolean(),
});

export const ResumeTrainingParams = z.strictObject({
  runId,
  /** New total number of epochs (to train further than first planned). */
  epochs: z.number().int().min(1).max(10000).optional(),
  /** Backend to resume on (e.g. native after the GPU compute was lost); default auto. */
  backend: z.enum(BACKEND_PREFERENCES).optional(),
});

const classEpoch = z.object({
  name: z.string(),
  dice: metric,
  iou: metric,
  /** Share of validation pixels predicted as this class (a collapse shows here first). */
  predictedShare: metric,
  trueShare: metric,
  /** Overlapping classes: the threshold chosen at this validation (dice and iou are at it) and the pixel AUC. */
  threshold: metric.optional(),
  auc: metric.optional(),
});

/** One line of a run's metrics.jsonl (mirror of src/seg/history.ts EpochRecord). */
export const EpochRecordSchema = z.object({
  epoch: z.number().int().min(1),
  trainLoss: metric,
  valLoss: metric,
  lr: finite,
  seconds: finite.min(0),
  steps: count,
  val: z.object({
    meanForegroundDice: metric,
    meanForegroundIoU: metric,
    meanDiceWithBackground: metric,
    channelSummedDice: metric,
    pixelAccuracy: metric,
    allBackgroundAccuracy: metric,
    classes: z.array(classEpoch),
  }),
  monitor: z.object({ name: z.string(), value: metric, best: z.boolean() }),
});
export type EpochRecord = z.infer<typeof EpochRecordSchema>;

/**
 * How a run ended (src/train's RunStatus): finished = planned epochs done or early stopping;
 * stopped = cancelled, resumable; diverged = NaN/exploding loss, `best` kept; time-limit; failed =
 * an error (the job's `error` says which).
 */
export const END_STATES = ['finished', 'stopped', 'diverged', 'time-limit', 'failed'] as const;
export const EndStateSchema = z.enum(END_STATES);
export type EndState = z.infer<typeof EndStateSchema>;

export const JOB_STATES = ['starting', 'running', 'stopping', ...END_STATES] as const;
export const JobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof JobStateSchema>;

export const JobStatusSchema = z.object({
  jobId,
  runId,
  state: JobStateSchema,
  /** Last finished epoch (0 before the first). */
  epoch: count,
  epochs: count,
  backend: BackendInfoSchema.nullable(),
  startedAt: isoTime,
  finishedAt: isoTime.nullable(),
  /** Estimated seconds to the planned last epoch; null until an epoch has been timed. */
  etaSeconds: finite.min(0).nullable(),
  lastEpoch: EpochRecordSchema.nullable(),
  /** Why the run ended, one sentence; null while it runs. */
  reason: z.string().nullable(),
  /** Set when the GPU compute was lost mid-run: the CPU backend to resume on. */
  resumeOn: z.enum(['native', 'wasm']).nullable(),
  error: WireErrorSchema.nullable(),
});
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** A GPU backend the connected compute worker can offer (what its page or window reports). */
export const GpuOfferSchema = z.object({
  backend: z.enum(['webgpu', 'webgl']),
  /** Adapter or renderer, in words. */
  name: z.string(),
  /** A software emulation (SwiftShader, llvmpipe): not used unless asked for (tests). */
  software: z.boolean(),
});
export type GpuOffer = z.infer<typeof GpuOfferSchema>;

export const TrainingStatusResultSchema = z.object({
  jobs: z.array(JobStatusSchema),
  /** The GPU compute worker connected to the engine (the page's or the compute window's), if any. */
  gpu: z.object({ source: z.string(), offers: z.array(GpuOfferSchema) }).nullable(),
});
export type TrainingStatusResult = z.infer<typeof TrainingStatusResultSchema>;

/** `running` as recorded in run.json may also be a run whose process died: `canResume` tells. */
export const RUN_STATES = ['running', ...END_STATES, 'unknown'] as const;

export const RunSummarySchema = z.object({
  runId,
  createdAt: isoTime.nullable(),
  status: z.enum(RUN_STATES),
  /** Epochs recorded in metrics.jsonl. */
  epochs: count,
  bestEpoch: z.number().int().min(1).nullable(),
  /** Monitored figure at the best epoch. */
  best: z.object({ name: z.string(), value: metric }).nullable(),
  backend: BackendInfoSchema.nullable(),
  /** Images with a stored prediction in this run. */
  predictions: count,
  /** A `last` checkpoint exists, so the run can be resumed. */
  canResume: z.boolean(),
  /** A `best` checkpoint exists, so the run's images can be predicted (predictRun). */
  hasBest: z.boolean(),
  /** Images per side of the split the run trained on (its split.json); null when it has none. */
  split: z.object({ train: count, val: count, test: count }).nullable(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const ListRunsResultSchema = z.object({ runs: z.array(RunSummarySchema) });

export const RunParams = z.strictObject({ runId });

const unit = z.number().min(0).max(1);
/**
 * Overlapping classes: the thresholds stored with the best weights, the rule that chose them, and
 * per class the validation curve (every 0.01: Dice, ROC and PR points) the threshold slider reads
 * the Dice of any threshold from. The run folder's thresholds.json, unchanged.
 */
export const RunThresholdsSchema = z.object({
  epoch: z.number().int().min(1),
  /** How the validation chose `classes[].threshold`. */
  rule: z.string(),
  ruleText: z.string(),
  /** What the best weights apply now (the chosen ones, or set by hand: rule "set-by-hand"), one per class. */
  applied: z.object({ rule: z.string(), values: z.array(unit) }),
  classes: z.array(
    z.object({
      name: z.string(),
      isBackground: z.boolean(),
      threshold: unit,
      dice: unit.nullable(),
      auc: unit.nullable(),
      averagePrecision: unit.nullable(),
      prevalence: unit.nullable(),
      curve: z.array(z.object({ threshold: unit, fpr: unit, tpr: unit, precision: unit.nullable(), dice: unit.nullable() })),
    }),
  ),
});
export type RunThresholds = z.infer<typeof RunThresholdsSchema>;

/** Saves thresholds moved with the sliders into the run's best weights (overlapping classes). */
export const SetThresholdsParams = z.strictObject({ runId, values: z.array(unit).min(1).max(7) });

export const RunDetailSchema = z.object({
  summary: RunSummarySchema,
  history: z.array(EpochRecordSchema),
  /** The run's config.json as written by the trainer (options, seeds, versions), or null. */
  config: z.record(z.string(), z.unknown()).nullable(),
  /** Overlapping classes only (absent otherwise). */
  thresholds: RunThresholdsSchema.optional(),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const ExportReportParams = z.strictObject({
  runId,
  /** html (self-contained, default), json (every figure), or pdf (where Chromium is installed). */
  format: z.enum(['html', 'json', 'pdf']).optional(),
});
export const ExportReportResultSchema = z.object({
  /** Written report, absolute path. */
  file: z.string().min(1),
});

/** The exported HTML report of a run (exportReport writes it), to open in the UI. */
export const GetReportParams = z.strictObject({ runId });
export const GetReportResultSchema = z.object({
  /** The report file, absolute path. */
  file: z.string().min(1),
  /** Its self-contained HTML (plots and thumbnails inline). */
  html: z.string(),
});
