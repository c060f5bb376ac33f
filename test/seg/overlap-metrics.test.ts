// Metrics of overlapping classes (src/seg/metrics/multilabel.ts, thresholds.ts) against direct
// pixel-by-pixel computations: counts and Dice at thresholds, the chosen threshold against a brute
// force search, pixel ROC-AUC (Mann-Whitney over all positive/negative pairs) and average
// precision (scikit-learn's definition) from sorted scores, and the two audit findings.
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { checkCooccurrenceShortcut, checkThresholdProblem } from '../../src/seg/audit/index.ts';
import { parseClassTable } from '../../src/seg/classes.ts';
import { MultiLabelAccumulator, THRESHOLD_BINS, atThreshold, chooseThreshold } from '../../src/seg/metrics/index.ts';
import { cooccurrencePixels, encodeMultiLabel, flattenMultiLabel, hasClass, multiLabelMap } from '../../src/seg/overlap-bits.ts';
import { IGNORE } from '../../src/seg/types.ts';
import { ERROR_COLORS } from '../../src/seg/report/palette.ts';
import { errorMap } from '../../src/seg/report/thumbnails.ts';

const table = parseClassTable(
  {
    classes: [
      { name: 'background', values: [0] },
      { name: 'cell', values: [1] },
      { name: 'organelle', values: [2] },
    ],
    background: 'background',
  },
  'test',
);
const K = 3;

/** A random multi-label image: organelles inside cells, probabilities loosely tied to the truth. */
function scene(seed: string, n: number, opts: { grid?: boolean } = {}) {
  const rng = seedrandom(seed);
  const cell = new Uint8Array(n);
  const org = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    cell[i] = rng() < 0.3 ? 1 : 0;
    org[i] = cell[i] && rng() < 0.1 ? 1 : 0;
  }
  const gt = encodeMultiLabel([null, cell, org], n, 1, 0);
  gt.data[0] = IGNORE;
  const probs = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const truth = hasClass(gt.data[i], k) ? 1 : 0;
      let p = Math.min(1, Math.max(0, 0.35 * truth + 0.65 * rng()));
      // On the grid of bin centres every score has its own bin: binning loses nothing.
      if (opts.grid) p = (Math.min(THRESHOLD_BINS - 1, Math.floor(p * THRESHOLD_BINS)) + 0.5) / THRESHOLD_BINS;
      probs[i * K + k] = p;
    }
  }
  return { gt, probs };
}

function direct(images: { gt: { data: Uint8Array }; probs: Float32Array }[], k: number, t: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const pos: number[] = [];
  const neg: number[] = [];
  for (const { gt, probs } of images) {
    for (let i = 0; i < gt.data.length; i++) {
      const v = gt.data[i];
      if (v === IGNORE) continue;
      const p = probs[i * K + k];
      const truth = hasClass(v, k);
      (truth ? pos : neg).push(p);
      const pred = atThreshold(p, t);
      if (truth && pred) tp++;
      else if (pred) fp++;
      else if (truth) fn++;
    }
  }
  // Mann-Whitney: every (positive, negative) pair, ties count 1/2.
  let wins = 0;
  const sortedNeg = [...neg].sort((a, b) => a - b);
  for (const p of pos) {
    let lo = 0;
    let hi = sortedNeg.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sortedNeg[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    let eq = lo;
    while (eq < sortedNeg.length && sortedNeg[eq] === p) eq++;
    wins += lo + 0.5 * (eq - lo);
  }
  // Average precision as scikit-learn: over distinct scores from high to low, (R_n - R_n-1) * P_n.
  const all = [...pos.map((s) => ({ s, y: 1 })), ...neg.map((s) => ({ s, y: 0 }))].sort((a, b) => b.s - a.s);
  let ap = 0;
  let ctp = 0;
  let cfp = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    let gain = 0;
    while (j < all.length && all[j].s === all[i].s) {
      if (all[j].y) {
        ctp++;
        gain++;
      }
      else cfp++;
      j++;
    }
    ap += (gain / pos.length) * (ctp / (ctp + cfp));
    i = j;
  }
  return { tp, fp, fn, dice: (2 * tp) / (2 * tp + fp + fn), auc: wins / (pos.length * neg.length), ap };
}

/** Dice of class k at threshold t, pixel by pixel (the brute-force search's inner loop). */
function diceAt(images: { gt: { data: Uint8Array }; probs: Float32Array }[], k: number, t: number): number {
  let inter = 0;
  let sum = 0;
  for (const { gt, probs } of images) {
    for (let i = 0; i < gt.data.length; i++) {
      const v = gt.data[i];
      if (v === IGNORE) continue;
      const truth = hasClass(v, k) ? 1 : 0;
      const pred = atThreshold(probs[i * K + k], t) ? 1 : 0;
      inter += truth & pred;
      sum += truth + pred;
    }
  }
  return (2 * inter) / sum;
}

describe('bits: one per class, background = no foreground class', () => {
  it('encodes, flattens (last class wins) and counts co-occurrence', () => {
    const m = encodeMultiLabel([null, Uint8Array.from([0, 1, 1, 0]), Uint8Array.from([0, 0, 1, 1])], 4, 1, 0);
    expect([...m.data]).toEqual([0b001, 0b010, 0b110, 0b100]);
    expect([...flattenMultiLabel(m, 3).data]).toEqual([0, 1, 2, 2]);
    expect(cooccurrencePixels(m, 3)).toEqual([
      [1, 0, 0],
      [0, 2, 1],
      [0, 1, 2],
    ]);
    expect([...flattenMultiLabel(multiLabelMap(1, 1, Uint8Array.from([IGNORE])), 3).data]).toEqual([IGNORE]);
  });
});

describe('MultiLabelAccumulator against direct computation', () => {
  const images = [scene('a', 3000, { grid: true }), scene('b', 2000, { grid: true })];
  const acc = new MultiLabelAccumulator(table);
  images.forEach((im, i) => acc.add(`im${i}`, im.gt, im.probs));

  it('counts and Dice at any thresholds equal a pixel-by-pixel count', () => {
    const th = [0.41, 0.5, 0.733];
    const r = acc.result(th);
    for (let k = 0; k < K; k++) {
      const d = direct(images, k, th[k]);
      expect(r.classes[k]).toMatchObject({ tp: d.tp, fp: d.fp, fn: d.fn, threshold: th[k] });
      expect(r.classes[k].dice).toBeCloseTo(d.dice, 12);
    }
    expect(r.ignoredPixels).toBe(2);
    expect(r.multiLabel.thresholdRule).toBe('given');
  });

  it('pixel ROC-AUC and average precision equal Mann-Whitney and scikit-learn on the same scores', () => {
    const r = acc.result();
    for (let k = 0; k < K; k++) {
      const d = direct(images, k, 0.5);
      expect(r.multiLabel.classes[k].auc).toBeCloseTo(d.auc, 12);
      expect(r.multiLabel.classes[k].averagePrecision).toBeCloseTo(d.ap, 12);
      expect(r.classes[k].auc).toBe(r.multiLabel.classes[k].auc);
    }
    const fg = (r.multiLabel.classes[1].auc + r.multiLabel.classes[2].auc) / 2;
    expect(r.multiLabel.meanForegroundAuc).toBeCloseTo(fg, 12);
  });

  it('continuous scores: AUC within the binning (scores in one 1/1000 bin count as ties)', () => {
    const cont = [scene('c', 4000)];
    const a = new MultiLabelAccumulator(table);
    a.add('c', cont[0].gt, cont[0].probs);
    const r = a.result();
    for (let k = 0; k < K; k++) expect(Math.abs(r.multiLabel.classes[k].auc - direct(cont, k, 0.5).auc)).toBeLessThan(2e-3);
  });

  it('the chosen threshold maximises Dice over the whole grid (brute force)', () => {
    const r = acc.result();
    for (let k = 0; k < K; k++) {
      let best = -1;
      for (let b = 0; b < THRESHOLD_BINS; b++) best = Math.max(best, diceAt(images, k, b / THRESHOLD_BINS));
      expect(r.classes[k].dice).toBeCloseTo(best, 12);
      expect(r.multiLabel.thresholdRule).toBe('max-dice-val');
    }
  });

  it('a class without positives keeps 0.5, said in the rule', () => {
    const pos = new Float64Array(THRESHOLD_BINS);
    const neg = new Float64Array(THRESHOLD_BINS).fill(1);
    expect(chooseThreshold(pos, neg).threshold).toBe(0.5);
  });

  it('with the thresholds known first, confusion[g][p] counts pixels of g predicted p', () => {
    const th = [0.5, 0.5, 0.6];
    const a = new MultiLabelAccumulator(table, th);
    images.forEach((im, i) => a.add(`im${i}`, im.gt, im.probs));
    const r = a.result();
    let cellAsOrg = 0;
    for (const { gt, probs } of images) for (let i = 0; i < gt.data.length; i++) if (gt.data[i] !== IGNORE && hasClass(gt.data[i], 1) && atThreshold(probs[i * K + 2], 0.6)) cellAsOrg++;
    expect(r.confusion[1][2]).toBe(cellAsOrg);
    expect(r.multiLabel.predictedOnTruth![1][2]).toBe(cellAsOrg);
    expect(acc.result().multiLabel.predictedOnTruth).toBeNull();
  });
});

describe('audit: threshold-problem and cooccurrence-shortcut', () => {
  /** Cells everywhere in the left half; organelles a small part of them; a model of our choosing. */
  function run(orgProb: (isOrg: boolean, isCell: boolean) => number, th: number[]) {
    const n = 4000;
    const cell = new Uint8Array(n);
    const org = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      cell[i] = i < n / 2 ? 1 : 0;
      org[i] = i < n / 20 ? 1 : 0;
    }
    const gt = encodeMultiLabel([null, cell, org], n, 1, 0);
    const probs = new Float32Array(n * K);
    for (let i = 0; i < n; i++) {
      probs[i * K] = cell[i] ? 0.1 : 0.9;
      probs[i * K + 1] = cell[i] ? 0.9 : 0.1;
      probs[i * K + 2] = orgProb(org[i] === 1, cell[i] === 1) + (i % 7) * 1e-3;
    }
    const a = new MultiLabelAccumulator(table, th);
    a.add('x', gt, probs);
    return a.result();
  }

  it('high AUC, poor Dice at the threshold: says which threshold would do better', () => {
    // Organelles score 0.3, everything else 0.1: perfect ranking, but a threshold of 0.5 finds nothing.
    const r = run((o) => (o ? 0.3 : 0.1), [0.5, 0.5, 0.5]);
    const f = checkThresholdProblem(r);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ id: 'threshold-problem', evidence: { class: 'organelle', threshold: 0.5 } });
    expect(f[0].evidence.auc).toBeGreaterThan(0.99);
    expect(f[0].evidence.bestDice).toBeGreaterThan(0.9);
    expect(f[0].message).toMatch(/the threshold, not the ranking, is the problem/);
    // At a good threshold the same model raises nothing.
    expect(checkThresholdProblem(run((o) => (o ? 0.3 : 0.1), [0.5, 0.5, 0.2]))).toEqual([]);
  });

  it('an organelle predicted wherever its cell is: a co-occurrence shortcut', () => {
    const r = run((_o, c) => (c ? 0.8 : 0.1), [0.5, 0.5, 0.5]);
    const f = checkCooccurrenceShortcut(r);
    expect(f).toHaveLength(1);
    expect(f[0].evidence).toMatchObject({ class: 'organelle', parent: 'cell' });
    expect(f[0].evidence.trueShareOfParent).toBeCloseTo(0.1, 6);
    expect(f[0].evidence.predictedShareOfParent).toBe(1);
    // Predicted only where it is: no finding.
    expect(checkCooccurrenceShortcut(run((o) => (o ? 0.8 : 0.1), [0.5, 0.5, 0.5]))).toEqual([]);
  });
});

describe('per-class error maps of overlapping classes (report gallery)', () => {
  it('judge each class by its own bit: a nucleolus pixel predicted as nucleus only is a nucleus hit and a nucleolus miss', () => {
    // Pixels: nucleus+nucleolus (true) predicted nucleus only; background predicted nucleolus; ignored.
    const gt = multiLabelMap(3, 1, Uint8Array.from([0b110, 0b001, IGNORE]));
    const pred = multiLabelMap(3, 1, Uint8Array.from([0b010, 0b100, 0b010]));
    const grey = new Uint8Array(3).fill(200);
    const rgb = (m: { data: Uint8Array }, i: number) => [...m.data.subarray(3 * i, 3 * i + 3)];
    const nucleus = errorMap(gt, pred, 1, grey, true);
    const nucleolus = errorMap(gt, pred, 2, grey, true);
    expect(rgb(nucleus, 0)).toEqual([...ERROR_COLORS.tp.rgb]);
    expect(rgb(nucleolus, 0)).toEqual([...ERROR_COLORS.fn.rgb]);
    expect(rgb(nucleolus, 1)).toEqual([...ERROR_COLORS.fp.rgb]);
    expect(rgb(nucleus, 2)).toEqual([...ERROR_COLORS.ignore.rgb]);
  });
});
