// Everything the audit needs from the predicted masks themselves (not only from the counts of an
// EvalResult), gathered in one pass: object recall (small-objects-missed) and the errors along
// true edges (segmentation-bias). Callers that read pairs image by image (eval --audit, the
// report, the app's metrics table, the trainer's validation) feed one PredictionChecks.
import type { LabelMap } from '../types.ts';
import { EdgeBias } from './edge-bias.ts';
import type { EdgeBiasResult } from './edge-bias.ts';
import { ObjectRecall } from './objects.ts';
import type { ClassNames, ObjectRecallOptions, ObjectRecallResult } from './objects.ts';

export interface PredictionChecksResult {
  objects: ObjectRecallResult;
  edges: EdgeBiasResult;
}

export class PredictionChecks {
  private readonly objects: ObjectRecall;
  private readonly edges: EdgeBias;

  constructor(table: ClassNames, opts: ObjectRecallOptions = {}) {
    this.objects = new ObjectRecall(table, opts);
    this.edges = new EdgeBias(table);
  }

  add(name: string, gt: LabelMap, pred: LabelMap): void {
    this.objects.add(name, gt, pred);
    this.edges.add(name, gt, pred);
  }

  result(): PredictionChecksResult {
    return { objects: this.objects.result(), edges: this.edges.result() };
  }
}
