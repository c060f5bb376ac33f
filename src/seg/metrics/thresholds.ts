// Thresholds of independent per-class probabilities (a sigmoid head, overlapping classes), and the
// per-class curves behind them. Everything works on score histograms of THRESHOLD_BINS equal bins
// over [0, 1], per class one for positive and one for negative pixels: any threshold on that grid
// gives exact counts (tp = positives in the bins at or above it, and so on), so choosing a
// threshold, scoring at it, ROC and PR curves, and the app's live "Dice at this threshold" all come
// from the same few kilobytes per class and agree with a pixel-by-pixel count.
//
// One rule decides whether a pixel is predicted as class k, everywhere (validation, report,
// `seglens predict`, the app): bin(p) >= bin(threshold), i.e. p >= t on the 1/1000 grid.

/** Score bins over [0, 1]; thresholds are multiples of 1 / THRESHOLD_BINS. */
export const THRESHOLD_BINS = 1000;

/** The rule thresholds are chosen by, stored with the model and printed in the report. */
export const THRESHOLD_RULE = 'max-dice-val';
export const THRESHOLD_RULE_TEXT =
  `per class, the threshold on a grid of 1/${THRESHOLD_BINS} that maximises that class's Dice (= pixel F1) of the counts summed over the validation images; ` +
  'the largest such threshold on ties; 0.5 for a class without positive pixels in validation (nothing to choose from). ' +
  'Figures on the validation split at thresholds chosen on it are optimistic; the test split, when there is one, is not.';

/** Thresholds moved by hand (the app's sliders) and saved with the model. */
export const HAND_THRESHOLD_RULE = 'set-by-hand';
export const HAND_THRESHOLD_RULE_TEXT = `set by hand in the app (threshold sliders); the validation record keeps the thresholds ${THRESHOLD_RULE} chose, and the report compares training's figures with its own at those`;

/** The bin of a probability (1.0 falls in the last bin). */
export function binOf(p: number, bins = THRESHOLD_BINS): number {
  const b = Math.floor(p * bins);
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}

/** The threshold's first bin: a pixel is positive when binOf(p) >= thresholdBin(t). */
export function thresholdBin(t: number, bins = THRESHOLD_BINS): number {
  return Math.min(bins - 1, Math.max(0, Math.round(t * bins)));
}

/** Whether probability `p` counts as the class at threshold `t` (the one rule, see above). */
export function atThreshold(p: number, t: number, bins = THRESHOLD_BINS): boolean {
  return binOf(p, bins) >= thresholdBin(t, bins);
}

/** tp, fp, fn, tn of one class at threshold bin `b` from its histograms. */
export function countsAtBin(pos: ArrayLike<number>, neg: ArrayLike<number>, b: number): { tp: number; fp: number; fn: number; tn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < pos.length; i++) {
    if (i >= b) {
      tp += pos[i];
      fp += neg[i];
    } else {
      fn += pos[i];
      tn += neg[i];
    }
  }
  return { tp, fp, fn, tn };
}

/** Dice at every threshold bin (NaN where undefined), one pass from the top bin down. */
export function diceByBin(pos: ArrayLike<number>, neg: ArrayLike<number>): Float64Array {
  let P = 0;
  for (let i = 0; i < pos.length; i++) P += pos[i];
  const out = new Float64Array(pos.length);
  let tp = 0;
  let fp = 0;
  for (let b = pos.length - 1; b >= 0; b--) {
    tp += pos[b];
    fp += neg[b];
    const den = 2 * tp + fp + (P - tp);
    out[b] = den > 0 ? (2 * tp) / den : NaN;
  }
  return out;
}

/** The chosen threshold of one class (THRESHOLD_RULE) and the validation Dice it gives. */
export function chooseThreshold(pos: ArrayLike<number>, neg: ArrayLike<number>): { threshold: number; dice: number } {
  const bins = pos.length;
  let P = 0;
  for (let i = 0; i < bins; i++) P += pos[i];
  const d = diceByBin(pos, neg);
  if (P === 0) return { threshold: 0.5, dice: d[thresholdBin(0.5, bins)] };
  let best = -1;
  let bestBin = thresholdBin(0.5, bins);
  for (let b = bins - 1; b >= 0; b--) {
    if (d[b] > best) {
      best = d[b];
      bestBin = b;
    }
  }
  return { threshold: bestBin / bins, dice: best };
}

export interface CurvePoint {
  threshold: number;
  /** ROC: false-positive rate (x) and true-positive rate (y). */
  fpr: number;
  tpr: number;
  /** PR: recall (= tpr) and precision (null where nothing is predicted). */
  precision: number | null;
  dice: number | null;
}

/** ROC and PR points at every `step`-th threshold bin, from 1 down to 0 (for plots and the app). */
export function curvePoints(pos: ArrayLike<number>, neg: ArrayLike<number>, step = 10): CurvePoint[] {
  const bins = pos.length;
  let P = 0;
  let N = 0;
  for (let i = 0; i < bins; i++) {
    P += pos[i];
    N += neg[i];
  }
  const out: CurvePoint[] = [{ threshold: 1, fpr: 0, tpr: 0, precision: null, dice: P > 0 ? 0 : null }];
  let tp = 0;
  let fp = 0;
  for (let b = bins - 1; b >= 0; b--) {
    tp += pos[b];
    fp += neg[b];
    if (b % step !== 0) continue;
    const den = 2 * tp + fp + (P - tp);
    out.push({
      threshold: b / bins,
      fpr: N > 0 ? fp / N : 0,
      tpr: P > 0 ? tp / P : 0,
      precision: tp + fp > 0 ? tp / (tp + fp) : null,
      dice: den > 0 ? (2 * tp) / den : null,
    });
  }
  return out;
}
