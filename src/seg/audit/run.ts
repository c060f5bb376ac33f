// runAudit: every check whose inputs are available, one sorted list of findings. Callers pass what
// they have: `seglens inspect` the inspect report, the split and the pairing fits; `seglens eval
// --audit` the evaluation and the label maps; the report all of it plus the run's history.
import type { ClassTable } from '../classes.ts';
import { ConfigError } from '../errors.ts';
import type { InspectReport } from '../dataset/index.ts';
import type { EpochRecord } from '../history.ts';
import { evaluate } from '../metrics/index.ts';
import type { EvalPair, EvalResult } from '../metrics/index.ts';
import type { Problem } from '../problems.ts';
import type { ManifestCheck, SplitReport } from '../split/index.ts';
import { historyFindings } from './history.ts';
import { maskFindings } from './masks.ts';
import { checkMetricMismatch } from './mismatch.ts';
import { ObjectRecall, checkSmallObjects } from './objects.ts';
import type { ClassNames, ObjectRecallResult } from './objects.ts';
import { pairingFindings } from './pairing-finding.ts';
import type { PairingFit } from './pairing.ts';
import { checkBackgroundDominated, checkBelowBaseline, checkDeceptiveImages } from './scores.ts';
import { splitFindings } from './split.ts';
import type { Finding } from './types.ts';
import { sortFindings } from './types.ts';

export interface AuditInputs {
  /** An evaluation (predictions vs ground truth): background-dominated, below-baseline, deceptive-images. */
  eval?: EvalResult;
  /**
   * Ground truth and prediction of each image: object recall for small-objects-missed (and the
   * evaluation itself when `eval` is absent; that needs `table`). Iterated once.
   */
  perImageLabels?: Iterable<EvalPair>;
  /** Class names and background; taken from `eval` when absent. */
  table?: ClassTable;
  /** Object recall already accumulated image by image (instead of perImageLabels). */
  objects?: ObjectRecallResult;
  /** The split's problems: a SplitReport (warnings), a ManifestCheck (problems) or a list. */
  split?: SplitReport | ManifestCheck | readonly Problem[];
  /** Mask problems: an InspectReport or a list of Problems. */
  inspect?: InspectReport | readonly Problem[];
  /** The run's metrics.jsonl, in epoch order. */
  history?: readonly EpochRecord[];
  /** The epoch whose recorded validation figures are compared with `recomputed` (or `eval`). */
  recorded?: EpochRecord;
  /** The same figures recomputed afterwards on the same images; default `eval`. */
  recomputed?: EvalResult;
  /** Image/mask fits from PairingCheck or checkDatasetPairing. */
  pairing?: readonly PairingFit[];
}

function splitProblems(s: SplitReport | ManifestCheck | readonly Problem[]): readonly Problem[] {
  if (Array.isArray(s)) return s as readonly Problem[];
  if ('problems' in s) return (s as ManifestCheck).problems;
  return (s as SplitReport).warnings;
}

function namesOf(r: EvalResult): ClassNames {
  return { classes: r.classes.map((c) => ({ name: c.name })), background: r.backgroundClass };
}

export function runAudit(inputs: AuditInputs): Finding[] {
  const out: Finding[] = [];
  let evalResult = inputs.eval;
  let objects = inputs.objects;
  if (inputs.perImageLabels && !objects) {
    const names = inputs.table ?? (evalResult ? namesOf(evalResult) : undefined);
    if (!names || (!evalResult && !inputs.table)) {
      throw new ConfigError('runAudit: perImageLabels need the class table (`table`) to be evaluated, or an `eval` of the same images.', {});
    }
    const pairs = [...inputs.perImageLabels];
    const acc = new ObjectRecall(names);
    for (const p of pairs) acc.add(p.name, p.gt, p.pred);
    objects = acc.result();
    evalResult ??= evaluate(pairs, inputs.table!);
  }
  if (evalResult) {
    out.push(...checkBackgroundDominated(evalResult), ...checkBelowBaseline(evalResult), ...checkDeceptiveImages(evalResult));
    if (objects) out.push(...checkSmallObjects(objects, evalResult));
  }
  if (inputs.split) out.push(...splitFindings(splitProblems(inputs.split)));
  if (inputs.inspect) out.push(...maskFindings(inputs.inspect));
  if (inputs.pairing) out.push(...pairingFindings(inputs.pairing));
  if (inputs.history) out.push(...historyFindings(inputs.history, evalResult ? { background: evalResult.backgroundClass } : {}));
  const recomputed = inputs.recomputed ?? evalResult;
  if (inputs.recorded && recomputed) out.push(...checkMetricMismatch(inputs.recorded, recomputed));
  return sortFindings(out);
}
