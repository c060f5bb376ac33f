// The prediction findings issue 12 adds, planted in predictions made from the real masks of
// ../shared/data and from the demo: a class never (or almost never) predicted, and predictions
// systematically too wide or too narrow along the true edges. Clean predictions (the ground
// truth itself, edge noise on both sides, a shift) raise neither.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PredictionChecks, runAudit } from '../../src/seg/audit/index.ts';
import type { Finding } from '../../src/seg/audit/index.ts';
import { backgroundId } from '../../src/seg/classes.ts';
import type { ClassTable } from '../../src/seg/classes.ts';
import { DEMO_CLASSES, generateDemoProject } from '../../src/seg/demo/index.ts';
import { readRawMask } from '../../src/seg/image-io.ts';
import { labelsFromRaw } from '../../src/seg/masks.ts';
import { evaluate } from '../../src/seg/metrics/index.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import { DAPI, DROSOPHILA, ISBI, dilate, edgeNoise, erode, missing, readMasks, replaced, shifted, table } from './audit-fixtures.ts';
import type { Labelled } from './audit-fixtures.ts';

/** What eval --audit, the report and the app run on the same predictions. */
function audit(gt: Labelled[], t: ClassTable, pred: (m: LabelMap, name: string) => LabelMap): Finding[] {
  const pairs = gt.map((g) => ({ name: g.name, gt: g.labels, pred: pred(g.labels, g.name) }));
  const checks = new PredictionChecks(t);
  for (const p of pairs) checks.add(p.name, p.gt, p.pred);
  return runAudit({ eval: evaluate(pairs, t), predictions: checks.result() });
}

const byId = (f: Finding[], id: string) => f.filter((x) => x.id === id);

describe.skipIf(missing(DROSOPHILA, 'class-never-predicted on Drosophila VNC'))('class-never-predicted (Drosophila VNC, 5 classes)', () => {
  let t: ClassTable;
  let gt: Labelled[];
  let bg: number;
  let mito: number;
  beforeAll(async () => {
    t = await table('drosophila-vnc');
    bg = backgroundId(t);
    mito = t.classes.findIndex((c) => c.name === 'mitochondria');
    gt = await readMasks(join(DROSOPHILA, 'masks'), t, 4);
  });

  it('mitochondria (several % of the pixels, in every image) predicted nowhere: critical, with the numbers and every image', () => {
    const f = audit(gt, t, (m) => replaced(m, mito, bg));
    const never = byId(f, 'class-never-predicted');
    expect(never).toHaveLength(1);
    expect(never[0]).toMatchObject({ severity: 'critical', title: 'Class "mitochondria" is never predicted', evidence: { class: 'mitochondria', predPixels: 0, imagesWithClass: 4, dice: 0 } });
    expect(never[0].evidence.trueShare as number).toBeGreaterThan(0.02);
    expect([...never[0].images].sort()).toEqual(gt.map((g) => g.name).sort());
    // Worst first: the image with the most mitochondria pixels missed.
    const missed = never[0].perImage!.map((p) => p.evidence.missedPixels as number);
    expect(missed).toEqual([...missed].sort((a, b) => b - a));
    expect(never[0].message).toMatch(/covers \d+\.\d % of the labelled pixels/);
    expect(never[0].action).toMatch(/dice-ce or weighted-ce/);
    // The other classes are perfect: nothing else is raised.
    expect(f.map((x) => x.id)).toEqual(['class-never-predicted']);
  });

  it('almost never: 2 % of its pixels predicted is still named, as "almost never"', () => {
    const never = byId(audit(gt, t, (m) => replaced(m, mito, bg, 50)), 'class-never-predicted');
    expect(never).toHaveLength(1);
    expect(never[0].title).toBe('Class "mitochondria" is almost never predicted');
    expect(never[0].evidence.predictedToTrue as number).toBeGreaterThan(0.01);
    expect(never[0].evidence.predictedToTrue as number).toBeLessThan(0.05);
  });

  it('clean predictions raise nothing; a class predicted at a quarter of its area is a poor class, not a never-predicted one', () => {
    expect(audit(gt, t, (m) => m)).toEqual([]);
    expect(byId(audit(gt, t, (m) => replaced(m, mito, bg, 4)), 'class-never-predicted')).toEqual([]);
  });
});

describe.skipIf(missing(ISBI, 'segmentation-bias on ISBI 2012'))('segmentation-bias (ISBI 2012 membranes, thin structures)', () => {
  let t: ClassTable;
  let gt: Labelled[];
  let bg: number;
  let membrane: number;
  beforeAll(async () => {
    t = await table('isbi2012-membranes');
    bg = backgroundId(t);
    membrane = t.classes.findIndex((c) => c.name === 'membrane');
    gt = await readMasks(join(ISBI, 'masks'), t, 6);
  });

  it('membranes predicted 2 px too wide everywhere: over, about 2 px, every image, with the Dice it costs', () => {
    const f = audit(gt, t, (m) => dilate(m, membrane, bg, 2));
    const b = byId(f, 'segmentation-bias');
    expect(b).toHaveLength(1);
    expect(b[0]).toMatchObject({ severity: 'warning', title: '"membrane" predicted too wide along its edges', evidence: { class: 'membrane', direction: 'over', imagesSameDirection: 6, imagesJudged: 6 } });
    expect(b[0].evidence.widthPx as number).toBeGreaterThan(1.5);
    expect(b[0].evidence.widthPx as number).toBeLessThan(2.5);
    expect(b[0].evidence.diceWithoutBand as number).toBeGreaterThan(b[0].evidence.dice as number);
    expect(b[0].images).toHaveLength(6);
    expect(b[0].message).toMatch(/about 1\.\d px outside its true edges/);
    expect(b[0].action).toMatch(/erode the predictions by 2 px/);
    // A 1-px dilation gives about half the width.
    const one = byId(audit(gt, t, (m) => dilate(m, membrane, bg, 1)), 'segmentation-bias')[0];
    expect(one.evidence.widthPx as number).toBeLessThan(b[0].evidence.widthPx as number);
    expect(one.evidence.widthPx as number).toBeGreaterThan(0.7);
  });

  it('membranes predicted 1 px too narrow: under', () => {
    const b = byId(audit(gt, t, (m) => erode(m, bg, 1)), 'segmentation-bias');
    expect(b).toHaveLength(1);
    expect(b[0].evidence).toMatchObject({ class: 'membrane', direction: 'under' });
    expect(b[0].title).toBe('"membrane" predicted too narrow along its edges');
  });

  it('no bias: the ground truth, edge noise on both sides, a 3-pixel shift', () => {
    expect(audit(gt, t, (m) => m)).toEqual([]);
    expect(byId(audit(gt, t, (m) => edgeNoise(m, 0.5, 3)), 'segmentation-bias')).toEqual([]);
    expect(byId(audit(gt, t, (m) => shifted(m, 3, 2, bg)), 'segmentation-bias')).toEqual([]);
  });
});

describe.skipIf(missing(DAPI, 'segmentation-bias on DAPI nuclei'))('segmentation-bias (DAPI nuclei, blobs)', () => {
  it('nuclei 2 px too wide: over; noisy but unbiased edges: nothing', async () => {
    const t = await table('dapi16-nuclei');
    const bg = backgroundId(t);
    const nucleus = t.classes.findIndex((c) => c.name === 'nucleus');
    const gt = await readMasks(join(DAPI, 'masks'), t, 8);
    const b = byId(audit(gt, t, (m) => dilate(m, nucleus, bg, 2)), 'segmentation-bias');
    expect(b.map((x) => [x.evidence.class, x.evidence.direction])).toEqual([['nucleus', 'over']]);
    expect(b[0].evidence.widthPx as number).toBeGreaterThan(1.6);
    expect(audit(gt, t, (m) => edgeNoise(m, 0.3, 5)).map((x) => x.id)).not.toContain('segmentation-bias');
  });
});

describe('the demo project', () => {
  let dir: string;
  let gt: Labelled[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seglens-audit-pred-'));
    const demo = await generateDemoProject(dir, { seed: 5, count: 8, size: 128, plantErrors: false });
    gt = await Promise.all(demo.truth.images.map(async (im) => ({ name: im.name, labels: labelsFromRaw(await readRawMask(join(dir, im.mask)), DEMO_CLASSES, im.mask).labels })));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the boundary class predicted as nucleus everywhere: class-never-predicted names boundary', () => {
    const f = audit(gt, DEMO_CLASSES, (m) => replaced(m, 2, 1));
    expect(byId(f, 'class-never-predicted').map((x) => x.evidence.class)).toEqual(['boundary']);
  });

  it('nuclei grown by 2 px: segmentation-bias names nucleus, over; the masks themselves raise nothing', () => {
    const f = audit(gt, DEMO_CLASSES, (m) => dilate(m, 1, 0, 2));
    expect(byId(f, 'segmentation-bias').map((x) => [x.evidence.class, x.evidence.direction])).toContainEqual(['nucleus', 'over']);
    expect(audit(gt, DEMO_CLASSES, (m) => m)).toEqual([]);
  });
});
