// The audit of a folder evaluation (`seglens eval --audit`): the figures of the EvalResult, plus
// object recall for `small-objects-missed`, for which each mask pair is read once more (the
// evaluation keeps counts, not masks). Masks are read exactly as evaluateFolders reads them.
import { runAudit } from '../audit/index.ts';
import type { Finding } from '../audit/index.ts';
import { ObjectRecall } from '../audit/index.ts';
import type { ClassTable } from '../classes.ts';
import { readRawMask } from '../image-io.ts';
import { labelsFromRaw } from '../masks.ts';
import type { EvalResult } from '../metrics/index.ts';

export async function auditEvaluation(result: EvalResult, pairs: readonly { name: string; gt: string; pred: string }[], table: ClassTable): Promise<Finding[]> {
  const objects = new ObjectRecall(table);
  for (const p of pairs) {
    const [g, q] = await Promise.all([readRawMask(p.gt), readRawMask(p.pred)]);
    objects.add(p.name, labelsFromRaw(g, table, p.gt).labels, labelsFromRaw(q, table, p.pred).labels);
  }
  return runAudit({ eval: result, objects: objects.result() });
}
