// Metrics: counts, per-class scores, reductions, JSON and text output, on small hand-computed
// cases. Expectations are worked out by hand in the comments; NaN means "undefined" and must stay
// NaN (never 0, never 1).
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { parseClassTable } from '../../src/seg/classes.ts';
import { ShapeError } from '../../src/seg/errors.ts';
import { IGNORE } from '../../src/seg/types.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import {
  Accumulator,
  FN,
  FP,
  METRIC_POLICY,
  TN,
  TP,
  evaluate,
  formatEvalTable,
  fromJSONSafe,
  nanMean,
  pixelConfusion,
  toJSONSafe,
} from '../../src/seg/metrics/index.ts';
import type { EvalResult } from '../../src/seg/metrics/index.ts';

const I = IGNORE;
/** Classes: 0 = bg (background), 1 = a, 2 = b. */
const table3 = parseClassTable({
  classes: [
    { name: 'bg', values: [0], color: '#000000' },
    { name: 'a', values: [1], color: '#ff0000' },
    { name: 'b', values: [2], color: '#00ff00' },
  ],
  background: 'bg',
});

function lm(values: number[], width = values.length, height = values.length === 0 ? 0 : values.length / width): LabelMap {
  return { width, height, data: Uint8Array.from(values) };
}

/** NaN-aware closeness: NaN must match NaN exactly, numbers to 12 digits. */
function close(actual: number, expected: number, label = ''): void {
  if (Number.isNaN(expected)) expect(actual, `${label} should be NaN (undefined)`).toBeNaN();
  else expect(actual, label).toBeCloseTo(expected, 12);
}

// [tp, fp, fn, tn, dice, iou, precision, recall] per class
type Row = [number, number, number, number, number, number, number, number];
const N = NaN;

describe('per-image counts and scores', () => {
  it.each<{ name: string; gt: number[]; pred: number[]; rows: Row[]; acc: number; fg: number; fgValid: number; withBg: number; ignored: number }>([
    {
      // Matrix rows gt, cols pred: [[1,1,0],[1,1,0],[0,0,1]]; pixel 5 ignored.
      name: 'hand example with an ignored pixel',
      gt: [0, 0, 1, 1, 2, I],
      pred: [0, 1, 1, 0, 2, 2],
      rows: [
        [1, 1, 1, 2, 0.5, 1 / 3, 0.5, 0.5],
        [1, 1, 1, 2, 0.5, 1 / 3, 0.5, 0.5],
        [1, 0, 0, 4, 1, 1, 1, 1],
      ],
      acc: 3 / 5,
      fg: 0.75,
      fgValid: 2,
      withBg: 2 / 3,
      ignored: 1,
    },
    {
      name: 'empty image (0 pixels)',
      gt: [],
      pred: [],
      rows: [
        [0, 0, 0, 0, N, N, N, N],
        [0, 0, 0, 0, N, N, N, N],
        [0, 0, 0, 0, N, N, N, N],
      ],
      acc: N,
      fg: N,
      fgValid: 0,
      withBg: N,
      ignored: 0,
    },
    {
      name: 'class b absent from both ground truth and prediction -> NaN',
      gt: [0, 0, 1, 1],
      pred: [0, 0, 1, 1],
      rows: [
        [2, 0, 0, 2, 1, 1, 1, 1],
        [2, 0, 0, 2, 1, 1, 1, 1],
        [0, 0, 0, 4, N, N, N, N],
      ],
      acc: 1,
      fg: 1,
      fgValid: 1,
      withBg: 1,
      ignored: 0,
    },
    {
      // b predicted once where there is none: Dice 0, precision 0, recall undefined.
      name: 'class absent in ground truth but predicted -> Dice 0',
      gt: [0, 0, 0, 0],
      pred: [0, 2, 0, 0],
      rows: [
        [3, 0, 1, 0, 6 / 7, 3 / 4, 1, 3 / 4],
        [0, 0, 0, 4, N, N, N, N],
        [0, 1, 0, 3, 0, 0, 0, N],
      ],
      acc: 3 / 4,
      fg: 0,
      fgValid: 1,
      withBg: 3 / 7,
      ignored: 0,
    },
    {
      // a in the ground truth, never predicted: Dice 0, recall 0, precision undefined.
      name: 'class present but never predicted -> precision NaN, recall 0',
      gt: [0, 1, 1, 0],
      pred: [0, 0, 0, 0],
      rows: [
        [2, 2, 0, 0, 2 / 3, 1 / 2, 1 / 2, 1],
        [0, 0, 2, 2, 0, 0, N, 0],
        [0, 0, 0, 4, N, N, N, N],
      ],
      acc: 1 / 2,
      fg: 0,
      fgValid: 1,
      withBg: 1 / 3,
      ignored: 0,
    },
    {
      name: 'single-class image (only background, predicted right)',
      gt: [0, 0, 0],
      pred: [0, 0, 0],
      rows: [
        [3, 0, 0, 0, 1, 1, 1, 1],
        [0, 0, 0, 3, N, N, N, N],
        [0, 0, 0, 3, N, N, N, N],
      ],
      acc: 1,
      fg: N,
      fgValid: 0,
      withBg: 1,
      ignored: 0,
    },
    {
      name: 'single foreground class filling the image',
      gt: [2, 2, 2, 2],
      pred: [2, 2, 2, 1],
      rows: [
        [0, 0, 0, 4, N, N, N, N],
        [0, 1, 0, 3, 0, 0, 0, N],
        [3, 0, 1, 0, 6 / 7, 3 / 4, 1, 3 / 4],
      ],
      acc: 3 / 4,
      fg: 3 / 7,
      fgValid: 2,
      withBg: 3 / 7,
      ignored: 0,
    },
    {
      name: 'all-IGNORE image: nothing is counted',
      gt: [I, I, I, I],
      pred: [0, 1, 2, 0],
      rows: [
        [0, 0, 0, 0, N, N, N, N],
        [0, 0, 0, 0, N, N, N, N],
        [0, 0, 0, 0, N, N, N, N],
      ],
      acc: N,
      fg: N,
      fgValid: 0,
      withBg: N,
      ignored: 4,
    },
  ])('$name', ({ gt, pred, rows, acc, fg, fgValid, withBg, ignored }) => {
    const acc3 = new Accumulator(table3);
    const img = acc3.add('x', lm(gt), lm(pred));
    const counts = acc3.counts();
    rows.forEach(([tp, fp, fn, tn, d, j, p, r], c) => {
      expect([counts[c * 4 + TP], counts[c * 4 + FP], counts[c * 4 + FN], counts[c * 4 + TN]], `counts of class ${c}`).toEqual([tp, fp, fn, tn]);
      const k = img.classes[c];
      expect([k.tp, k.fp, k.fn, k.tn]).toEqual([tp, fp, fn, tn]);
      close(k.dice, d, `dice ${c}`);
      close(k.iou, j, `iou ${c}`);
      close(k.precision, p, `precision ${c}`);
      close(k.recall, r, `recall ${c}`);
    });
    close(img.pixelAccuracy, acc, 'pixel accuracy');
    close(img.meanForegroundDice, fg, 'foreground mean');
    expect(img.validForegroundClasses).toBe(fgValid);
    close(img.meanDiceWithBackground, withBg, 'with background');
    expect(img.ignoredPixels).toBe(ignored);
    expect(img.labelledPixels).toBe(gt.length - ignored);
    // A single image: dataset figures equal the image's.
    const res = acc3.result();
    rows.forEach(([, , , , d], c) => {
      close(res.classes[c].dice, d);
      close(res.classes[c].diceImageMean, d);
      expect(res.classes[c].validImages).toBe(Number.isNaN(d) ? 0 : 1);
    });
  });
});

describe('input checks', () => {
  it.each<{ name: string; gt: LabelMap; pred: LabelMap; message: RegExp }>([
    { name: 'prediction containing IGNORE', gt: lm([0, 1]), pred: lm([0, I]), message: /IGNORE value: a prediction must give every pixel a class/ },
    { name: 'prediction with a class id >= K', gt: lm([0, 1]), pred: lm([0, 3]), message: /not class ids 0..2: 3 \(1 px\)/ },
    { name: 'ground truth with a value that is neither a class nor IGNORE', gt: lm([7, 7, 0]), pred: lm([0, 0, 0]), message: /neither class ids 0..2 nor IGNORE \(255\): 7 \(2 px\)/ },
    { name: 'size mismatch', gt: lm([0, 0, 0, 0], 2), pred: lm([0, 0, 0, 0], 4), message: /2x2 but the prediction is 4x1/ },
    { name: 'data length not width x height', gt: { width: 3, height: 3, data: new Uint8Array(4) }, pred: lm([0]), message: /4 values for 3x3 pixels/ },
  ])('refuses $name with a ShapeError', ({ gt, pred, message }) => {
    expect(() => pixelConfusion(gt, pred, 3)).toThrow(ShapeError);
    expect(() => pixelConfusion(gt, pred, 3)).toThrow(message);
  });

  it('a refused image leaves the accumulator unchanged', () => {
    const acc = new Accumulator(table3);
    acc.add('ok', lm([0, 1]), lm([0, 1]));
    expect(() => acc.add('bad', lm([0, 1]), lm([0, I]))).toThrow(ShapeError);
    expect(acc.size).toBe(1);
    expect(acc.result().perImage.map((p) => p.name)).toEqual(['ok']);
  });
});

describe('reductions over a dataset', () => {
  it('nanMean skips NaN and counts the valid values (get_not_nans)', () => {
    expect(nanMean([1, NaN, 0])).toEqual({ value: 0.5, valid: 2 });
    expect(nanMean([NaN, NaN])).toEqual({ value: NaN, valid: 0 });
    expect(nanMean([0.2, 0.4, NaN, 0.9], [1, 2])).toEqual({ value: 0.4, valid: 1 });
  });

  it('summed-count Dice differs from the image mean, and images where a class is undefined are skipped', () => {
    // Class a: image 1 perfect (tp 4): Dice 1; image 2 one pixel missed (fn 1): Dice 0; image 3 a absent from both: NaN.
    // Summed: tp 4, fn 1 -> 8/9. Image mean over the 2 valid images: 0.5 (a NaN counted as 0 would give 1/3, as 1 would give 2/3).
    const r = evaluate(
      [
        { name: 'i1', gt: lm([1, 1, 1, 1]), pred: lm([1, 1, 1, 1]) },
        { name: 'i2', gt: lm([1, 0, 0, 0]), pred: lm([0, 0, 0, 0]) },
        { name: 'i3', gt: lm([0, 0, 0, 0]), pred: lm([0, 0, 0, 0]) },
      ],
      table3,
    );
    const a = r.classes[1];
    close(a.dice, 8 / 9);
    close(a.iou, 4 / 5);
    close(a.precision, 1);
    close(a.recall, 4 / 5);
    close(a.diceImageMean, 0.5);
    close(a.iouImageMean, 0.5);
    expect(a.validImages).toBe(2);
    expect(a.imagesWithClass).toBe(2);
    expect([a.gtPixels, a.predPixels]).toEqual([5, 4]);
    // b is absent everywhere: NaN in every reduction, and the headline is over 1 foreground class.
    expect(r.classes[2].dice).toBeNaN();
    expect(r.classes[2].diceImageMean).toBeNaN();
    expect(r.classes[2].validImages).toBe(0);
    close(r.meanForegroundDice, 8 / 9);
    expect(r.validForegroundClasses).toBe(1);
    // Background: tp 7, fp 1, fn 0 -> 14/15.
    close(r.classes[0].dice, 14 / 15);
    close(r.meanDiceWithBackground, (14 / 15 + 8 / 9) / 2);
    expect(r.validClasses).toBe(2);
    close(r.pixelAccuracy, 11 / 12);
    close(r.allBackgroundAccuracy, 7 / 12);
    expect(r.confusion).toEqual([
      [7, 0, 0],
      [1, 4, 0],
      [0, 0, 0],
    ]);
    expect(r.images).toBe(3);
    expect(r.perImage[2].meanForegroundDice).toBeNaN();
  });

  it('background-only dataset: foreground mean undefined with a count of 0', () => {
    const r = evaluate(
      [
        { name: 'p', gt: lm([0, 0, 0, 0]), pred: lm([0, 0, 0, 0]) },
        { name: 'q', gt: lm([0, 0, I, 0]), pred: lm([0, 0, 1, 0]) },
      ],
      table3,
    );
    expect(r.meanForegroundDice).toBeNaN();
    expect(r.meanForegroundIoU).toBeNaN();
    expect(r.validForegroundClasses).toBe(0);
    expect(r.meanDiceWithBackground).toBe(1);
    expect(r.validClasses).toBe(1);
    expect(r.ignoredPixels).toBe(1);
    expect(r.labelledPixels).toBe(7);
    expect(r.baseline.meanForegroundDice).toBeNaN();
  });

  it('empty dataset: every figure undefined, nothing invented', () => {
    const r = evaluate([], table3);
    expect(r.images).toBe(0);
    for (const v of [r.meanForegroundDice, r.meanDiceWithBackground, r.channelSummedDice, r.pixelAccuracy, r.allBackgroundAccuracy]) expect(v).toBeNaN();
    expect(r.classes.every((c) => Number.isNaN(c.dice) && c.validImages === 0)).toBe(true);
  });

  it('imbalanced all-background prediction: channel-summed Dice and accuracy look great, the headline is 0', () => {
    // 20 x 20 = 400 pixels: 8 of class a, 4 of class b, the rest background; prediction all background.
    const gt = new Uint8Array(400);
    gt.fill(1, 0, 8);
    gt.fill(2, 100, 104);
    const map = { width: 20, height: 20, data: gt };
    const r = evaluate([{ name: 'img', gt: map, pred: { width: 20, height: 20, data: new Uint8Array(400) } }], table3);
    close(r.channelSummedDice, 388 / 400); // 0.97
    close(r.pixelAccuracy, 388 / 400);
    close(r.allBackgroundAccuracy, 388 / 400);
    close(r.meanForegroundDice, 0);
    expect(r.validForegroundClasses).toBe(2);
    close(r.meanForegroundIoU, 0);
    close(r.classes[0].dice, (2 * 388) / (388 + 400));
    close(r.meanDiceWithBackground, (2 * 388) / (388 + 400) / 3);
    expect(r.channelSummedDice - r.meanForegroundDice).toBeGreaterThan(0.95);
    // This prediction IS the baseline, so every baseline figure equals the result's.
    close(r.baseline.meanForegroundDice, r.meanForegroundDice);
    close(r.baseline.meanDiceWithBackground, r.meanDiceWithBackground);
    close(r.baseline.channelSummedDice, r.channelSummedDice);
    close(r.baseline.pixelAccuracy, r.pixelAccuracy);
  });

  it('baseline beside a perfect prediction is computed from the ground truth alone', () => {
    // gt: 6 background, 3 a, 1 b (one image) + an image without b.
    const r = evaluate(
      [
        { name: 'one', gt: lm([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]), pred: lm([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]) },
        { name: 'two', gt: lm([0, 1]), pred: lm([0, 1]) },
      ],
      table3,
    );
    close(r.meanForegroundDice, 1);
    const b = r.baseline;
    // All-background: bg tp 7, fp 5 -> 14/19; a and b: Dice 0.
    close(b.classes[0].dice, 14 / 19);
    close(b.classes[1].dice, 0);
    close(b.classes[2].dice, 0);
    close(b.meanForegroundDice, 0);
    expect(b.validForegroundClasses).toBe(2);
    close(b.meanDiceWithBackground, 14 / 19 / 3);
    close(b.pixelAccuracy, 7 / 12);
    close(b.pixelAccuracy, r.allBackgroundAccuracy);
    close(b.channelSummedDice, 7 / 12);
    // Image means of the baseline: a is 0 in both images; b is 0 in image one and NaN in two.
    close(b.classes[1].diceImageMean, 0);
    close(b.classes[2].diceImageMean, 0);
    close(b.classes[0].diceImageMean, ((2 * 6) / 16 + 2 / 3) / 2);
  });

  it('channel-summed Dice follows its Keras definition and equals pixel accuracy for hard labels', () => {
    const rng = seedrandom('channel-summed');
    const pairs = Array.from({ length: 4 }, (_, i) => {
      const gt = lm(Array.from({ length: 64 }, () => (rng() < 0.1 ? I : Math.floor(rng() * 3))), 8);
      const pred = lm(Array.from({ length: 64 }, () => Math.floor(rng() * 3)), 8);
      return { name: `r${i}`, gt, pred };
    });
    // Literal recipe: one-hot channels, sum of products over channels and labelled pixels.
    let inter = 0;
    let sumTrue = 0;
    let sumPred = 0;
    for (const { gt, pred } of pairs) {
      for (let i = 0; i < gt.data.length; i++) {
        if (gt.data[i] === I) continue;
        for (let c = 0; c < 3; c++) {
          const t = gt.data[i] === c ? 1 : 0;
          const p = pred.data[i] === c ? 1 : 0;
          inter += t * p;
          sumTrue += t;
          sumPred += p;
        }
      }
    }
    const r = evaluate(pairs, table3);
    close(r.channelSummedDice, (2 * inter) / (sumTrue + sumPred));
    close(r.channelSummedDice, r.pixelAccuracy);
  });
});

describe('random images against plain pixel loops', () => {
  it('counts, per-image and dataset figures agree', () => {
    const rng = seedrandom('metrics-random');
    const K = 3;
    const pairs = Array.from({ length: 6 }, (_, i) => {
      const n = 5 + Math.floor(rng() * 40);
      const gt = lm(Array.from({ length: n }, () => (rng() < 0.15 ? I : Math.floor(rng() * (i === 2 ? 1 : K)))));
      const pred = lm(Array.from({ length: n }, () => Math.floor(rng() * (i === 3 ? 1 : K))));
      return { name: `r${i}`, gt, pred };
    });
    const acc = new Accumulator(table3);
    const returned = pairs.map((p) => acc.add(p.name, p.gt, p.pred));
    const r = acc.result();
    const counts = acc.counts();
    expect(counts.length).toBe(pairs.length * K * 4);
    const sum = { tp: [0, 0, 0], fp: [0, 0, 0], fn: [0, 0, 0] };
    pairs.forEach(({ gt, pred }, i) => {
      for (let c = 0; c < K; c++) {
        let tp = 0;
        let fp = 0;
        let fn = 0;
        let tn = 0;
        for (let j = 0; j < gt.data.length; j++) {
          if (gt.data[j] === I) continue;
          const g = gt.data[j] === c;
          const p = pred.data[j] === c;
          if (g && p) tp++;
          else if (p) fp++;
          else if (g) fn++;
          else tn++;
        }
        expect(Array.from(counts.subarray((i * K + c) * 4, (i * K + c + 1) * 4))).toEqual([tp, fp, fn, tn]);
        close(r.perImage[i].classes[c].dice, tp + fp + fn === 0 ? NaN : (2 * tp) / (2 * tp + fp + fn));
        sum.tp[c] += tp;
        sum.fp[c] += fp;
        sum.fn[c] += fn;
      }
      // What add() returned is what result() reports for the image.
      expect(toJSONSafe(returned[i])).toEqual(toJSONSafe(r.perImage[i]));
    });
    for (let c = 0; c < K; c++) {
      close(r.classes[c].dice, (2 * sum.tp[c]) / (2 * sum.tp[c] + sum.fp[c] + sum.fn[c]));
      close(r.classes[c].precision, sum.tp[c] / (sum.tp[c] + sum.fp[c]));
    }
  });

  it('incremental accumulation gives the same result as evaluating everything at once', () => {
    const rng = seedrandom('incremental');
    const pairs = Array.from({ length: 5 }, (_, i) => ({
      name: `im${i}`,
      gt: lm(Array.from({ length: 30 }, () => (rng() < 0.1 ? I : Math.floor(rng() * 3))), 6),
      pred: lm(Array.from({ length: 30 }, () => Math.floor(rng() * 3)), 6),
    }));
    const acc = new Accumulator(table3);
    acc.add(pairs[0].name, pairs[0].gt, pairs[0].pred);
    const early = acc.result();
    expect(early.images).toBe(1);
    for (const p of pairs.slice(1)) acc.add(p.name, p.gt, p.pred);
    expect(toJSONSafe(acc.result())).toEqual(toJSONSafe(evaluate(pairs, table3)));
    expect(acc.confusionMatrices().length).toBe(5 * 9);
  });
});

describe('output', () => {
  const result: EvalResult = evaluate(
    [
      { name: 'a', gt: lm([0, 0, 1, 1]), pred: lm([0, 1, 1, 1]) },
      { name: 'b', gt: lm([0, 0, 0, 0]), pred: lm([0, 0, 0, 0]) },
    ],
    table3,
  );

  it('toJSONSafe turns NaN into null (never 0) and fromJSONSafe restores it', () => {
    expect(result.classes[2].dice).toBeNaN();
    const json = JSON.stringify(toJSONSafe(result));
    const parsed = JSON.parse(json);
    expect(parsed.classes[2].dice).toBeNull();
    expect(parsed.classes[2].precision).toBeNull();
    expect(parsed.perImage[1].classes[1].dice).toBeNull();
    expect(parsed.classes[1].dice).toBeCloseTo(0.8, 12);
    // Every NaN became a null and nothing else did.
    const countLeaves = (v: unknown, test: (x: unknown) => boolean): number =>
      v !== null && typeof v === 'object' ? Object.values(v).reduce<number>((n, x) => n + countLeaves(x, test), 0) : test(v) ? 1 : 0;
    const nans = countLeaves(result, (x) => typeof x === 'number' && Number.isNaN(x));
    expect(nans).toBeGreaterThan(10);
    expect(countLeaves(parsed, (x) => x === null)).toBe(nans);
    const back = fromJSONSafe<EvalResult>(parsed);
    expect(back.classes[2].dice).toBeNaN();
    expect(back).toEqual(result);
    // The field names are present.
    for (const k of ['meanForegroundDice', 'meanDiceWithBackground', 'channelSummedDice', 'pixelAccuracy', 'allBackgroundAccuracy', 'baseline', 'perImage', 'confusion', 'policy', 'images']) {
      expect(parsed).toHaveProperty(k);
    }
    for (const k of ['name', 'dice', 'iou', 'precision', 'recall', 'diceImageMean', 'iouImageMean', 'validImages', 'gtPixels', 'predPixels', 'isBackground']) {
      expect(parsed.classes[0]).toHaveProperty(k);
    }
  });

  it('formatEvalTable prints the table, n/a for undefined values, and the headline beside the misleading figures', () => {
    const text = formatEvalTable(result);
    const lines = text.split('\n');
    expect(lines.find((l) => l.startsWith('class'))).toMatch(/class\s+dice\s+iou\s+precision\s+recall\s+dice \(image mean\)\s+valid images/);
    expect(lines.find((l) => l.startsWith('b '))).toMatch(/^b\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+0\/2$/);
    // a: tp 2 fp 1 fn 0 -> Dice 0.8, IoU 2/3, precision 2/3, recall 1; defined in image "a" only.
    expect(lines.find((l) => l.startsWith('a '))).toMatch(/^a\s+0\.8000\s+0\.6667\s+0\.6667\s+1\.0000\s+0\.8000\s+1\/2$/);
    expect(text).toMatch(/bg \(background\)/);
    expect(text).toMatch(/mean foreground Dice \(HEADLINE\):\s+0\.8000\s+over 1 of 2 foreground classes/);
    expect(text).toMatch(/channel-summed Dice \(Keras-style, background-dominated\): 0\.8750/);
    expect(text).toMatch(/pixel accuracy:\s+0\.8750\s+vs all-background accuracy: 0\.7500/);
    expect(text).toMatch(/background-inclusive mean Dice:/);
  });

  it('the policy is stated in words and named in the result', () => {
    expect(METRIC_POLICY).toMatch(/NaN/);
    expect(METRIC_POLICY).toMatch(/IGNORE/);
    expect(METRIC_POLICY).toMatch(/Keras/);
    expect(result.policy.headline).toMatch(/foreground/);
  });
});
