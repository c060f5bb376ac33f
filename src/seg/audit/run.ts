// runAudit: every check whose inputs are available, one sorted list of findings. Callers pass what
// they have: `seglens inspect` the inspect report, the split and the pairing fits; `seglens eval
// --audit` the evaluation and the prediction checks; the report all of it plus the run's history.
// The audit reads no file and imports nothing that does (src/seg/dataset, split and report import
// the audit, never the other way round): inputs are described here by what the checks need.
import { checkCooccurrenceShortcut, checkThresholdProblem } from './overlap.ts';
import type { ClassTable } from '../classes.ts';
import { ConfigError } from '../errors.ts';
import type { EpochRecord } from '../history.ts';
import { evaluate } from '../metrics/index.ts';
import type { EvalPair, EvalResult } from '../metrics/index.ts';
import type { Problem } from '../problems.ts';
import { checkSegmentationBias } from './edge-bias.ts';
import { historyFindings } from './history.ts';
import type { HistoryOptions } from './history.ts';
import { checkIgnoredShare } from './ignored.ts';
import type { IgnoredShareResult } from './ignored.ts';
import { maskFindings } from './masks.ts';
import type { MaskProblemsSource } from './masks.ts';
import { checkMetricMismatch } from './mismatch.ts';
import { checkNeverPredicted } from './never-predicted.ts';
import { checkSmallObjects } from './objects.ts';
import type { ClassNames, ObjectRecallResult } from './objects.ts';
import { pairingFindings } from './pairing-finding.ts';
import type { PairingFit } from './pairing.ts';
import { PredictionChecks } from './predictions.ts';
import type { PredictionChecksResult } from './predictions.ts';
import { checkBackgroundDominated, checkBelowBaseline, checkDeceptiveImages } from './scores.ts';
import { splitFindings } from './split.ts';
import type { Finding } from './types.ts';
import { sortFindings } from './types.ts';

/** A split's problems: a SplitReport (`warnings`), a ManifestCheck (`problems`) or a plain list. */
export type SplitProblemsSource = { warnings: readonly Problem[] } | { problems: readonly Problem[] } | readonly Problem[];

export interface AuditInputs {
  /**
   * An evaluation (predictions vs ground truth): background-dominated, below-baseline,
   * deceptive-images, class-never-predicted.
   */
  eval?: EvalResult;
  /**
   * Ground truth and prediction of each image: the prediction checks (small-objects-missed,
   * segmentation-bias), and the evaluation itself when `eval` is absent (that needs `table`).
   * Iterated once.
   */
  perImageLabels?: Iterable<EvalPair>;
  /** Class names and background; taken from `eval` when absent. */
  table?: ClassTable;
  /** The prediction checks already accumulated image by image (instead of perImageLabels). */
  predictions?: PredictionChecksResult;
  /** Object recall alone (older callers); `predictions` supersedes it. */
  objects?: ObjectRecallResult;
  /** The split's problems. */
  split?: SplitProblemsSource;
  /** Mask problems: an inspect report or a list of Problems. */
  inspect?: MaskProblemsSource | readonly Problem[];
  /** Unlabelled pixels of the ground truth, image by image (IgnoredShare). */
  ignored?: IgnoredShareResult;
  /** The run's metrics.jsonl, in epoch order. */
  history?: readonly EpochRecord[];
  /** How the history checks run (default: after the run, chance level ln K). */
  historyOptions?: HistoryOptions;
  /** The epoch whose recorded validation figures are compared with `recomputed` (or `eval`). */
  recorded?: EpochRecord;
  /** The same figures recomputed afterwards on the same images; default `eval`. */
  recomputed?: EvalResult;
  /** Image/mask fits from PairingCheck. */
  pairing?: readonly PairingFit[];
}

function splitProblems(s: SplitProblemsSource): readonly Problem[] {
  if (Array.isArray(s)) return s as readonly Problem[];
  if ('problems' in s) return s.problems;
  return (s as { warnings: readonly Problem[] }).warnings;
}

function namesOf(r: EvalResult): ClassNames {
  return { classes: r.classes.map((c) => ({ name: c.name })), background: r.backgroundClass };
}

/** The findings of one evaluation and the prediction checks of the same images. */
export function predictionFindings(r: EvalResult, p?: PredictionChecksResult | { objects: ObjectRecallResult }): Finding[] {
  const out = [...checkBackgroundDominated(r), ...checkBelowBaseline(r), ...checkNeverPredicted(r), ...checkDeceptiveImages(r), ...checkThresholdProblem(r), ...checkCooccurrenceShortcut(r)];
  if (p) out.push(...checkSmallObjects(p.objects, r));
  if (p && 'edges' in p) out.push(...checkSegmentationBias(p.edges, r));
  return out;
}

export function runAudit(inputs: AuditInputs): Finding[] {
  const out: Finding[] = [];
  let evalResult = inputs.eval;
  let predictions: PredictionChecksResult | { objects: ObjectRecallResult } | undefined = inputs.predictions ?? (inputs.objects ? { objects: inputs.objects } : undefined);
  if (inputs.perImageLabels && !inputs.predictions) {
    const names = inputs.table ?? (evalResult ? namesOf(evalResult) : undefined);
    if (!names || (!evalResult && !inputs.table)) {
      throw new ConfigError('runAudit: perImageLabels need the class table (`table`) to be evaluated, or an `eval` of the same images.', {});
    }
    const pairs = [...inputs.perImageLabels];
    const acc = new PredictionChecks(names);
    for (const p of pairs) acc.add(p.name, p.gt, p.pred);
    predictions = acc.result();
    evalResult ??= evaluate(pairs, inputs.table!);
  }
  if (evalResult) out.push(...predictionFindings(evalResult, predictions));
  if (inputs.split) out.push(...splitFindings(splitProblems(inputs.split)));
  if (inputs.inspect) out.push(...maskFindings(inputs.inspect));
  if (inputs.ignored) out.push(...checkIgnoredShare(inputs.ignored));
  if (inputs.pairing) out.push(...pairingFindings(inputs.pairing));
  if (inputs.history) {
    const opts: HistoryOptions = { ...(evalResult ? { background: evalResult.backgroundClass } : {}), ...inputs.historyOptions };
    out.push(...historyFindings(inputs.history, opts));
  }
  const recomputed = inputs.recomputed ?? evalResult;
  if (inputs.recorded && recomputed) out.push(...checkMetricMismatch(inputs.recorded, recomputed));
  return sortFindings(out);
}
