// Evaluation of independent per-class probabilities against multi-label ground truth (overlapping
// classes: src/seg/overlap-bits.ts). Each class is its own binary problem: class k's tp/fp/fn/tn
// count pixels that are / are predicted k, whatever other classes they also have. The result has
// the shape of EvalResult (so the trainer's record, the audit and the report read it unchanged),
// every per-class figure at the class's threshold, plus per class the threshold, the pixel ROC-AUC,
// the average precision and the ROC/PR curve (`multiLabel`).
//
// Per image and class only two score histograms are kept (thresholds.ts), so thresholds can be
// chosen after the last image and every figure recomputed at any thresholds without predicting
// again. Figures that have no meaning for overlapping classes are named for what they are here:
// `pixelAccuracy` is the share of correct (pixel, class) decisions (label-wise accuracy, the
// figure that looks excellent only because most labels are 0), and `confusion[g][p]` counts
// pixels that are g and predicted p (a pixel may count in several cells); it is computed only when
// the thresholds are known before the images (the report), else left at zero.
import { backgroundId } from '../classes.ts';
import type { ClassTable } from '../classes.ts';
import { ShapeError } from '../errors.ts';
import { hasClass } from '../overlap-bits.ts';
import { IGNORE } from '../types.ts';
import type { LabelMap } from '../types.ts';
import { averagePrecisionFromHistograms, rocAucFromHistograms } from './auc.ts';
import { FN, FP, TN, TP } from './confusion.ts';
import { classTotals, foregroundIndices, imageClassScores, imageMean, nanMean, perClass, sumCounts } from './reductions.ts';
import { ratio } from './scores.ts';
import { POLICY_NAMES } from './result.ts';
import type { BaselineResult, EvalResult, ImageResult } from './result.ts';
import { binOf, chooseThreshold, curvePoints, THRESHOLD_BINS, THRESHOLD_RULE, THRESHOLD_RULE_TEXT, thresholdBin } from './thresholds.ts';
import type { CurvePoint } from './thresholds.ts';

export interface MultiLabelClass {
  id: number;
  name: string;
  isBackground: boolean;
  /** The threshold every figure of this class is computed at. */
  threshold: number;
  /** Pixel ROC-AUC from the probabilities (NaN without positive or negative pixels). */
  auc: number;
  averagePrecision: number;
  positives: number;
  negatives: number;
  /** positives / (positives + negatives): the average precision of a random score. */
  prevalence: number;
  /** ROC and PR points every 1/100. */
  curve: CurvePoint[];
}

export interface MultiLabelSummary {
  /** How the thresholds were chosen (THRESHOLD_RULE), or 'given' when they were passed in. */
  thresholdRule: string;
  thresholdRuleText: string;
  bins: number;
  classes: MultiLabelClass[];
  /** Mean over foreground classes of the per-class pixel ROC-AUC (NaN classes skipped). */
  meanForegroundAuc: number;
  meanForegroundAveragePrecision: number;
  aucMethod: string;
  /** K x K ground-truth pixels that are both classes (diagonal: pixels of the class). */
  truthCooccurrence: number[][];
  /**
   * K x K pixels of ground-truth class g (row) predicted as class p (column) at the thresholds;
   * null when the thresholds were not known before the images (validation chooses them after).
   */
  predictedOnTruth: number[][] | null;
}

/** An EvalResult of overlapping classes (see the file comment). */
export type MultiLabelEvalResult = EvalResult & { multiLabel: MultiLabelSummary };

export class MultiLabelAccumulator {
  readonly numClasses: number;
  readonly backgroundId: number;
  private readonly table: ClassTable;
  private readonly names: string[] = [];
  /** Per image: K positive and K negative histograms, one after another. */
  private readonly hists: Float64Array[] = [];
  private readonly ignored: number[] = [];
  private readonly cross: Float64Array;
  private readonly truth: Float64Array;
  private readonly fixed: readonly number[] | undefined;
  /** Some image came as hard 0/1 predictions (addHard): no AUC, AP or curve can be given. */
  private hard = false;

  /** `thresholds` known in advance (a trained model's) also give the cross-class `confusion`. */
  constructor(table: ClassTable, thresholds?: readonly number[]) {
    this.table = table;
    this.numClasses = table.classes.length;
    this.backgroundId = backgroundId(table);
    if (thresholds && thresholds.length !== this.numClasses) throw new ShapeError(`${thresholds.length} thresholds for ${this.numClasses} classes.`);
    this.fixed = thresholds;
    this.cross = new Float64Array(this.numClasses * this.numClasses);
    this.truth = new Float64Array(this.numClasses * this.numClasses);
  }

  get size(): number {
    return this.names.length;
  }

  /** One image: its multi-label ground truth and its probabilities (pixels x K, pixel-major). */
  add(name: string, gt: LabelMap, probs: Float32Array): void {
    const K = this.numClasses;
    const n = gt.width * gt.height;
    if (gt.data.length !== n || probs.length !== n * K) {
      throw new ShapeError(`${name}: ${probs.length} probabilities and ${gt.data.length} labels do not fit ${gt.width} x ${gt.height} x ${K}.`, { name });
    }
    const B = THRESHOLD_BINS;
    const h = new Float64Array(2 * K * B);
    const tb = this.fixed?.map((t) => thresholdBin(t));
    const predicted = new Uint8Array(K);
    let ignored = 0;
    for (let i = 0; i < n; i++) {
      const v = gt.data[i];
      if (v === IGNORE) {
        ignored++;
        continue;
      }
      for (let k = 0; k < K; k++) {
        const b = binOf(probs[i * K + k]);
        const p = hasClass(v, k);
        h[(p ? k : K + k) * B + b]++;
        if (tb) predicted[k] = b >= tb[k] ? 1 : 0;
      }
      if (tb) for (let g = 0; g < K; g++) if (hasClass(v, g)) for (let k = 0; k < K; k++) this.cross[g * K + k] += predicted[k];
    }
    const values = new Float64Array(256);
    for (let i = 0; i < n; i++) values[gt.data[i]]++;
    for (let v = 0; v < IGNORE; v++) {
      if (!values[v]) continue;
      for (let a = 0; a < K; a++) if (hasClass(v, a)) for (let b = 0; b < K; b++) if (hasClass(v, b)) this.truth[a * K + b] += values[v];
    }
    this.names.push(name);
    this.hists.push(h);
    this.ignored.push(ignored);
  }

  /**
   * One image whose prediction is already thresholded (class bits, e.g. stored per-class masks):
   * counted at any threshold as predicted exactly where its bit is. AUC, AP and curves are then
   * undefined (they need probabilities; an AUC of hard labels is one point of the curve).
   */
  addHard(name: string, gt: LabelMap, pred: LabelMap): void {
    const K = this.numClasses;
    const n = gt.width * gt.height;
    if (pred.width !== gt.width || pred.height !== gt.height) throw new ShapeError(`${name}: the prediction is ${pred.width} x ${pred.height}, the ground truth ${gt.width} x ${gt.height}.`, { name });
    const probs = new Float32Array(n * K);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) probs[i * K + k] = hasClass(pred.data[i], k) ? 1 : 0;
    this.hard = true;
    this.add(name, gt, probs);
  }

  /** Summed positive and negative histograms of class k over all images so far. */
  histograms(k: number): { pos: Float64Array; neg: Float64Array } {
    const B = THRESHOLD_BINS;
    const K = this.numClasses;
    const pos = new Float64Array(B);
    const neg = new Float64Array(B);
    for (const h of this.hists) {
      for (let b = 0; b < B; b++) {
        pos[b] += h[k * B + b];
        neg[b] += h[(K + k) * B + b];
      }
    }
    return { pos, neg };
  }

  /** Per class, the threshold THRESHOLD_RULE chooses on the images added so far. */
  chooseThresholds(): number[] {
    return Array.from({ length: this.numClasses }, (_, k) => {
      const { pos, neg } = this.histograms(k);
      return chooseThreshold(pos, neg).threshold;
    });
  }

  /** [images x K x 4] tp/fp/fn/tn at the thresholds. */
  private counts(thresholds: readonly number[]): Float64Array {
    const K = this.numClasses;
    const B = THRESHOLD_BINS;
    const out = new Float64Array(this.size * K * 4);
    this.hists.forEach((h, i) => {
      for (let k = 0; k < K; k++) {
        const t = thresholdBin(thresholds[k]);
        const o = (i * K + k) * 4;
        for (let b = 0; b < B; b++) {
          const p = h[k * B + b];
          const q = h[(K + k) * B + b];
          if (b >= t) {
            out[o + TP] += p;
            out[o + FP] += q;
          } else {
            out[o + FN] += p;
            out[o + TN] += q;
          }
        }
      }
    });
    return out;
  }

  /** Every figure at `thresholds` (default: the ones given to the constructor, else chosen now). */
  result(thresholds?: readonly number[]): MultiLabelEvalResult {
    const K = this.numClasses;
    const n = this.size;
    const bg = this.backgroundId;
    const given = thresholds ?? this.fixed;
    const th = given ?? this.chooseThresholds();
    const all = this.counts(th);
    const base = evalFromCounts(this.table, this.names, all, this.ignored, baselineCounts(all, n, K, bg));
    const square = (m: Float64Array) => Array.from({ length: K }, (_, g) => Array.from({ length: K }, (_, p) => m[g * K + p]));
    const known = this.fixed !== undefined && (!thresholds || thresholds.every((t, k) => t === this.fixed![k]));
    const confusion = known ? square(this.cross) : square(new Float64Array(K * K));
    const classes = this.table.classes.map((c, k): MultiLabelClass => {
      const { pos, neg } = this.histograms(k);
      const P = pos.reduce((a, b) => a + b, 0);
      const N = neg.reduce((a, b) => a + b, 0);
      return {
        id: k,
        name: c.name,
        isBackground: k === bg,
        threshold: th[k],
        auc: this.hard ? NaN : rocAucFromHistograms(pos, neg),
        averagePrecision: this.hard ? NaN : averagePrecisionFromHistograms(pos, neg),
        positives: P,
        negatives: N,
        prevalence: P + N > 0 ? P / (P + N) : NaN,
        curve: this.hard ? [] : curvePoints(pos, neg),
      };
    });
    const fg = foregroundIndices(K, bg);
    return {
      ...base,
      classes: base.classes.map((c, k) => ({ ...c, threshold: th[k], auc: classes[k].auc, averagePrecision: classes[k].averagePrecision })),
      confusion,
      multiLabel: {
        thresholdRule: given ? 'given' : THRESHOLD_RULE,
        thresholdRuleText: given ? 'the thresholds stored with the model' : THRESHOLD_RULE_TEXT,
        bins: THRESHOLD_BINS,
        classes,
        meanForegroundAuc: nanMean(classes.map((c) => c.auc), fg).value,
        meanForegroundAveragePrecision: nanMean(classes.map((c) => c.averagePrecision), fg).value,
        truthCooccurrence: square(this.truth),
        predictedOnTruth: known ? square(this.cross) : null,
        aucMethod: this.hard ? 'not available: the predictions were already thresholded (AUC and AP need probabilities)' : `pixel-level, each class against its absence (overlapping classes), from probabilities; ${THRESHOLD_BINS} score bins over [0, 1] (scores in one bin count as ties, 1/2 in ROC-AUC); average precision as in scikit-learn`,
      },
    };
  }
}

/** The all-background prediction per image: background everywhere, no foreground class anywhere. */
function baselineCounts(all: Float64Array, n: number, K: number, bg: number): Float64Array {
  const out = new Float64Array(all.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const o = (i * K + k) * 4;
      const P = all[o + TP] + all[o + FN];
      const N = all[o + FP] + all[o + TN];
      if (k === bg) [out[o + TP], out[o + FP], out[o + FN], out[o + TN]] = [P, N, 0, 0];
      else [out[o + TP], out[o + FP], out[o + FN], out[o + TN]] = [0, 0, P, N];
    }
  }
  return out;
}

/** Label-wise accuracy of [K x 4] counts: correct (pixel, class) decisions over all of them. */
function labelAccuracy(c: ArrayLike<number>, K: number): number {
  let right = 0;
  let total = 0;
  for (let k = 0; k < K; k++) {
    right += c[k * 4 + TP] + c[k * 4 + TN];
    total += c[k * 4 + TP] + c[k * 4 + FP] + c[k * 4 + FN] + c[k * 4 + TN];
  }
  return ratio(right, total);
}

/** Dice of all channels' counts summed (the Keras recipe) from [K x 4] counts. */
function summedDice(c: ArrayLike<number>, K: number): number {
  let inter = 0;
  let sums = 0;
  for (let k = 0; k < K; k++) {
    inter += c[k * 4 + TP];
    sums += 2 * c[k * 4 + TP] + c[k * 4 + FP] + c[k * 4 + FN];
  }
  return ratio(2 * inter, sums);
}

function evalFromCounts(table: ClassTable, names: readonly string[], all: Float64Array, ignored: readonly number[], base: Float64Array): EvalResult {
  const K = table.classes.length;
  const n = names.length;
  const bg = backgroundId(table);
  const fgIds = foregroundIndices(K, bg);
  const summed = sumCounts(all, n, K);
  const baseSummed = sumCounts(base, n, K);
  const dice = perClass('dice', summed, K);
  const iou = perClass('iou', summed, K);
  const prec = perClass('precision', summed, K);
  const rec = perClass('recall', summed, K);
  const diceMean = imageMean('dice', all, n, K);
  const iouMean = imageMean('iou', all, n, K);
  // A pixel is labelled when its ground truth is not IGNORE: every class counts it once.
  const labelledOf = (c: ArrayLike<number>) => c[0 + TP] + c[0 + FP] + c[0 + FN] + c[0 + TN];
  const fg = nanMean(dice, fgIds);
  const withBg = nanMean(dice);
  const imageResult = (i: number): ImageResult => {
    const c = all.subarray(i * K * 4, (i + 1) * K * 4);
    const b = base.subarray(i * K * 4, (i + 1) * K * 4);
    const d = perClass('dice', c, K);
    const f = nanMean(d, fgIds);
    return {
      name: names[i],
      labelledPixels: labelledOf(c),
      ignoredPixels: ignored[i],
      classes: table.classes.map((cls, k) => ({ name: cls.name, ...imageClassScores(c, k) })),
      meanForegroundDice: f.value,
      validForegroundClasses: f.valid,
      meanDiceWithBackground: nanMean(d).value,
      pixelAccuracy: labelAccuracy(c, K),
      allBackgroundAccuracy: labelAccuracy(b, K),
      confusion: [],
    };
  };
  const baseDice = perClass('dice', baseSummed, K);
  const baseIou = perClass('iou', baseSummed, K);
  const baseDiceMean = imageMean('dice', base, n, K);
  const baseFg = nanMean(baseDice, fgIds);
  const baseline: BaselineResult = {
    classes: table.classes.map((c, k) => ({ name: c.name, dice: baseDice[k], iou: baseIou[k], diceImageMean: baseDiceMean[k].value })),
    meanForegroundDice: baseFg.value,
    validForegroundClasses: baseFg.valid,
    meanForegroundIoU: nanMean(baseIou, fgIds).value,
    meanDiceWithBackground: nanMean(baseDice).value,
    channelSummedDice: summedDice(baseSummed, K),
    pixelAccuracy: labelAccuracy(baseSummed, K),
  };
  return {
    classes: table.classes.map((name, c) => {
      let imagesWithClass = 0;
      for (let i = 0; i < n; i++) if (all[(i * K + c) * 4 + TP] + all[(i * K + c) * 4 + FN] > 0) imagesWithClass++;
      return {
        id: c,
        name: name.name,
        isBackground: c === bg,
        dice: dice[c],
        iou: iou[c],
        precision: prec[c],
        recall: rec[c],
        diceImageMean: diceMean[c].value,
        iouImageMean: iouMean[c].value,
        validImages: diceMean[c].valid,
        imagesWithClass,
        ...classTotals(summed, c),
        tp: summed[c * 4 + TP],
        fp: summed[c * 4 + FP],
        fn: summed[c * 4 + FN],
        tn: summed[c * 4 + TN],
      };
    }),
    backgroundClass: table.classes[bg].name,
    meanForegroundDice: fg.value,
    validForegroundClasses: fg.valid,
    meanForegroundIoU: nanMean(iou, fgIds).value,
    meanDiceWithBackground: withBg.value,
    validClasses: withBg.valid,
    channelSummedDice: summedDice(summed, K),
    pixelAccuracy: labelAccuracy(summed, K),
    allBackgroundAccuracy: labelAccuracy(baseSummed, K),
    baseline,
    images: n,
    labelledPixels: labelledOf(summed),
    ignoredPixels: ignored.reduce((a, b) => a + b, 0),
    perImage: names.map((_, i) => imageResult(i)),
    confusion: [],
    policy: {
      ...POLICY_NAMES,
      perClass: `${POLICY_NAMES.perClass}; overlapping classes: each class scored as its own binary target at its threshold`,
    },
  };
}
