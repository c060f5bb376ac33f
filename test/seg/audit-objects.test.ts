// Connected components (checked against a plain flood fill written here) and object recall on the
// real DAPI nuclei masks: a prediction that misses every small nucleus keeps a good Dice but must
// raise small-objects-missed; the ground truth and a lightly eroded one must not.
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { backgroundId } from '../../src/seg/classes.ts';
import type { ClassTable } from '../../src/seg/classes.ts';
import { evaluate } from '../../src/seg/metrics/index.ts';
import {
  ACCEPTABLE_CLASS_DICE,
  LOW_OBJECT_RECALL,
  ObjectRecall,
  checkSmallObjects,
  labelComponents,
  objectRecall,
  runAudit,
} from '../../src/seg/audit/index.ts';
import type { Connectivity } from '../../src/seg/audit/index.ts';
import { IGNORE } from '../../src/seg/types.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import { DAPI, erode, medianObjectSize, missing, readMasks, table, withoutSmallObjects } from './audit-fixtures.ts';
import type { Labelled } from './audit-fixtures.ts';

/** Reference: BFS flood fill per unvisited pixel; returns the sorted multiset of (value, size). */
function naive(m: LabelMap, conn: Connectivity, skip: number[]): string[] {
  const { width: w, height: h, data } = m;
  const seen = new Uint8Array(w * h);
  const out: string[] = [];
  const steps = conn === 4 ? [[1, 0], [-1, 0], [0, 1], [0, -1]] : [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [1, -1], [-1, 1], [-1, -1]];
  for (let s = 0; s < w * h; s++) {
    if (seen[s] || skip.includes(data[s]) || data[s] === IGNORE) continue;
    const v = data[s];
    let size = 0;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      size++;
      const x = p % w;
      const y = (p / w) | 0;
      for (const [dx, dy] of steps) {
        const nx = x + dx;
        const ny = y + dy;
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
        const q = ny * w + nx;
        if (!seen[q] && data[q] === v) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    out.push(`${v}:${size}`);
  }
  return out.sort();
}

function fromRows(rows: string[]): LabelMap {
  const data = Uint8Array.from(rows.join('').split(''), (c) => (c === '.' ? 0 : c === 'x' ? IGNORE : Number(c)));
  return { width: rows[0].length, height: rows.length, data };
}

describe('labelComponents', () => {
  it('diagonal chains are one object with 8-connectivity and fall apart with 4', () => {
    const m = fromRows([
      '1...2', //
      '.1..2',
      '..1..',
      '...1.',
      '22x.1',
    ]);
    const c8 = labelComponents(m, { skip: [0] });
    expect(c8.count).toBe(3); // the diagonal of 1s, the 2s top right, the 2s bottom left
    const c4 = labelComponents(m, { skip: [0], connectivity: 4 });
    expect(c4.count).toBe(7);
    // Component ids per pixel agree with sizes and values.
    for (const c of [c8, c4]) {
      const size = new Int32Array(c.count + 1);
      c.labels.forEach((l, i) => {
        if (l) {
          size[l]++;
          expect(c.value[l]).toBe(m.data[i]);
        }
      });
      expect(Array.from(size)).toEqual(Array.from(c.size));
    }
    // IGNORE never forms a component, and splits nothing it does not touch.
    expect(c8.labels[4 * 5 + 2]).toBe(0);
  });

  it.each([4, 8] as const)('matches a flood fill on random multi-class maps (%i-connected)', (conn) => {
    const rng = seedrandom(`cc-${conn}`);
    for (let k = 0; k < 20; k++) {
      const w = 5 + Math.floor(rng() * 60);
      const h = 5 + Math.floor(rng() * 60);
      const density = rng();
      const data = Uint8Array.from({ length: w * h }, () => (rng() < density ? 0 : rng() < 0.05 ? IGNORE : 1 + Math.floor(rng() * 3)));
      const m = { width: w, height: h, data };
      const c = labelComponents(m, { connectivity: conn, skip: [0] });
      const got = Array.from({ length: c.count }, (_, i) => `${c.value[i + 1]}:${c.size[i + 1]}`).sort();
      expect(got).toEqual(naive(m, conn, [0]));
    }
  });

  it('spirals and U-shapes that merge late get one id', () => {
    const m = fromRows([
      '1.1.1.1', //
      '1.1.1.1',
      '1111111',
    ]);
    expect(labelComponents(m, { skip: [0], connectivity: 4 }).count).toBe(1);
  });
});

describe('ObjectRecall on a drawn example', () => {
  it('counts an object as found when at least half of it is predicted as its class', () => {
    const table = { classes: [{ name: 'bg' }, { name: 'cell' }], background: 'bg' };
    const gt = fromRows([
      '11....1111', //
      '11....1111',
      '......1111',
      '.1........',
    ]);
    // Left blob: 2 of 4 covered (found). Right blob: 5 of 12 covered (missed). Single pixel: below MIN_OBJECT_PIXELS.
    const pred = fromRows([
      '1.....111.', //
      '1......11.',
      '..........',
      '..........',
    ]);
    const r = objectRecall([{ name: 'a', gt, pred }], table);
    expect(r.classes[1]).toMatchObject({ objects: 2, found: 1, recall: 0.5, medianFoundPixels: 4, medianMissedPixels: 12 });
    expect(r.classes[0].objects).toBe(0);
    expect(Number.isNaN(r.classes[0].recall)).toBe(true);
    expect(r.perImage[0]).toEqual({ name: 'a', objects: [0, 2], found: [0, 1] });
  });
});

describe.skipIf(missing(DAPI, 'object recall on DAPI nuclei'))('small-objects-missed on DAPI nuclei masks', () => {
  let t: ClassTable;
  let bg: number;
  let gt: Labelled[];
  let median: number;
  beforeAll(async () => {
    t = await table('dapi16-nuclei');
    bg = backgroundId(t);
    gt = await readMasks(join(DAPI, 'masks'), t);
    median = medianObjectSize(
      gt.map((g) => g.labels),
      bg,
    );
  });

  const run = (pred: (g: Labelled) => LabelMap) => {
    const pairs = gt.map((g) => ({ name: g.name, gt: g.labels, pred: pred(g) }));
    const acc = new ObjectRecall(t);
    for (const p of pairs) acc.add(p.name, p.gt, p.pred);
    return { eval: evaluate(pairs, t), objects: acc.result(), pairs };
  };

  it('a prediction without the nuclei smaller than the median: Dice stays good, the finding names the class', () => {
    const { eval: r, objects } = run((g) => withoutSmallObjects(g.labels, bg, median));
    const nucleus = r.classes.find((c) => !c.isBackground)!;
    expect(nucleus.dice).toBeGreaterThanOrEqual(ACCEPTABLE_CLASS_DICE);
    const oc = objects.classes[nucleus.id];
    expect(oc.recall).toBeLessThan(LOW_OBJECT_RECALL);
    expect(oc.smallRecall).toBe(0);
    expect(oc.largeRecall).toBe(1);
    const f = checkSmallObjects(objects, r);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ id: 'small-objects-missed', severity: 'warning' });
    expect(f[0].evidence).toMatchObject({ class: 'nucleus', objects: oc.objects, found: oc.found, dice: nucleus.dice });
    expect(f[0].evidence.medianMissedPixels as number).toBeLessThan(median);
    // Images ranked by missed objects, most first.
    const missed = f[0].perImage!.map((p) => p.evidence.missed as number);
    expect(missed).toEqual([...missed].sort((a, b) => b - a));
    expect(f[0].images[0]).toBe(f[0].perImage![0].image);
    expect(runAudit({ eval: r, objects }).map((x) => x.id)).toContain('small-objects-missed');
  });

  it('runAudit computes object recall itself from perImageLabels', () => {
    const { pairs } = run((g) => withoutSmallObjects(g.labels, bg, median));
    const ids = runAudit({ perImageLabels: pairs, table: t }).map((x) => x.id);
    expect(ids).toContain('small-objects-missed');
  });

  it('the ground truth and a 1-pixel erosion find (nearly) every object: nothing raised', () => {
    for (const pred of [(g: Labelled) => g.labels, (g: Labelled) => erode(g.labels, bg, 1)]) {
      const { eval: r, objects } = run(pred);
      expect(objects.classes[1].recall).toBeGreaterThan(0.9);
      expect(checkSmallObjects(objects, r)).toEqual([]);
    }
  });
});
