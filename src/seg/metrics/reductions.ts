// Named reductions of confusion counts into the figures the product shows. Each one says over what
// it averages; NaN values are skipped and the number of valid values is returned with the mean
// (MONAI `get_not_nans`), so "0.81 over 2 of 4 classes" can never pass for "0.81".
import { FN, FP, TN, TP, countsFromMatrix } from './confusion.ts';
import { dice, iou, precision, ratio, recall } from './scores.ts';

export interface NanMean {
  /** Mean of the defined values; NaN when none is defined. */
  value: number;
  /** How many values were defined (not NaN). */
  valid: number;
}

/** Mean of `values` (optionally only at `indices`) skipping NaN. */
export function nanMean(values: ArrayLike<number>, indices?: readonly number[]): NanMean {
  let sum = 0;
  let valid = 0;
  const n = indices ? indices.length : values.length;
  for (let k = 0; k < n; k++) {
    const v = values[indices ? indices[k] : k];
    if (Number.isNaN(v)) continue;
    sum += v;
    valid++;
  }
  return { value: valid === 0 ? NaN : sum / valid, valid };
}

export type CountMetric = 'dice' | 'iou' | 'precision' | 'recall';

/** A per-class score from a [tp, fp, fn, tn] record at `o` in `counts`. */
export function scoreAt(metric: CountMetric, counts: ArrayLike<number>, o: number): number {
  const tp = counts[o + TP];
  const fp = counts[o + FP];
  const fn = counts[o + FN];
  switch (metric) {
    case 'dice':
      return dice(tp, fp, fn);
    case 'iou':
      return iou(tp, fp, fn);
    case 'precision':
      return precision(tp, fp);
    case 'recall':
      return recall(tp, fn);
  }
}

/** One score per class from one image's (or summed) counts [K x 4]. */
export function perClass(metric: CountMetric, counts: ArrayLike<number>, numClasses: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < numClasses; c++) out.push(scoreAt(metric, counts, c * 4));
  return out;
}

/** Counts [images x K x 4] summed over images: "micro" over images. */
export function sumCounts(counts: Float64Array, images: number, numClasses: number): Float64Array {
  const KC = numClasses * 4;
  const out = new Float64Array(KC);
  for (let i = 0; i < images; i++) for (let j = 0; j < KC; j++) out[j] += counts[i * KC + j];
  return out;
}

/** Per class, the mean over images of the per-image score, NaN images skipped ("macro" over images). */
export function imageMean(metric: CountMetric, counts: Float64Array, images: number, numClasses: number): NanMean[] {
  const out: NanMean[] = [];
  const values = new Float64Array(images);
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0; i < images; i++) values[i] = scoreAt(metric, counts, (i * numClasses + c) * 4);
    out.push(nanMean(values));
  }
  return out;
}

/** Labelled pixels predicted correctly / labelled pixels (trace / sum of the K x K matrix). */
export function pixelAccuracy(matrix: ArrayLike<number>, numClasses: number): number {
  let correct = 0;
  let total = 0;
  for (let g = 0; g < numClasses; g++) {
    for (let p = 0; p < numClasses; p++) total += matrix[g * numClasses + p];
    correct += matrix[g * numClasses + g];
  }
  return ratio(correct, total);
}

/** Accuracy of predicting every labelled pixel as background: the background share of labelled pixels. */
export function allBackgroundAccuracy(matrix: ArrayLike<number>, numClasses: number, backgroundId: number): number {
  let bg = 0;
  let total = 0;
  for (let g = 0; g < numClasses; g++) {
    for (let p = 0; p < numClasses; p++) {
      const v = matrix[g * numClasses + p];
      total += v;
      if (g === backgroundId) bg += v;
    }
  }
  return ratio(bg, total);
}

/**
 * The Dice of common Keras recipes: 2 * sum over channels and pixels of y_true * y_pred divided by
 * sum(y_true) + sum(y_pred), on one-hot maps, no smoothing. Computed from its own definition; for
 * hard labels every pixel contributes 1 to both sums, so it equals pixel accuracy — a number the
 * background dominates. Shown only so the gap to meanForegroundDice is visible.
 */
export function channelSummedDice(matrix: ArrayLike<number>, numClasses: number): number {
  const counts = countsFromMatrix(matrix, numClasses);
  let inter = 0;
  let sums = 0;
  for (let c = 0; c < numClasses; c++) {
    const o = c * 4;
    inter += counts[o + TP];
    sums += 2 * counts[o + TP] + counts[o + FP] + counts[o + FN]; // |true_c| + |pred_c|
  }
  return ratio(2 * inter, sums);
}

/** Indices 0..K-1 without the background. */
export function foregroundIndices(numClasses: number, backgroundId: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < numClasses; c++) if (c !== backgroundId) out.push(c);
  return out;
}

/** Ground-truth and predicted pixel totals of each class from a [K x 4] counts record. */
export function classTotals(counts: ArrayLike<number>, c: number): { gtPixels: number; predPixels: number } {
  const o = c * 4;
  return { gtPixels: counts[o + TP] + counts[o + FN], predPixels: counts[o + TP] + counts[o + FP] };
}

/** One image's row for class c: its four counts, pixel totals and the count-based scores. */
export function imageClassScores(counts: ArrayLike<number>, c: number): { tp: number; fp: number; fn: number; tn: number; gtPixels: number; predPixels: number; dice: number; iou: number; precision: number; recall: number } {
  const o = c * 4;
  return {
    tp: counts[o + TP],
    fp: counts[o + FP],
    fn: counts[o + FN],
    tn: counts[o + TN],
    ...classTotals(counts, c),
    dice: scoreAt('dice', counts, o),
    iou: scoreAt('iou', counts, o),
    precision: scoreAt('precision', counts, o),
    recall: scoreAt('recall', counts, o),
  };
}
