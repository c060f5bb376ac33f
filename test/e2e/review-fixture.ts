// A review run planted in the demo project, so the metrics view has known answers: images 1-4 are
// predicted with the boundary class missing and the nuclei shifted by 4 pixels (high accuracy,
// poor foreground Dice: the deceptive corner), the others exactly as the ground truth. The figures
// the UI must show are computed here independently, by plain counting.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

export const PLANTED_RUN = 'planted-review';
const IGNORE = 255;
const K = 3;

export interface PlantedImage {
  name: string;
  gt: Uint8Array;
  pred: Uint8Array;
  width: number;
  height: number;
}

async function readLabels(file: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

function corrupt(gt: Uint8Array, w: number, h: number, shift: number): Uint8Array {
  const out = new Uint8Array(gt.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = x >= shift && y >= shift ? gt[(y - shift) * w + x - shift] : 0;
      out[y * w + x] = v === 1 ? 1 : 0;
    }
  return out;
}

/** Writes runs/planted-review/ into the demo project; returns the planted pairs. */
export async function plantReviewRun(projectDir: string): Promise<PlantedImage[]> {
  const truth = JSON.parse(await readFile(join(projectDir, 'demo-truth.json'), 'utf8')) as { images: { name: string; mask: string }[] };
  const run = join(projectDir, 'runs', PLANTED_RUN);
  await mkdir(join(run, 'predictions'), { recursive: true });
  await writeFile(join(run, 'config.json'), JSON.stringify({ planted: 'test/e2e/review-fixture.ts' }));
  await writeFile(join(run, 'run.json'), JSON.stringify({ format: 'seglens-run', version: 1, id: PLANTED_RUN, created: new Date().toISOString(), status: 'finished' }));
  const out: PlantedImage[] = [];
  for (const [i, im] of truth.images.entries()) {
    const { data: gt, width, height } = await readLabels(join(projectDir, im.mask));
    const pred = i < 4 ? corrupt(gt, width, height, 4) : gt.map((v) => (v === IGNORE ? 0 : v));
    const stem = im.name.replace(/\.[^.]+$/, '');
    await sharp(Buffer.from(pred), { raw: { width, height, channels: 1 } }).png().toFile(join(run, 'predictions', `${stem}.png`));
    out.push({ name: im.name, gt, pred, width, height });
  }
  return out;
}

/** Dice per class, accuracy, and the deceptive rule (inclusive >= 0.8, foreground mean < 0.5). */
export function expectedScores(p: PlantedImage): { accuracy: number; fgDice: number; withBg: number; deceptive: boolean } {
  const tp = new Array(K).fill(0);
  const gtN = new Array(K).fill(0);
  const prN = new Array(K).fill(0);
  let right = 0;
  let scored = 0;
  for (let i = 0; i < p.gt.length; i++) {
    const g = p.gt[i];
    if (g === IGNORE) continue;
    const q = p.pred[i];
    scored++;
    gtN[g]++;
    prN[q]++;
    if (g === q) {
      right++;
      tp[g]++;
    }
  }
  const dice = (c: number) => (gtN[c] + prN[c] === 0 ? NaN : (2 * tp[c]) / (gtN[c] + prN[c]));
  const mean = (cs: number[]) => {
    const v = cs.map(dice).filter((d) => !Number.isNaN(d));
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  const accuracy = right / scored;
  const fgDice = mean([1, 2]);
  const withBg = mean([0, 1, 2]);
  const hasFg = gtN[1] + gtN[2] > 0;
  return { accuracy, fgDice, withBg, deceptive: hasFg && Math.max(accuracy, withBg) >= 0.8 && fgDice < 0.5 };
}

/** Error-map counts for all foreground classes, as the legend must show them. */
export function expectedErrorCounts(p: PlantedImage): { tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < p.gt.length; i++) {
    const g = p.gt[i];
    const q = p.pred[i];
    if (g === IGNORE) continue;
    const gFg = g === 1 || g === 2;
    const qFg = q === 1 || q === 2;
    if (gFg && q === g) tp++;
    else {
      if (gFg) fn++;
      if (qFg) fp++;
    }
  }
  return { tp, fp, fn };
}
