// Confusion counts of one image: the K x K pixel confusion matrix (row = ground-truth class,
// column = predicted class) and, derived from it, the one-vs-rest tp/fp/fn/tn of every class.
// Every other figure of the metrics module is computed from these counts and nothing else.
//
// Pixels whose ground truth is IGNORE are left out of everything (they are not in the matrix, so
// not in any tp/fp/fn/tn, accuracy or Dice). A prediction never abstains: a predicted IGNORE is a
// ShapeError, because counting it as "excluded" would let a model skip its hard pixels and score
// better for it.
import { ShapeError } from '../errors.ts';
import { IGNORE, MAX_CLASSES } from '../types.ts';
import type { LabelMap } from '../types.ts';

/** Offsets of the four counts in a class's record of a counts array ([... classes x 4]). */
export const TP = 0;
export const FP = 1;
export const FN = 2;
export const TN = 3;

export interface PixelConfusion {
  numClasses: number;
  /** K x K counts, row-major: matrix[g * K + p] = pixels of ground-truth class g predicted as p. */
  matrix: Float64Array;
  /** Pixels whose ground truth is IGNORE (excluded from the matrix). */
  ignored: number;
}

// One joint histogram of (gt << 8 | pred) over all 256 x 256 byte pairs: a single branch-free pass
// over the pixels; class ids are validated afterwards on the 65536 bins, not per pixel. Shared
// scratch is safe because the pass is synchronous.
const joint = new Uint32Array(65536);

function checkNumClasses(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > MAX_CLASSES) {
    throw new ShapeError(`numClasses must be an integer in 1..${MAX_CLASSES}, got ${numClasses}.`, { numClasses });
  }
}

function checkMap(m: LabelMap, role: string): void {
  if (!(m.data instanceof Uint8Array) || m.data.length !== m.width * m.height) {
    throw new ShapeError(`The ${role} label map has ${m.data?.length} values for ${m.width}x${m.height} pixels.`, {
      role,
      width: m.width,
      height: m.height,
      length: m.data?.length,
    });
  }
}

/** Counts one image. Throws ShapeError on size mismatch, unknown class ids, or a predicted IGNORE. */
export function pixelConfusion(gt: LabelMap, pred: LabelMap, numClasses: number): PixelConfusion {
  checkNumClasses(numClasses);
  checkMap(gt, 'ground-truth');
  checkMap(pred, 'predicted');
  if (gt.width !== pred.width || gt.height !== pred.height) {
    throw new ShapeError(`Ground truth is ${gt.width}x${gt.height} but the prediction is ${pred.width}x${pred.height}.`, {
      gt: [gt.width, gt.height],
      pred: [pred.width, pred.height],
    });
  }
  const g = gt.data;
  const p = pred.data;
  const n = g.length;
  joint.fill(0);
  for (let i = 0; i < n; i++) joint[(g[i] << 8) | p[i]]++;

  const K = numClasses;
  const matrix = new Float64Array(K * K);
  let ignored = 0;
  const badGt = new Map<number, number>();
  const badPred = new Map<number, number>();
  for (let gv = 0; gv < 256; gv++) {
    const row = gv << 8;
    for (let pv = 0; pv < 256; pv++) {
      const c = joint[row | pv];
      if (c === 0) continue;
      if (pv >= K) badPred.set(pv, (badPred.get(pv) ?? 0) + c);
      if (gv === IGNORE) ignored += c;
      else if (gv >= K) badGt.set(gv, (badGt.get(gv) ?? 0) + c);
      else if (pv < K) matrix[gv * K + pv] = c;
    }
  }
  if (badPred.size > 0) {
    const list = [...badPred].map(([v, c]) => `${v} (${c} px)`).join(', ');
    const why = badPred.has(IGNORE) ? ` ${IGNORE} is the IGNORE value: a prediction must give every pixel a class.` : '';
    throw new ShapeError(`The prediction contains values that are not class ids 0..${K - 1}: ${list}.${why}`, {
      numClasses: K,
      values: Object.fromEntries(badPred),
    });
  }
  if (badGt.size > 0) {
    const list = [...badGt].map(([v, c]) => `${v} (${c} px)`).join(', ');
    throw new ShapeError(`The ground truth contains values that are neither class ids 0..${K - 1} nor IGNORE (${IGNORE}): ${list}.`, {
      numClasses: K,
      values: Object.fromEntries(badGt),
    });
  }
  return { numClasses: K, matrix, ignored };
}

/**
 * One-vs-rest counts of every class from a K x K matrix, written as [tp, fp, fn, tn] per class
 * into `out` at `offset` (a fresh Float64Array(K * 4) by default).
 */
export function countsFromMatrix(matrix: ArrayLike<number>, numClasses: number, out = new Float64Array(numClasses * 4), offset = 0): Float64Array {
  const K = numClasses;
  let total = 0;
  for (let i = 0; i < K * K; i++) total += matrix[i];
  for (let c = 0; c < K; c++) {
    let rowSum = 0; // ground-truth pixels of c
    let colSum = 0; // pixels predicted as c
    for (let j = 0; j < K; j++) {
      rowSum += matrix[c * K + j];
      colSum += matrix[j * K + c];
    }
    const tp = matrix[c * K + c];
    const o = offset + c * 4;
    out[o + TP] = tp;
    out[o + FP] = colSum - tp;
    out[o + FN] = rowSum - tp;
    out[o + TN] = total - rowSum - colSum + tp;
  }
  return out;
}

/** Sum of K x K matrices stored one after another in `matrices`. */
export function sumMatrices(matrices: Float64Array, count: number, numClasses: number): Float64Array {
  const KK = numClasses * numClasses;
  const sum = new Float64Array(KK);
  for (let i = 0; i < count; i++) for (let j = 0; j < KK; j++) sum[j] += matrices[i * KK + j];
  return sum;
}

/**
 * The matrix the trivial "everything is background" prediction would give on the same labelled
 * pixels: every ground-truth row's pixels moved into the background column.
 */
export function allBackgroundMatrix(matrix: ArrayLike<number>, numClasses: number, backgroundId: number): Float64Array {
  const K = numClasses;
  const out = new Float64Array(K * K);
  for (let g = 0; g < K; g++) {
    let rowSum = 0;
    for (let p = 0; p < K; p++) rowSum += matrix[g * K + p];
    out[g * K + backgroundId] = rowSum;
  }
  return out;
}
