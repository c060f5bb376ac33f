// What the trainer tells its host while it runs (CLI progress bar, desktop app, tests). One
// discriminated union: a listener switches on `type` and the compiler checks it handles each.
import type { Finding } from '../../seg/audit/index.ts';
import type { EpochRecord } from '../../seg/history.ts';
import type { BackendReport } from '../compute/types.ts';
import type { Lineage } from './fine-tune.ts';

export interface SplitSummary {
  /** Where the split came from: the project's manifest, or made for this run. */
  source: 'project-manifest' | 'made-for-run';
  /** The manifest file it was read from (project-manifest only). */
  file?: string;
  seed: number | string;
  train: number;
  val: number;
  test: number;
  /** Warnings of the split check (classes missing from a side, imbalance). */
  warnings: string[];
  /** Images the project file excludes, so in no side of the split (name and why). */
  excluded: { image: string; reason: string | null }[];
}

export interface StartedEvent {
  type: 'started';
  runDir: string;
  runId: string;
  backend: Pick<BackendReport, 'name' | 'package' | 'reason'>;
  split: SplitSummary;
  /** Set when this run continues an earlier one. */
  resumedFrom?: { epoch: number; step: number };
  /** Set when this run started from another run's weights (fine-tuning). */
  fineTunedFrom?: Lineage;
  /** Set when the run's lock was left by a seglens that is gone (killed, crashed) and was taken over: who it was. */
  lockTakenOver?: string;
  /** Epochs planned (the config's maximum; early stopping may end sooner). */
  epochs: number;
  /** Null while an automatic epoch size is timed over the first steps (config stepsPerEpoch 'auto'). */
  stepsPerEpoch: number | null;
  /** What "best" and early stopping follow: a new best must beat the old one by more than minDelta. */
  monitor: { name: string; minDelta: number; patience: number };
}

export interface StepEvent {
  type: 'step';
  /** 1-based epoch being trained. */
  epoch: number;
  /** 1-based step within the epoch. */
  step: number;
  stepsPerEpoch: number;
  loss: number;
  /** Mean loss of the epoch so far. */
  epochLoss: number;
  /** Training images (patches) per second over the epoch so far. */
  imagesPerSecond: number;
  /** Estimated seconds until the planned last epoch ends (validation included), null before it can be guessed. */
  etaSeconds: number | null;
}

export interface EpochEvent {
  type: 'epoch';
  record: EpochRecord;
}

/** The audit's history findings the trainer raises live (src/seg/audit/history.ts). */
export type WarningKind = 'not-learning' | 'collapsed' | 'class-never-predicted' | 'diverged' | 'overfitting';

/** A live audit finding as the trainer reports it (warnings.ts); `finding` is the audit's own. */
export interface TrainingWarning {
  kind: WarningKind;
  epoch: number;
  /** The finding's title and message: what is wrong, with the numbers. */
  message: string;
  /** The finding's action: what to do about it. */
  hint: string;
  details: Record<string, unknown>;
  finding: Finding;
}

export interface WarningEvent {
  type: 'warning';
  warning: TrainingWarning;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  which: 'best' | 'last';
  dir: string;
  epoch: number;
  /** Steps done in the epoch after `epoch` (0 = at an epoch boundary; > 0 after a stop mid-epoch). */
  step: number;
}

/**
 * How a run ended. finished: epochs done or early stopping. stopped: cancelled (signal, Ctrl-C),
 * resumable. diverged: the loss became NaN/Inf or exploded; `best` is kept. time-limit: maxMinutes.
 */
export type RunStatus = 'finished' | 'stopped' | 'diverged' | 'time-limit';

export interface FinishedEvent {
  type: 'finished';
  result: TrainResult;
}

export interface TrainResult {
  status: RunStatus;
  runDir: string;
  runId: string;
  /** Epochs completed (over all sessions of a resumed run). */
  epochs: number;
  /** Why the run ended, one sentence. */
  reason: string;
  bestEpoch: number | null;
  monitor: string;
  bestValue: number | null;
  /** The per-class validation figures of the best epoch. */
  best: EpochRecord | null;
  warnings: TrainingWarning[];
  seconds: number;
  /** When the compute in use was lost: the CPU backend of this machine to resume on. */
  resumeOn?: 'native' | 'wasm';
}

export type TrainEvent = StartedEvent | StepEvent | EpochEvent | WarningEvent | CheckpointEvent | FinishedEvent;
export type TrainEventListener = (event: TrainEvent) => void;
