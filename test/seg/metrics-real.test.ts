// Cross-check of every figure of `evaluate` on real masks (Drosophila VNC, 1024 x 1024, 5 classes)
// against a straightforward implementation written here: plain loops over pixels, one class at a
// time, no code shared with src/seg/metrics. Predictions are deterministic corruptions of the real
// masks: the next slice's mask (a plausible but wrong segmentation), a shifted mask, and an
// all-background prediction.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseClassTable } from '../../src/seg/classes.ts';
import { IGNORE } from '../../src/seg/types.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import { evaluate, formatEvalTable, toJSONSafe } from '../../src/seg/metrics/index.ts';
import type { EvalResult } from '../../src/seg/metrics/index.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DATA = path.resolve(REPO, '../shared/data');
const MASKS = path.join(DATA, 'drosophila-vnc', 'masks');
const present = existsSync(MASKS);
if (!present) console.warn(`metrics-real: skipped, the real test data is absent (${MASKS}); see ../shared/data/README.md`);

// The README's table, with the background deliberately not class 0.
const table = parseClassTable({
  classes: [
    { name: 'membrane', values: [0, 32, 64, 96, 128], color: '#e6194b' },
    { name: 'mitochondria', values: [191], color: '#3cb44b' },
    { name: 'synapse', values: [223], color: '#ffe119' },
    { name: 'glia', values: [159], color: '#4363d8' },
    { name: 'intracellular', values: [255], color: '#808080' },
  ],
  background: 'intracellular',
});
const K = 5;
const BG = 4;
const names = table.classes.map((c) => c.name);

async function readMask(file: string): Promise<LabelMap> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const lut = new Map<number, number>();
  table.classes.forEach((c, id) => c.values.forEach((v) => lut.set(v as number, id)));
  const out = new Uint8Array(info.width * info.height);
  for (let i = 0; i < out.length; i++) {
    const id = lut.get(data[i * info.channels]);
    if (id === undefined) throw new Error(`${file}: value ${data[i * info.channels]} is not in the table`);
    out[i] = id;
  }
  return { width: info.width, height: info.height, data: out };
}

function shifted(m: LabelMap, dx: number, dy: number): LabelMap {
  const out = new Uint8Array(m.data.length);
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      const sx = Math.min(m.width - 1, Math.max(0, x - dx));
      const sy = Math.min(m.height - 1, Math.max(0, y - dy));
      out[y * m.width + x] = m.data[sy * m.width + sx];
    }
  }
  return { ...m, data: out };
}

/** The first `rows` rows marked unlabelled, as a partly annotated mask would be. */
function withIgnoredRows(m: LabelMap, rows: number): LabelMap {
  const data = m.data.slice();
  data.fill(IGNORE, 0, rows * m.width);
  return { ...m, data };
}

// ---- the independent implementation -------------------------------------------------------
interface Naive {
  tp: number[];
  fp: number[];
  fn: number[];
  tn: number[];
  correct: number;
  labelled: number;
  gtBackground: number;
  ignored: number;
  matrix: number[][];
}

function naiveCounts(gt: LabelMap, pred: LabelMap): Naive {
  const r: Naive = { tp: [], fp: [], fn: [], tn: [], correct: 0, labelled: 0, gtBackground: 0, ignored: 0, matrix: [] };
  for (let c = 0; c < K; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (let i = 0; i < gt.data.length; i++) {
      if (gt.data[i] === IGNORE) continue;
      const isGt = gt.data[i] === c;
      const isPred = pred.data[i] === c;
      if (isGt && isPred) tp++;
      if (!isGt && isPred) fp++;
      if (isGt && !isPred) fn++;
      if (!isGt && !isPred) tn++;
    }
    r.tp.push(tp);
    r.fp.push(fp);
    r.fn.push(fn);
    r.tn.push(tn);
    r.matrix.push(new Array(K).fill(0));
  }
  for (let i = 0; i < gt.data.length; i++) {
    if (gt.data[i] === IGNORE) {
      r.ignored++;
      continue;
    }
    r.labelled++;
    if (gt.data[i] === pred.data[i]) r.correct++;
    if (gt.data[i] === BG) r.gtBackground++;
    r.matrix[gt.data[i]][pred.data[i]]++;
  }
  return r;
}

const div = (a: number, b: number) => (b === 0 ? NaN : a / b);
const naiveDice = (tp: number, fp: number, fn: number) => div(2 * tp, 2 * tp + fp + fn);
const naiveIou = (tp: number, fp: number, fn: number) => div(tp, tp + fp + fn);
function meanDefined(xs: number[]): [number, number] {
  const ok = xs.filter((x) => !Number.isNaN(x));
  return [ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN, ok.length];
}

/** Every dataset figure from per-image naive counts. */
function naiveDataset(per: Naive[]) {
  const sum = (f: (n: Naive) => number[]) => Array.from({ length: K }, (_, c) => per.reduce((s, n) => s + f(n)[c], 0));
  const tp = sum((n) => n.tp);
  const fp = sum((n) => n.fp);
  const fn = sum((n) => n.fn);
  const dice = tp.map((_, c) => naiveDice(tp[c], fp[c], fn[c]));
  const iou = tp.map((_, c) => naiveIou(tp[c], fp[c], fn[c]));
  const fgIdx = [0, 1, 2, 3];
  const diceImg = tp.map((_, c) => meanDefined(per.map((n) => naiveDice(n.tp[c], n.fp[c], n.fn[c]))));
  const iouImg = tp.map((_, c) => meanDefined(per.map((n) => naiveIou(n.tp[c], n.fp[c], n.fn[c]))));
  const labelled = per.reduce((s, n) => s + n.labelled, 0);
  const correct = per.reduce((s, n) => s + n.correct, 0);
  // Keras recipe, literally: sum over channels of |true & pred| and of |true| + |pred|.
  let inter = 0;
  let sizes = 0;
  for (let c = 0; c < K; c++) {
    inter += tp[c];
    sizes += tp[c] + fn[c] + (tp[c] + fp[c]);
  }
  return {
    tp,
    fp,
    fn,
    tn: sum((n) => n.tn),
    dice,
    iou,
    precision: tp.map((_, c) => div(tp[c], tp[c] + fp[c])),
    recall: tp.map((_, c) => div(tp[c], tp[c] + fn[c])),
    diceImg,
    iouImg,
    fg: meanDefined(fgIdx.map((c) => dice[c])),
    fgIou: meanDefined(fgIdx.map((c) => iou[c]))[0],
    all: meanDefined(dice),
    channelSummed: div(2 * inter, sizes),
    accuracy: div(correct, labelled),
    allBg: div(
      per.reduce((s, n) => s + n.gtBackground, 0),
      labelled,
    ),
    labelled,
    ignored: per.reduce((s, n) => s + n.ignored, 0),
    imagesWithClass: tp.map((_, c) => per.filter((n) => n.tp[c] + n.fn[c] > 0).length),
  };
}

function same(actual: number, expected: number, label: string): void {
  if (Number.isNaN(expected)) expect(actual, `${label} should be NaN`).toBeNaN();
  else expect(actual, label).toBeCloseTo(expected, 10);
}

describe.skipIf(!present)('metrics on real Drosophila masks vs plain pixel loops', () => {
  const pairs: { name: string; gt: LabelMap; pred: LabelMap }[] = [];
  let result: EvalResult;
  let naive: Naive[] = [];

  beforeAll(async () => {
    const files = readdirSync(MASKS)
      .filter((f) => f.endsWith('.png'))
      .sort();
    const masks = await Promise.all(files.map((f) => readMask(path.join(MASKS, f))));
    masks.forEach((m, i) => {
      const gt = i % 3 === 0 ? withIgnoredRows(m, 16) : m;
      pairs.push({ name: `${files[i]} vs next slice`, gt, pred: masks[(i + 1) % masks.length] });
    });
    pairs.push({ name: `${files[2]} shifted (5, 3)`, gt: masks[2], pred: shifted(masks[2], 5, 3) });
    // Synapses removed from the prediction: the class is in the ground truth but never predicted.
    const noSynapse = masks[4].data.map((v) => (v === 2 ? BG : v));
    pairs.push({ name: `${files[4]} without synapses`, gt: masks[4], pred: { ...masks[4], data: noSynapse } });
    pairs.push({ name: `${files[5]} all background`, gt: masks[5], pred: { ...masks[5], data: new Uint8Array(masks[5].data.length).fill(BG) } });
    result = evaluate(pairs, table);
    naive = pairs.map((p) => naiveCounts(p.gt, p.pred));
  });

  it('per-class, headline and pixel figures equal the independent computation', () => {
    const per = naive;
    const n = naiveDataset(per);
    expect(result.images).toBe(pairs.length);
    expect(result.labelledPixels).toBe(n.labelled);
    expect(result.ignoredPixels).toBe(n.ignored);
    expect(n.ignored).toBe(4 * 16 * 1024);
    result.classes.forEach((c, k) => {
      expect(c.name).toBe(names[k]);
      expect(c.isBackground).toBe(k === BG);
      expect([c.tp, c.fp, c.fn, c.tn]).toEqual([n.tp[k], n.fp[k], n.fn[k], n.tn[k]]);
      expect([c.gtPixels, c.predPixels]).toEqual([n.tp[k] + n.fn[k], n.tp[k] + n.fp[k]]);
      same(c.dice, n.dice[k], `${c.name} dice`);
      same(c.iou, n.iou[k], `${c.name} iou`);
      same(c.precision, n.precision[k], `${c.name} precision`);
      same(c.recall, n.recall[k], `${c.name} recall`);
      same(c.diceImageMean, n.diceImg[k][0], `${c.name} diceImageMean`);
      same(c.iouImageMean, n.iouImg[k][0], `${c.name} iouImageMean`);
      expect(c.validImages).toBe(n.diceImg[k][1]);
      expect(c.imagesWithClass).toBe(n.imagesWithClass[k]);
    });
    same(result.meanForegroundDice, n.fg[0], 'meanForegroundDice');
    expect(result.validForegroundClasses).toBe(n.fg[1]);
    same(result.meanForegroundIoU, n.fgIou, 'meanForegroundIoU');
    same(result.meanDiceWithBackground, n.all[0], 'meanDiceWithBackground');
    expect(result.validClasses).toBe(n.all[1]);
    same(result.channelSummedDice, n.channelSummed, 'channelSummedDice');
    same(result.pixelAccuracy, n.accuracy, 'pixelAccuracy');
    same(result.allBackgroundAccuracy, n.allBg, 'allBackgroundAccuracy');
    const matrix = per.reduce((m, x) => m.map((row, g) => row.map((v, p) => v + x.matrix[g][p])), per[0].matrix.map((r) => r.map(() => 0)));
    expect(result.confusion).toEqual(matrix);
    // The corruption is real: the headline is well below 1, and well below the background-dominated figures.
    expect(result.meanForegroundDice).toBeLessThan(0.7);
    expect(result.channelSummedDice - result.meanForegroundDice).toBeGreaterThan(0.15);
  });

  it('every per-image figure equals the independent computation', () => {
    pairs.forEach((p, i) => {
      const n = naive[i];
      const img = result.perImage[i];
      expect(img.name).toBe(p.name);
      expect(img.labelledPixels).toBe(n.labelled);
      expect(img.ignoredPixels).toBe(n.ignored);
      expect(img.confusion).toEqual(n.matrix);
      const dice = n.tp.map((_, c) => naiveDice(n.tp[c], n.fp[c], n.fn[c]));
      img.classes.forEach((c, k) => {
        expect([c.tp, c.fp, c.fn, c.tn]).toEqual([n.tp[k], n.fp[k], n.fn[k], n.tn[k]]);
        same(c.dice, dice[k], `${p.name} ${c.name} dice`);
        same(c.iou, naiveIou(n.tp[k], n.fp[k], n.fn[k]), `${p.name} ${c.name} iou`);
        same(c.precision, div(n.tp[k], n.tp[k] + n.fp[k]), `${p.name} ${c.name} precision`);
        same(c.recall, div(n.tp[k], n.tp[k] + n.fn[k]), `${p.name} ${c.name} recall`);
      });
      const fg = meanDefined(dice.slice(0, 4));
      same(img.meanForegroundDice, fg[0], `${p.name} meanForegroundDice`);
      expect(img.validForegroundClasses).toBe(fg[1]);
      same(img.meanDiceWithBackground, meanDefined(dice)[0], `${p.name} meanDiceWithBackground`);
      same(img.pixelAccuracy, div(n.correct, n.labelled), `${p.name} pixelAccuracy`);
      same(img.allBackgroundAccuracy, div(n.gtBackground, n.labelled), `${p.name} allBackgroundAccuracy`);
    });
    // The image whose synapses were removed: synapse precision undefined, recall 0.
    const noSyn = result.perImage[pairs.length - 2].classes[2];
    expect(noSyn.precision).toBeNaN();
    expect(noSyn.recall).toBe(0);
  });

  it('the baseline equals the independent computation on explicit all-background predictions', () => {
    const per = pairs.map((p) => naiveCounts(p.gt, { ...p.gt, data: new Uint8Array(p.gt.data.length).fill(BG) }));
    const n = naiveDataset(per);
    const b = result.baseline;
    b.classes.forEach((c, k) => {
      same(c.dice, n.dice[k], `baseline ${c.name} dice`);
      same(c.iou, n.iou[k], `baseline ${c.name} iou`);
      same(c.diceImageMean, n.diceImg[k][0], `baseline ${c.name} diceImageMean`);
    });
    same(b.meanForegroundDice, n.fg[0], 'baseline meanForegroundDice');
    expect(b.validForegroundClasses).toBe(n.fg[1]);
    same(b.meanForegroundIoU, n.fgIou, 'baseline meanForegroundIoU');
    same(b.meanDiceWithBackground, n.all[0], 'baseline meanDiceWithBackground');
    same(b.channelSummedDice, n.channelSummed, 'baseline channelSummedDice');
    same(b.pixelAccuracy, n.accuracy, 'baseline pixelAccuracy');
    // The last pair IS an all-background prediction: its image figures are the baseline's for that image.
    expect(result.perImage[pairs.length - 1].meanForegroundDice).toBe(0);
  });

  it('prints a readable table and JSON without NaN', () => {
    const text = formatEvalTable(result);
    for (const name of names) expect(text).toContain(name);
    expect(text).toContain('HEADLINE');
    console.info(`metrics-real: ${pairs.length} corrupted Drosophila pairs\n${text}`);
    const json = JSON.parse(JSON.stringify(toJSONSafe(result)));
    expect(json.classes).toHaveLength(K);
    expect(json.perImage).toHaveLength(pairs.length);
  });
});
