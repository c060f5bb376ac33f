// The audit of a folder evaluation (`seglens eval --audit`): the figures of the EvalResult, plus
// the prediction checks (object recall for small-objects-missed, the errors along true edges for
// segmentation-bias), for which each mask pair is read once more (the evaluation keeps counts, not
// masks). Masks are read exactly as evaluateFolders reads them (the same mask formats).
import { PredictionChecks, runAudit } from '../audit/index.ts';
import type { Finding } from '../audit/index.ts';
import type { ClassTable } from '../classes.ts';
import type { EvalResult } from '../metrics/index.ts';
import type { LabelMap } from '../types.ts';

/** Reads one side of a pair as class ids (evaluateFolders' reader for the folder's mask format). */
export type PairReader = (file: string) => Promise<LabelMap>;

export async function auditEvaluation(
  result: EvalResult,
  pairs: readonly { name: string; gt: string; pred: string }[],
  table: ClassTable,
  read: { gt: PairReader; pred: PairReader },
): Promise<Finding[]> {
  const checks = new PredictionChecks(table);
  for (const p of pairs) {
    const [g, q] = await Promise.all([read.gt(p.gt), read.pred(p.pred)]);
    checks.add(p.name, g, q);
  }
  return runAudit({ eval: result, predictions: checks.result() });
}
