// Shared by the audit tests: the real data sets of ../shared/data read as label maps, and the
// deterministic corruptions the tests plant in them (erosion, small objects removed, shifts).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readClassTable } from '../../src/seg/class-table-file.ts';
import type { ClassTable } from '../../src/seg/classes.ts';
import { readRawMask } from '../../src/seg/image-io.ts';
import { labelsFromRaw } from '../../src/seg/masks.ts';
import type { EpochRecord } from '../../src/seg/history.ts';
import { EpochRecordSchema } from '../../src/seg/history.ts';
import type { EvalResult } from '../../src/seg/metrics/index.ts';
import { valFiguresOf } from '../../src/seg/audit/index.ts';
import { labelComponents } from '../../src/seg/audit/index.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import { DATA, TABLES } from '../helpers/paths.ts';

export { DATA, TABLES };
export const DAPI = join(DATA, 'dapi16-nuclei');
export const DROSOPHILA = join(DATA, 'drosophila-vnc');
export const ISBI = join(DATA, 'isbi2012-membranes');

/** True (and a printed reason) when a real data set is absent, for describe.skipIf. */
export function missing(dir: string, what: string): boolean {
  const absent = !existsSync(dir);
  if (absent) console.warn(`SKIP ${what}: ${dir} is absent (real microscopy data lives in ../shared/data beside the checkout).`);
  return absent;
}

export async function table(name: string): Promise<ClassTable> {
  return readClassTable(join(TABLES, `${name}.json`));
}

export interface Labelled {
  name: string;
  labels: LabelMap;
}

/** The first `count` masks of a folder (sorted), through the class table; must have no unknown value. */
export async function readMasks(dir: string, t: ClassTable, count = Infinity): Promise<Labelled[]> {
  const files = readdirSync(dir)
    .filter((f) => /\.(png|tif)$/i.test(f))
    .sort()
    .slice(0, count);
  return Promise.all(
    files.map(async (f) => {
      const m = labelsFromRaw(await readRawMask(join(dir, f)), t, f);
      if (m.unknown.length) throw new Error(`${f}: unknown values ${JSON.stringify(m.unknown)}`);
      return { name: f.replace(/\.[^.]+$/, ''), labels: m.labels };
    }),
  );
}

/** Every pixel of class `background`. */
export function allBackground(m: LabelMap, background: number): LabelMap {
  return { ...m, data: new Uint8Array(m.data.length).fill(background) };
}

/** Foreground pixels with a 4-neighbour of another class become background, `r` times. */
export function erode(m: LabelMap, background: number, r = 1): LabelMap {
  let d = m.data;
  const { width: w, height: h } = m;
  for (let k = 0; k < r; k++) {
    const out = d.slice();
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const v = d[i];
        if (v === background) continue;
        if ((x > 0 && d[i - 1] !== v) || (x < w - 1 && d[i + 1] !== v) || (y > 0 && d[i - w] !== v) || (y < h - 1 && d[i + w] !== v)) out[i] = background;
      }
    }
    d = out;
  }
  return { ...m, data: d };
}

/** The map moved by (dx, dy); the uncovered strip becomes `fill`. */
export function shifted(m: LabelMap, dx: number, dy: number, fill: number): LabelMap {
  const { width: w, height: h } = m;
  const data = new Uint8Array(w * h).fill(fill);
  for (let y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
    for (let x = Math.max(0, dx); x < Math.min(w, w + dx); x++) data[y * w + x] = m.data[(y - dy) * w + (x - dx)];
  }
  return { ...m, data };
}

/** Ground-truth components (8-connected) smaller than `maxPixels` set to background. */
export function withoutSmallObjects(m: LabelMap, background: number, maxPixels: number): LabelMap {
  const c = labelComponents(m, { skip: [background] });
  const data = m.data.slice();
  for (let i = 0; i < data.length; i++) if (c.labels[i] !== 0 && c.size[c.labels[i]] < maxPixels) data[i] = background;
  return { ...m, data };
}

/** Median size of the 8-connected components of the non-background classes. */
export function medianObjectSize(maps: LabelMap[], background: number): number {
  const sizes: number[] = [];
  for (const m of maps) {
    const c = labelComponents(m, { skip: [background] });
    for (let id = 1; id <= c.count; id++) if (c.size[id] >= 4) sizes.push(c.size[id]);
  }
  sizes.sort((a, b) => a - b);
  return sizes[sizes.length >> 1];
}

export interface EpochSpec {
  trainLoss: number | null;
  valLoss: number | null;
  /** Validation figures, e.g. from valFiguresOf(evaluate(...)). */
  val: EpochRecord['val'];
  best?: boolean;
}

/** EpochRecords 1..n, validated by the schema the trainer writes with. */
export function history(specs: EpochSpec[]): EpochRecord[] {
  return specs.map((s, i) =>
    EpochRecordSchema.parse({
      epoch: i + 1,
      trainLoss: s.trainLoss,
      valLoss: s.valLoss,
      lr: 1e-3,
      seconds: 12.5,
      steps: 20,
      val: s.val,
      monitor: { name: 'val.meanForegroundDice', value: s.val.meanForegroundDice, best: s.best ?? false },
    }),
  );
}

/** The validation figures of an EpochRecord for an evaluation. */
export function valOf(r: EvalResult): EpochRecord['val'] {
  return valFiguresOf(r);
}

/** Class `cls` grown by `r` pixels (8-neighbours) into pixels of class `into`: a prediction too wide. */
export function dilate(m: LabelMap, cls: number, into: number, r = 1): LabelMap {
  let d = m.data;
  const { width: w, height: h } = m;
  for (let k = 0; k < r; k++) {
    const out = d.slice();
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (d[i] !== into) continue;
        let hit = false;
        for (let dy = -1; dy <= 1 && !hit; dy++) for (let dx = -1; dx <= 1 && !hit; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < w && yy < h && d[yy * w + xx] === cls) hit = true;
        }
        if (hit) out[i] = cls;
      }
    }
    d = out;
  }
  return { ...m, data: d };
}

/** Pixels of class `from` become `to` (a class the model never predicts), except every `keepEvery`-th pixel when given. */
export function replaced(m: LabelMap, from: number, to: number, keepEvery = 0): LabelMap {
  const data = m.data.map((v, i) => (v === from && !(keepEvery > 0 && i % keepEvery === 0) ? to : v));
  return { ...m, data };
}

/**
 * An honest model's edge noise: every pixel on a class edge takes its neighbour's class with
 * probability p (seeded), on both sides alike, so errors fall on both sides of every edge.
 */
export function edgeNoise(m: LabelMap, p: number, seed = 1): LabelMap {
  const { width: w, height: h, data: g } = m;
  const out = g.slice();
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const n = [x > 0 ? g[i - 1] : g[i], x < w - 1 ? g[i + 1] : g[i], y > 0 ? g[i - w] : g[i], y < h - 1 ? g[i + w] : g[i]].filter((v) => v !== g[i] && v !== 255);
      if (n.length > 0 && rand() < p) out[i] = n[Math.floor(rand() * n.length)];
    }
  }
  return { ...m, data: out };
}
