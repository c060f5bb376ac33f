// Evaluation of predicted label maps against ground truth, image by image. The Accumulator keeps
// only the K x K confusion matrix of each image (never the masks), so the trainer can validate one
// image at a time and the CLI can stream files; `result()` derives every figure from those counts.
import { backgroundId } from '../classes.ts';
import type { ClassTable } from '../classes.ts';
import type { LabelMap } from '../types.ts';
import { FN, FP, TN, TP, allBackgroundMatrix, countsFromMatrix, pixelConfusion, sumMatrices } from './confusion.ts';
import {
  allBackgroundAccuracy,
  channelSummedDice,
  classTotals,
  foregroundIndices,
  imageClassScores,
  imageMean,
  nanMean,
  perClass,
  pixelAccuracy,
  sumCounts,
} from './reductions.ts';
import { POLICY_NAMES } from './result.ts';
import type { BaselineResult, ClassResult, EvalResult, ImageResult } from './result.ts';

export interface EvalPair {
  name: string;
  gt: LabelMap;
  pred: LabelMap;
}

/** Growable Float64Array: amortised O(1) append of fixed-size records. */
class Records {
  private buf: Float64Array;
  length = 0;
  constructor(private readonly width: number) {
    this.buf = new Float64Array(width * 16);
  }
  push(rec: ArrayLike<number>): void {
    if ((this.length + 1) * this.width > this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf.set(rec, this.length * this.width);
    this.length++;
  }
  view(): Float64Array {
    return this.buf.subarray(0, this.length * this.width);
  }
}

function toRows(matrix: ArrayLike<number>, K: number): number[][] {
  const rows: number[][] = [];
  for (let g = 0; g < K; g++) rows.push(Array.from({ length: K }, (_, p) => matrix[g * K + p]));
  return rows;
}

export class Accumulator {
  readonly numClasses: number;
  readonly backgroundId: number;
  readonly classNames: readonly string[];
  private readonly names: string[] = [];
  private readonly matrices: Records;
  private readonly countRecords: Records;
  private readonly ignored: number[] = [];

  constructor(table: ClassTable) {
    this.numClasses = table.classes.length;
    this.backgroundId = backgroundId(table);
    this.classNames = table.classes.map((c) => c.name);
    this.matrices = new Records(this.numClasses * this.numClasses);
    this.countRecords = new Records(this.numClasses * 4);
  }

  /** Number of images added so far. */
  get size(): number {
    return this.names.length;
  }

  /** Counts one image (one pass over its pixels) and returns its per-image figures. */
  add(name: string, gt: LabelMap, pred: LabelMap): ImageResult {
    const { matrix, ignored } = pixelConfusion(gt, pred, this.numClasses);
    this.names.push(name);
    this.matrices.push(matrix);
    this.countRecords.push(countsFromMatrix(matrix, this.numClasses));
    this.ignored.push(ignored);
    return this.imageResult(this.size - 1);
  }

  /** tp, fp, fn, tn per image x class: [images x K x 4], offsets TP/FP/FN/TN. A copy. */
  counts(): Float64Array {
    return this.countRecords.view().slice();
  }

  /** K x K matrix per image, one after another: [images x K x K]. A copy. */
  confusionMatrices(): Float64Array {
    return this.matrices.view().slice();
  }

  private imageResult(i: number): ImageResult {
    const K = this.numClasses;
    const matrix = this.matrices.view().subarray(i * K * K, (i + 1) * K * K);
    const counts = this.countRecords.view().subarray(i * K * 4, (i + 1) * K * 4);
    const dice = perClass('dice', counts, K);
    const fg = nanMean(dice, foregroundIndices(K, this.backgroundId));
    let labelled = 0;
    for (let j = 0; j < K * K; j++) labelled += matrix[j];
    return {
      name: this.names[i],
      labelledPixels: labelled,
      ignoredPixels: this.ignored[i],
      classes: this.classNames.map((name, c) => ({ name, ...imageClassScores(counts, c) })),
      meanForegroundDice: fg.value,
      validForegroundClasses: fg.valid,
      meanDiceWithBackground: nanMean(dice).value,
      pixelAccuracy: pixelAccuracy(matrix, K),
      allBackgroundAccuracy: allBackgroundAccuracy(matrix, K, this.backgroundId),
      confusion: toRows(matrix, K),
    };
  }

  private baseline(): BaselineResult {
    const K = this.numClasses;
    const n = this.size;
    const mats = this.matrices.view();
    const counts = new Float64Array(n * K * 4);
    for (let i = 0; i < n; i++) {
      const m = allBackgroundMatrix(mats.subarray(i * K * K, (i + 1) * K * K), K, this.backgroundId);
      countsFromMatrix(m, K, counts, i * K * 4);
    }
    const summed = sumCounts(counts, n, K);
    const matrix = allBackgroundMatrix(sumMatrices(mats, n, K), K, this.backgroundId);
    const dice = perClass('dice', summed, K);
    const iou = perClass('iou', summed, K);
    const diceMean = imageMean('dice', counts, n, K);
    const fgIds = foregroundIndices(K, this.backgroundId);
    const fg = nanMean(dice, fgIds);
    return {
      classes: this.classNames.map((name, c) => ({ name, dice: dice[c], iou: iou[c], diceImageMean: diceMean[c].value })),
      meanForegroundDice: fg.value,
      validForegroundClasses: fg.valid,
      meanForegroundIoU: nanMean(iou, fgIds).value,
      meanDiceWithBackground: nanMean(dice).value,
      channelSummedDice: channelSummedDice(matrix, K),
      pixelAccuracy: pixelAccuracy(matrix, K),
    };
  }

  /** Every figure of the images added so far. Can be called again after more images are added. */
  result(): EvalResult {
    const K = this.numClasses;
    const n = this.size;
    const bg = this.backgroundId;
    const allCounts = this.countRecords.view();
    const summed = sumCounts(allCounts, n, K);
    const matrix = sumMatrices(this.matrices.view(), n, K);
    const dice = perClass('dice', summed, K);
    const iou = perClass('iou', summed, K);
    const prec = perClass('precision', summed, K);
    const rec = perClass('recall', summed, K);
    const diceMean = imageMean('dice', allCounts, n, K);
    const iouMean = imageMean('iou', allCounts, n, K);
    const imagesWithClass = new Array<number>(K).fill(0);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < K; c++) {
        const o = (i * K + c) * 4;
        if (allCounts[o + TP] + allCounts[o + FN] > 0) imagesWithClass[c]++;
      }
    }
    const classes: ClassResult[] = this.classNames.map((name, c) => ({
      id: c,
      name,
      isBackground: c === bg,
      dice: dice[c],
      iou: iou[c],
      precision: prec[c],
      recall: rec[c],
      diceImageMean: diceMean[c].value,
      iouImageMean: iouMean[c].value,
      validImages: diceMean[c].valid,
      imagesWithClass: imagesWithClass[c],
      ...classTotals(summed, c),
      tp: summed[c * 4 + TP],
      fp: summed[c * 4 + FP],
      fn: summed[c * 4 + FN],
      tn: summed[c * 4 + TN],
    }));
    const fgIds = foregroundIndices(K, bg);
    const fg = nanMean(dice, fgIds);
    const all = nanMean(dice);
    let labelled = 0;
    for (let j = 0; j < K * K; j++) labelled += matrix[j];
    return {
      classes,
      backgroundClass: this.classNames[bg],
      meanForegroundDice: fg.value,
      validForegroundClasses: fg.valid,
      meanForegroundIoU: nanMean(iou, fgIds).value,
      meanDiceWithBackground: all.value,
      validClasses: all.valid,
      channelSummedDice: channelSummedDice(matrix, K),
      pixelAccuracy: pixelAccuracy(matrix, K),
      allBackgroundAccuracy: allBackgroundAccuracy(matrix, K, bg),
      baseline: this.baseline(),
      images: n,
      labelledPixels: labelled,
      ignoredPixels: this.ignored.reduce((a, b) => a + b, 0),
      perImage: this.names.map((_, i) => this.imageResult(i)),
      confusion: toRows(matrix, K),
      policy: { ...POLICY_NAMES },
    };
  }
}

/** Evaluates all pairs at once (an Accumulator fed in order). */
export function evaluate(pairs: Iterable<EvalPair>, table: ClassTable): EvalResult {
  const acc = new Accumulator(table);
  for (const p of pairs) acc.add(p.name, p.gt, p.pred);
  return acc.result();
}
