// A report built from the demo project without a trained model: the demo's masks are the ground
// truth and the predictions are those masks corrupted in known ways, so the report's figures and
// rankings can be checked against what was planted.
//   image 1: all background (a deceptive image: accuracy high, foreground Dice 0)
//   image 2: nuclei eroded to a one-pixel ring removed, boundary class never predicted
//   image 3: the mask shifted by 6 pixels (foreground Dice drops, accuracy stays high)
//   image 4: stray false-positive nuclei blocks in the corner
//   others: the mask itself
// and in every image the boundary class is predicted as nucleus: it is never predicted anywhere
// (class-never-predicted).
import { join } from 'node:path';
import { PredictionChecks, predictionFindings as auditPredictions } from '../../src/seg/audit/index.ts';
import type { ObjectRecallResult } from '../../src/seg/audit/index.ts';
import { generateDemoProject, DEMO_CLASSES } from '../../src/seg/demo/index.ts';
import type { EpochRecord } from '../../src/seg/history.ts';
import { readImage, readRawMask } from '../../src/seg/image-io.ts';
import { labelsFromRaw } from '../../src/seg/masks.ts';
import { evaluate } from '../../src/seg/metrics/index.ts';
import type { ReportInput, ScopedFinding } from '../../src/seg/report/index.ts';
import type { LabelMap, RawImage } from '../../src/seg/types.ts';

export interface FixturePair {
  name: string;
  image: RawImage;
  gt: LabelMap;
  pred: LabelMap;
}

function corrupt(gt: LabelMap, index: number): LabelMap {
  const { width: w, height: h } = gt;
  const out = new Uint8Array(gt.data);
  const at = (x: number, y: number) => gt.data[y * w + x];
  if (index === 0) out.fill(0);
  else if (index === 1) {
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const v = at(x, y);
        if (v === 2) out[y * w + x] = 0;
        else if (v === 1) {
          const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || at(x - 1, y) !== 1 || at(x + 1, y) !== 1 || at(x, y - 1) !== 1 || at(x, y + 1) !== 1;
          out[y * w + x] = edge ? 0 : 1;
        }
      }
  } else if (index === 2) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = x >= 6 && y >= 6 ? at(x - 6, y - 6) : 0;
  } else if (index === 3) {
    for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) out[y * w + x] = 1;
  }
  // Wherever the boundary class survived, it is predicted as nucleus: boundary is never predicted.
  for (let i = 0; i < out.length; i++) if (out[i] === 2) out[i] = 1;
  for (let i = 0; i < out.length; i++) if (out[i] === 255) out[i] = 0;
  return { width: w, height: h, data: out };
}

export async function loadFixturePairs(dir: string, count = 8, size = 128): Promise<FixturePair[]> {
  const demo = await generateDemoProject(dir, { seed: 7, count, size, plantErrors: false });
  const out: FixturePair[] = [];
  for (const [i, im] of demo.truth.images.entries()) {
    const image = await readImage(join(dir, im.image));
    const raw = await readRawMask(join(dir, im.mask));
    const gt = labelsFromRaw(raw, DEMO_CLASSES, im.mask).labels;
    out.push({ name: im.name, image, gt, pred: corrupt(gt, i) });
  }
  return out;
}

/** A plausible 20-epoch history: loss falls, Dice rises, best at epoch 14, slight overfitting after. */
export function syntheticHistory(epochs = 20): EpochRecord[] {
  const out: EpochRecord[] = [];
  let best = -1;
  for (let e = 1; e <= epochs; e++) {
    const t = e / epochs;
    const nucleus = 0.85 * (1 - Math.exp(-5 * t)) - (e > 14 ? 0.01 * (e - 14) : 0);
    const boundary = 0.35 * (1 - Math.exp(-3 * t)) - (e > 14 ? 0.008 * (e - 14) : 0);
    const fg = (nucleus + boundary) / 2;
    const isBest = fg > best;
    if (isBest) best = fg;
    out.push({
      epoch: e,
      trainLoss: 1.1 * Math.exp(-3 * t) + 0.08,
      valLoss: 1.1 * Math.exp(-2.6 * t) + 0.12 + (e > 14 ? 0.015 * (e - 14) : 0),
      lr: 1e-3,
      seconds: 12.5,
      steps: 40,
      val: {
        meanForegroundDice: fg,
        meanForegroundIoU: fg * 0.8,
        meanDiceWithBackground: (fg * 2 + 0.97) / 3,
        channelSummedDice: 0.9 + 0.05 * t,
        pixelAccuracy: 0.9 + 0.05 * t,
        allBackgroundAccuracy: 0.86,
        classes: [
          { name: 'background', dice: 0.95 + 0.03 * t, iou: 0.9, predictedShare: 0.86, trueShare: 0.86 },
          { name: 'nucleus', dice: nucleus, iou: nucleus * 0.8, predictedShare: 0.12, trueShare: 0.12 },
          { name: 'boundary', dice: boundary, iou: boundary * 0.7, predictedShare: 0.01, trueShare: 0.02 },
        ],
      },
      monitor: { name: 'val.meanForegroundDice', value: fg, best: isBest },
    });
  }
  return out;
}

/** The prediction-level audit checks on one split (what runAudit does for predictions, as the report runs them). */
export function predictionFindings(pairs: FixturePair[], split: 'val' | 'test'): { findings: ScopedFinding[]; result: ReturnType<typeof evaluate>; objects: ObjectRecallResult } {
  const sorted = [...pairs];
  const result = evaluate(sorted, DEMO_CLASSES);
  const checks = new PredictionChecks(DEMO_CLASSES);
  for (const p of sorted) checks.add(p.name, p.gt, p.pred);
  const c = checks.result();
  const findings = auditPredictions(result, c).map((f) => ({ ...f, scope: split }) as ScopedFinding);
  return { findings, result, objects: c.objects };
}

export function fixtureInput(pairs: FixturePair[], opts: { audit?: boolean } = {}): ReportInput {
  const val = predictionFindings(pairs, 'val');
  return {
    title: 'Segmentation report: demo nuclei',
    generated: '2025-01-01T00:00:00.000Z',
    classes: DEMO_CLASSES,
    dataset: { name: 'demo', dir: '/tmp/demo', images: pairs.length * 3 },
    history: syntheticHistory(),
    run: {
      id: 'fixture-run',
      checkpoint: 'best',
      backend: 'wasm',
      versions: { seglens: '0.1.0', '@tensorflow/tfjs-core': '4.22.0', node: process.version },
      seeds: { split: 1, init: 2, sampler: 3 },
      config: { model: { depth: 3, baseFilters: 16 }, loss: 'dice-ce', epochs: 20, patch: [128, 128], augment: { flips: true, elastic: false } },
    },
    split: {
      classNames: ['background', 'nucleus', 'boundary'],
      background: 0,
      all: { images: 24, pixels: [300000, 60000, 3000], fractions: [0.826, 0.165, 0.0083], presence: [24, 24, 20], meanForeground: 0.17 },
      splits: {
        train: { images: 16, pixels: [200000, 40000, 2000], fractions: [0.826, 0.165, 0.0083], presence: [16, 16, 13], meanForeground: 0.17 },
        val: { images: 8, pixels: [100000, 20000, 1000], fractions: [0.826, 0.165, 0.0083], presence: [8, 8, 7], meanForeground: 0.17 },
        test: { images: 0, pixels: [0, 0, 0], fractions: [null, null, null], presence: [0, 0, 0], meanForeground: null },
      },
      settings: { seed: 1, val: 0.33, test: 0 },
    },
    evaluations: [{ split: 'val', result: val.result, objects: val.objects }],
    findings: opts.audit === false ? undefined : val.findings,
    audited: ['the validation predictions'],
  };
}
