// The shapes of a per-class report. `ReportInput` is what the caller has (an evaluation per held-out
// split, the audit's findings, the run's history and settings); `ReportData` is `report.json`, and
// the HTML is rendered from `ReportData` alone (plus the thumbnails, which are pixels), so every
// figure in the HTML is in the JSON with the same value. NaN ("undefined", see METRIC_POLICY) is
// null in ReportData, as in `seglens eval --json`.
import type { ObjectRecallResult } from '../audit/objects.ts';
import type { Finding } from '../audit/types.ts';
import type { ClassTable } from '../classes.ts';
import type { EpochRecord } from '../history.ts';
import type { EvalResult, JsonSafe, PolicyNames } from '../metrics/index.ts';
import type { SplitStats } from '../split/index.ts';

/** The held-out splits a report evaluates. */
export type EvalSplit = 'val' | 'test';

export const SPLIT_LABELS: Record<EvalSplit, string> = { val: 'Validation', test: 'Test' };

/** Where a finding comes from: the data, the split, the training history, or one evaluated split. */
export type FindingScope = 'data' | 'split' | 'training' | EvalSplit;

export type ScopedFinding = Finding & { scope: FindingScope };

export interface ReportEvaluationInput {
  split: EvalSplit;
  result: EvalResult;
  /** Object-level recall per class (the audit's small-objects check), when it was computed. */
  objects?: ObjectRecallResult;
}

/** What the run folder says about how the model was made. */
export interface RunInfo {
  id: string;
  dir?: string;
  /** Which weights made the predictions, e.g. "best". */
  checkpoint?: string;
  backend?: string;
  versions?: Record<string, string>;
  seeds?: Record<string, number | string>;
  /** The training configuration as recorded (shown flattened as key = value). */
  config?: Record<string, unknown>;
  started?: string;
  finished?: string;
  /** Lineage: the run this one was fine-tuned from (its weights were the starting point). */
  parent?: { runId: string; dir: string; epoch: number | null; head: 'kept' | 'new'; kept: string[]; added: string[]; dropped: string[]; lr: number };
}

export interface SplitSummaryInput {
  classNames: string[];
  background: number;
  all: SplitStats;
  splits: Record<'train' | 'val' | 'test', SplitStats>;
  /** Seed and fractions of the split, as recorded. */
  settings?: Record<string, unknown>;
}

export interface ReportInput {
  title: string;
  /** ISO 8601 time stamp written into the report (passed in so that output is reproducible). */
  generated: string;
  classes: ClassTable;
  /** `excluded`: images the project file keeps out of training and scores, with why. */
  dataset?: { name: string; dir?: string; images: number; excluded?: { name: string; reason: string | null }[] };
  split?: SplitSummaryInput;
  history?: readonly EpochRecord[];
  run?: RunInfo;
  evaluations: ReportEvaluationInput[];
  /** The audit's findings; undefined when no audit ran (the report then says so). */
  findings?: readonly ScopedFinding[];
  /** What the audit looked at, in words (e.g. "the masks", "the split", "the training history", "the validation predictions"). */
  audited?: string[];
  /** Thumbnails per split for at most this many images (deceptive images first). Default 12. */
  galleryLimit?: number;
  /** Overlapping classes: the per-class thresholds stored with the model, and the rule that chose them. */
  thresholds?: { rule: string; values: readonly number[] };
}

export interface ReportClass {
  id: number;
  name: string;
  color: string;
  values: (number | string)[];
  isBackground: boolean;
}

/** One image of the gallery: why it is shown, and its per-image figures (from `result.perImage`). */
export interface GalleryEntry {
  image: string;
  /** 1 = shown first. */
  rank: number;
  /** Listed by the audit's `deceptive-images` finding (or, without an audit, by the same rule). */
  deceptive: boolean;
  pixelAccuracy: number | null;
  meanDiceWithBackground: number | null;
  meanForegroundDice: number | null;
  /** max(pixel accuracy, Dice with background) - foreground Dice: how much the inclusive figure flatters the image. */
  gap: number | null;
  classes: { name: string; dice: number | null; tp: number; fp: number; fn: number; gtPixels: number; predPixels: number }[];
}

export interface ReportEvaluation {
  split: EvalSplit;
  label: string;
  /** Exactly `seglens eval --json` on the same predictions (without its `pairs` and `problems`). */
  result: JsonSafe<EvalResult>;
  objects: JsonSafe<ObjectRecallResult> | null;
  /** result.confusion with each row divided by its sum (rows = ground truth): the diagonal is recall. */
  confusionNormalized: (number | null)[][];
  /** How the gallery was ordered: by the audit's finding, or by the gap when no audit ran. */
  galleryOrder: 'audit' | 'gap';
  gallery: GalleryEntry[];
  /** Images not shown as thumbnails (beyond the gallery limit). */
  galleryOmitted: number;
  /** Every deceptive image of the split, worst first (the gallery may show only the first ones). */
  deceptive: string[];
}

/** One statement of the plain-language explanation, with optional sub-points. */
export interface ExplainItem {
  text: string;
  sub?: string[];
}

export interface ExplainSection {
  title: string;
  items: ExplainItem[];
}

export interface ReportData {
  format: 'seglens-report';
  version: 1;
  title: string;
  generated: string;
  classes: ReportClass[];
  backgroundClass: string;
  ignoreValues: (number | string)[];
  dataset: { name: string; dir?: string; images: number; excluded?: { name: string; reason: string | null }[] } | null;
  split: JsonSafe<SplitSummaryInput> | null;
  run: RunInfo | null;
  history: { epochs: EpochRecord[]; bestEpoch: number | null; monitor: string | null } | null;
  evaluations: ReportEvaluation[];
  audit: { ran: boolean; checked: string[]; critical: number; warning: number; info: number };
  findings: ScopedFinding[];
  explain: { sections: ExplainSection[]; metricPolicy: string; policyNames: PolicyNames };
  /**
   * Overlapping classes only: the thresholds the model applies (per class, with the rule and what
   * it means). Per split, each class's figures at them, its AUC, average precision and ROC/PR
   * curve are in `evaluations[].result.classes[]` and `evaluations[].result.multiLabel`.
   */
  thresholds?: { rule: string; ruleText: string; classes: { name: string; threshold: number }[] };
}
