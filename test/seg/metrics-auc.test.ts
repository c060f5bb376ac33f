// Pixel ROC-AUC and average precision from probabilities: against a brute-force pairwise AUC and a
// brute-force threshold sweep on small random data, known cases, and the refusal of hard labels.
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { parseClassTable } from '../../src/seg/classes.ts';
import { ShapeError } from '../../src/seg/errors.ts';
import { IGNORE } from '../../src/seg/types.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import { AucAccumulator, averagePrecisionFromHistograms, rocAucFromHistograms } from '../../src/seg/metrics/index.ts';

const table3 = parseClassTable({
  classes: [
    { name: 'bg', values: [0], color: '#000000' },
    { name: 'a', values: [1], color: '#ff0000' },
    { name: 'b', values: [2], color: '#00ff00' },
  ],
  background: 'bg',
});
const table2 = parseClassTable({
  classes: [
    { name: 'bg', values: [0], color: '#000000' },
    { name: 'fg', values: [1], color: '#ff0000' },
  ],
  background: 'bg',
});

const lm = (values: number[]): LabelMap => ({ width: values.length, height: 1, data: Uint8Array.from(values) });
/** Binary [1 - p, p] pixel-major probabilities for table2. */
const binary = (p: number[]): Float32Array => Float32Array.from(p.flatMap((v) => [1 - v, v]));

/** P(score of a positive > score of a negative) + 1/2 P(equal), over all pairs. */
function pairwiseAuc(scores: number[], positive: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((sp, i) => {
    if (!positive[i]) return;
    scores.forEach((sn, j) => {
      if (positive[j]) return;
      pairs++;
      wins += sp > sn ? 1 : sp === sn ? 0.5 : 0;
    });
  });
  return pairs === 0 ? NaN : wins / pairs;
}

/** ROC points at every distinct threshold, area by the trapezoid rule. */
function trapezoidAuc(scores: number[], positive: boolean[]): number {
  const P = positive.filter(Boolean).length;
  const N = positive.length - P;
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  let area = 0;
  let prev = [0, 0];
  for (const t of thresholds) {
    const tpr = scores.filter((s, i) => s >= t && positive[i]).length / P;
    const fpr = scores.filter((s, i) => s >= t && !positive[i]).length / N;
    area += ((fpr - prev[1]) * (tpr + prev[0])) / 2;
    prev = [tpr, fpr];
  }
  return area;
}

/** Average precision: sum over distinct thresholds (high to low) of (recall gain) x precision. */
function bruteAp(scores: number[], positive: boolean[]): number {
  const P = positive.filter(Boolean).length;
  if (P === 0) return NaN;
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  let ap = 0;
  let prevRecall = 0;
  for (const t of thresholds) {
    const tp = scores.filter((s, i) => s >= t && positive[i]).length;
    const fp = scores.filter((s, i) => s >= t && !positive[i]).length;
    ap += (tp / P - prevRecall) * (tp / (tp + fp));
    prevRecall = tp / P;
  }
  return ap;
}

/** Random softmax-like probabilities over K classes, optionally quantised to k/levels (many ties). */
function randomImage(rng: () => number, n: number, K: number, levels?: number) {
  const gt = Array.from({ length: n }, () => (rng() < 0.1 ? IGNORE : Math.floor(rng() * K)));
  const probs = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    const raw = Array.from({ length: K }, (_, c) => rng() + (gt[i] === c ? 0.5 : 0));
    const s = raw.reduce((a, b) => a + b, 0);
    for (let c = 0; c < K; c++) probs[i * K + c] = levels ? Math.round((raw[c] / s) * levels) / levels : raw[c] / s;
  }
  return { gt, probs };
}

describe('AUC against brute force', () => {
  it.each([
    { name: 'quantised scores with many ties (exact at bin resolution)', levels: 20, digits: 12 },
    { name: 'continuous scores (ties only within 1/65536)', levels: undefined, digits: 3 },
  ])('$name, accumulated over several images', ({ levels, digits }) => {
    const rng = seedrandom(`auc-${levels}`);
    const acc = new AucAccumulator(table3);
    const all: { scores: number[][]; gt: number[] } = { scores: [[], [], []], gt: [] };
    for (let img = 0; img < 4; img++) {
      const { gt, probs } = randomImage(rng, 60, 3, levels);
      acc.add(lm(gt), probs);
      gt.forEach((g, i) => {
        if (g === IGNORE) return;
        all.gt.push(g);
        for (let c = 0; c < 3; c++) all.scores[c].push(probs[i * 3 + c]); // float32 values, as the accumulator sees them
      });
    }
    const r = acc.result();
    for (let c = 0; c < 3; c++) {
      const pos = all.gt.map((g) => g === c);
      const pairwise = pairwiseAuc(all.scores[c], pos);
      expect(r.classes[c].rocAuc).toBeCloseTo(pairwise, digits);
      expect(r.classes[c].rocAuc).toBeCloseTo(trapezoidAuc(all.scores[c], pos), digits);
      expect(r.classes[c].averagePrecision).toBeCloseTo(bruteAp(all.scores[c], pos), digits);
      expect(r.classes[c].positives).toBe(pos.filter(Boolean).length);
      expect(r.classes[c].negatives).toBe(pos.filter((p) => !p).length);
    }
    expect(r.validForegroundRocAuc).toBe(2);
    expect(r.meanForegroundRocAuc).toBeCloseTo((r.classes[1].rocAuc + r.classes[2].rocAuc) / 2, 12);
  });

  it('one map per class gives the same result as the pixel-major layout', () => {
    const rng = seedrandom('layouts');
    const { gt, probs } = randomImage(rng, 50, 3);
    const a = new AucAccumulator(table3);
    a.add(lm(gt), probs);
    const maps = [0, 1, 2].map((c) => Float32Array.from({ length: 50 }, (_, i) => probs[i * 3 + c]));
    const b = new AucAccumulator(table3);
    b.add(lm(gt), maps);
    expect(b.result()).toEqual(a.result());
  });
});

describe('known cases', () => {
  it.each<{ name: string; gt: number[]; p: number[]; roc: number; ap: number }>([
    { name: 'perfect ranking', gt: [0, 0, 1, 1, 0], p: [0.1, 0.2, 0.9, 0.8, 0.3], roc: 1, ap: 1 },
    // Positives ranked last: AP = 1/2 * 1/4 + 1/2 * 2/5 (recall steps at the 4th and 5th threshold).
    { name: 'inverted ranking', gt: [0, 0, 1, 1, 0], p: [0.9, 0.8, 0.1, 0.2, 0.7], roc: 0, ap: 0.5 * (1 / 4) + 0.5 * (2 / 5) },
    { name: 'constant scores: every pair tied', gt: [0, 1, 0, 0, 1], p: [0.4, 0.4, 0.4, 0.4, 0.4], roc: 0.5, ap: 2 / 5 },
    // One tie between a positive and a negative at 0.6: 5 of 6 pairs won, 1 tied -> 5.5/6.
    { name: 'one positive-negative tie', gt: [1, 1, 0, 0, 0], p: [0.9, 0.6, 0.6, 0.3, 0.1], roc: 5.5 / 6, ap: 0.5 * 1 + 0.5 * (2 / 3) },
    { name: 'class absent from the ground truth', gt: [0, 0, 0], p: [0.2, 0.7, 0.5], roc: NaN, ap: NaN },
    { name: 'class everywhere (no negatives)', gt: [1, 1, 1], p: [0.2, 0.7, 0.5], roc: NaN, ap: 1 },
  ])('$name', ({ gt, p, roc, ap }) => {
    const acc = new AucAccumulator(table2);
    acc.add(lm(gt), binary(p));
    const fg = acc.result().classes[1];
    if (Number.isNaN(roc)) expect(fg.rocAuc).toBeNaN();
    else expect(fg.rocAuc).toBeCloseTo(roc, 12);
    if (Number.isNaN(ap)) expect(fg.averagePrecision).toBeNaN();
    else expect(fg.averagePrecision).toBeCloseTo(ap, 12);
  });

  it('IGNORE pixels are excluded: scores there change nothing', () => {
    const withIgnore = new AucAccumulator(table2);
    withIgnore.add(lm([0, 1, IGNORE, IGNORE, 0, 1]), binary([0.1, 0.9, 0.95, 0.05, 0.3, 0.6]));
    const without = new AucAccumulator(table2);
    without.add(lm([0, 1, 0, 1]), binary([0.1, 0.9, 0.3, 0.6]));
    expect(withIgnore.result().classes).toEqual(without.result().classes);
    expect(withIgnore.result().classes[1].rocAuc).toBe(1);
  });

  it('addClass takes one sigmoid map for one class', () => {
    const acc = new AucAccumulator(table2);
    acc.addClass(lm([0, 1, 0, 1]), 1, Float32Array.from([0.2, 0.7, 0.8, 0.9]));
    const fg = acc.result().classes[1];
    expect(fg.rocAuc).toBeCloseTo(3 / 4, 12);
    expect(acc.result().classes[0].rocAuc).toBeNaN(); // background never added
  });

  it('histogram helpers agree with the accumulator on a hand case', () => {
    // bins: [neg 2, pos 0], [neg 1, pos 1], [neg 0, pos 2] (low to high): pairs 3*... = (2*3 + 1*(2 + 0.5)) / (3*3)
    expect(rocAucFromHistograms([0, 1, 2], [2, 1, 0])).toBeCloseTo((2 * 3 + 1 * 2.5) / 9, 12);
    expect(averagePrecisionFromHistograms([0, 1, 2], [2, 1, 0])).toBeCloseTo((2 / 3) * 1 + (1 / 3) * (3 / 4), 12);
  });
});

describe('hard labels are refused (AUC of argmax is the "0.5 every epoch" trap)', () => {
  it.each<{ name: string; call: (acc: AucAccumulator) => void; message: RegExp }>([
    { name: 'one-hot probabilities', call: (a) => a.add(lm([0, 1, 1]), binary([0, 1, 1])), message: /look like hard labels.*softmax or sigmoid/ },
    { name: 'a thresholded sigmoid map', call: (a) => a.addClass(lm([0, 1, 1]), 1, Float32Array.from([0, 1, 0])), message: /hard labels/ },
    {
      name: 'a label map passed as scores',
      // @ts-expect-error a LabelMap is not a probability array: the types refuse it too
      call: (a) => a.addClass(lm([0, 1]), 1, lm([0, 1])),
      message: /needs probabilities as a Float32Array/,
    },
    {
      name: 'an integer array of labels',
      // @ts-expect-error Uint8Array is not Float32Array
      call: (a) => a.addClass(lm([0, 1]), 1, Uint8Array.from([0, 1])),
      message: /Float32Array/,
    },
    { name: 'logits (values outside [0, 1])', call: (a) => a.add(lm([0, 1]), binary([-2, 3])), message: /not a probability in \[0, 1\].*softmax/ },
    { name: 'NaN scores', call: (a) => a.addClass(lm([0, 1]), 1, Float32Array.from([NaN, 0.5])), message: /value NaN/ },
    { name: 'wrong length', call: (a) => a.add(lm([0, 1, 0]), binary([0.2, 0.8])), message: /has 4 values, expected 6/ },
    { name: 'unknown class in ground truth', call: (a) => a.add(lm([0, 5]), binary([0.2, 0.8])), message: /contains 5/ },
  ])('$name', ({ call, message }) => {
    const acc = new AucAccumulator(table2);
    expect(() => call(acc)).toThrow(ShapeError);
    expect(() => call(acc)).toThrow(message);
    expect(acc.result().classes[1].positives).toBe(0); // nothing was counted
  });
});
