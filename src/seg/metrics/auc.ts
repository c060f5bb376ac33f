// Per-class pixel ROC-AUC and PR-AUC (average precision), one class against the rest, from
// probabilities only. There is deliberately no entry point for hard labels: an AUC of argmax or
// thresholded masks is one point of the ROC curve, and for an imbalanced class it sits at or near
// 0.5 however the model does (the "AUC exactly 0.5 every epoch" story in ../shared/CONTEXT.md).
// Scores must be Float32Array values in [0, 1]; arrays that are entirely 0/1 are refused.
//
// Exactness: scores go into `bins` equal bins over [0, 1] (65536 by default), per class one
// histogram for positive and one for negative pixels. Memory stays 2 x bins per class however
// many pixels are added, and the result is exact except that scores closer than 1/bins may share a
// bin and then count as tied. Ties count 1/2 in ROC-AUC (Mann-Whitney, = trapezoid rule on the
// ROC curve) and form a single threshold in average precision.
import { backgroundId } from '../classes.ts';
import type { ClassTable } from '../classes.ts';
import { ShapeError } from '../errors.ts';
import { IGNORE } from '../types.ts';
import type { LabelMap } from '../types.ts';
import { nanMean } from './reductions.ts';

export const DEFAULT_AUC_BINS = 65536;

/**
 * Probabilities of one image: either one Float32Array of pixels x K, pixel-major (what a
 * [H, W, K] softmax tensor gives), or one Float32Array per class (length = pixels each).
 */
export type ProbabilityMaps = Float32Array | readonly Float32Array[];

export interface AucClassResult {
  id: number;
  name: string;
  isBackground: boolean;
  /** Area under the ROC curve; NaN when the class has no positive or no negative pixel. */
  rocAuc: number;
  /** Average precision (step-wise area under the precision-recall curve); NaN without positive pixels. */
  averagePrecision: number;
  positives: number;
  negatives: number;
  /** positives / (positives + negatives): the average precision of a random score. */
  prevalence: number;
}

export interface AucResult {
  classes: AucClassResult[];
  meanForegroundRocAuc: number;
  validForegroundRocAuc: number;
  meanForegroundAveragePrecision: number;
  validForegroundAveragePrecision: number;
  bins: number;
  method: string;
}

/** ROC-AUC from score histograms of positives and negatives (bin index increases with the score). */
export function rocAucFromHistograms(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  let P = 0;
  let N = 0;
  for (let b = 0; b < pos.length; b++) {
    P += pos[b];
    N += neg[b];
  }
  if (P === 0 || N === 0) return NaN;
  // Each negative scores against every positive above it (1) and in its own bin (1/2).
  let posAbove = 0;
  let area = 0;
  for (let b = pos.length - 1; b >= 0; b--) {
    area += neg[b] * (posAbove + 0.5 * pos[b]);
    posAbove += pos[b];
  }
  return area / (P * N);
}

/** Average precision = sum over thresholds (high to low) of (recall gain) x precision, as scikit-learn defines it. */
export function averagePrecisionFromHistograms(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  let P = 0;
  for (let b = 0; b < pos.length; b++) P += pos[b];
  if (P === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (let b = pos.length - 1; b >= 0; b--) {
    tp += pos[b];
    fp += neg[b];
    if (pos[b] > 0) ap += (pos[b] / P) * (tp / (tp + fp));
  }
  return ap;
}

const HARD_LABELS =
  'every score is exactly 0 or 1, so these look like hard labels (an argmax or a thresholded mask), not probabilities. ' +
  'An AUC of hard labels is a single point of the ROC curve; for an imbalanced class it sits at or near 0.5 whatever the model learnt ' +
  '("AUC exactly 0.5 every epoch" came from exactly this). Pass the softmax or sigmoid output instead.';

function checkScores(scores: unknown, expected: number, what: string): Float32Array {
  if (!(scores instanceof Float32Array)) {
    throw new ShapeError(`AUC needs probabilities as a Float32Array (${what}); got ${Object.prototype.toString.call(scores)}. Label maps and other integer arrays are not accepted.`, { what });
  }
  if (scores.length !== expected) {
    throw new ShapeError(`${what} has ${scores.length} values, expected ${expected}.`, { what, length: scores.length, expected });
  }
  return scores;
}

/** Throws unless every value is in [0, 1] and at least one is strictly between (when there is any value). */
function checkProbabilities(arrays: readonly Float32Array[], what: string): void {
  let soft = false;
  let any = false;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!(v >= 0 && v <= 1)) {
        throw new ShapeError(`${what}: value ${v} at index ${i} is not a probability in [0, 1]. If these are logits, apply softmax (or sigmoid) first.`, { what, index: i, value: v });
      }
      any = true;
      if (v !== 0 && v !== 1) soft = true;
    }
  }
  if (any && !soft) throw new ShapeError(`${what}: ${HARD_LABELS}`, { what, code: 'hard-labels' });
}

export class AucAccumulator {
  readonly numClasses: number;
  readonly bins: number;
  private readonly table: ClassTable;
  private readonly pos: (Float64Array | undefined)[];
  private readonly neg: (Float64Array | undefined)[];

  constructor(table: ClassTable, opts: { bins?: number } = {}) {
    this.table = table;
    this.numClasses = table.classes.length;
    this.bins = opts.bins ?? DEFAULT_AUC_BINS;
    if (!Number.isInteger(this.bins) || this.bins < 2 || this.bins > 1 << 24) {
      throw new ShapeError(`bins must be an integer in 2..${1 << 24}, got ${opts.bins}.`, { bins: opts.bins });
    }
    this.pos = new Array(this.numClasses).fill(undefined);
    this.neg = new Array(this.numClasses).fill(undefined);
  }

  private checkGt(gt: LabelMap): void {
    if (!(gt.data instanceof Uint8Array) || gt.data.length !== gt.width * gt.height) {
      throw new ShapeError(`The ground-truth label map has ${gt.data?.length} values for ${gt.width}x${gt.height} pixels.`, {});
    }
    for (let i = 0; i < gt.data.length; i++) {
      const g = gt.data[i];
      if (g >= this.numClasses && g !== IGNORE) {
        throw new ShapeError(`The ground truth contains ${g}, which is neither a class id 0..${this.numClasses - 1} nor IGNORE (${IGNORE}).`, { value: g });
      }
    }
  }

  private hist(c: number): [Float64Array, Float64Array] {
    const p = (this.pos[c] ??= new Float64Array(this.bins));
    const n = (this.neg[c] ??= new Float64Array(this.bins));
    return [p, n];
  }

  /** Adds one class's scores, reading the score of pixel i at scores[i * stride + offset]. */
  private addStrided(gt: Uint8Array, c: number, scores: Float32Array, stride: number, offset: number): void {
    const [p, n] = this.hist(c);
    const B = this.bins;
    const last = B - 1;
    for (let i = 0; i < gt.length; i++) {
      const g = gt[i];
      if (g === IGNORE) continue;
      let b = (scores[i * stride + offset] * B) | 0;
      if (b > last) b = last;
      if (g === c) p[b]++;
      else n[b]++;
    }
  }

  /** Adds one image: `probs` holds the probability of every class at every pixel (see ProbabilityMaps). */
  add(gt: LabelMap, probs: ProbabilityMaps): void {
    this.checkGt(gt);
    const K = this.numClasses;
    const n = gt.data.length;
    if (probs instanceof Float32Array) {
      checkScores(probs, n * K, `probabilities (pixels x ${K} classes)`);
      checkProbabilities([probs], 'probabilities');
      for (let c = 0; c < K; c++) this.addStrided(gt.data, c, probs, K, c);
      return;
    }
    if (!Array.isArray(probs) || probs.length !== K) {
      throw new ShapeError(`Expected one probability map per class (${K}), got ${Array.isArray(probs) ? probs.length : typeof probs}.`, { numClasses: K });
    }
    probs.forEach((m, c) => checkScores(m, n, `probability map of class ${c}`));
    checkProbabilities(probs, 'probabilities');
    probs.forEach((m, c) => this.addStrided(gt.data, c, m, 1, 0));
  }

  /**
   * Adds one image for a single class, one-vs-rest: `scores[i]` is the probability that pixel i
   * belongs to class `classId` (e.g. a sigmoid output).
   */
  addClass(gt: LabelMap, classId: number, scores: Float32Array): void {
    if (!Number.isInteger(classId) || classId < 0 || classId >= this.numClasses) {
      throw new ShapeError(`classId ${classId} is not a class id 0..${this.numClasses - 1}.`, { classId });
    }
    this.checkGt(gt);
    checkScores(scores, gt.data.length, `scores of class ${classId}`);
    checkProbabilities([scores], `scores of class ${classId}`);
    this.addStrided(gt.data, classId, scores, 1, 0);
  }

  result(): AucResult {
    const bg = backgroundId(this.table);
    const empty = new Float64Array(1);
    const classes: AucClassResult[] = this.table.classes.map((cls, c) => {
      const p = this.pos[c] ?? empty;
      const n = this.neg[c] ?? empty;
      let P = 0;
      let N = 0;
      for (let b = 0; b < p.length; b++) {
        P += p[b];
        N += n[b];
      }
      return {
        id: c,
        name: cls.name,
        isBackground: c === bg,
        rocAuc: rocAucFromHistograms(p, n),
        averagePrecision: averagePrecisionFromHistograms(p, n),
        positives: P,
        negatives: N,
        prevalence: P + N === 0 ? NaN : P / (P + N),
      };
    });
    const fg = classes.filter((c) => !c.isBackground);
    const roc = nanMean(fg.map((c) => c.rocAuc));
    const ap = nanMean(fg.map((c) => c.averagePrecision));
    return {
      classes,
      meanForegroundRocAuc: roc.value,
      validForegroundRocAuc: roc.valid,
      meanForegroundAveragePrecision: ap.value,
      validForegroundAveragePrecision: ap.valid,
      bins: this.bins,
      method: `pixel-level one-vs-rest from probabilities; ${this.bins} score bins over [0, 1] (scores closer than 1/${this.bins} count as ties); ROC-AUC with ties = 1/2 (trapezoid); average precision as in scikit-learn`,
    };
  }
}
