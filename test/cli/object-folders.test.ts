// One binary mask per object, a folder per image: the layout of the Kaggle Data Science Bowl 2018
// nuclei set (<name>/images/<name>.png, <name>/masks/*.png) and of many annotation exports
// (images/<name>.tif, masks/<name>/*.png). Built from the DAPI instance masks in ../shared/data
// (each nucleus written as its own binary PNG, as those exports do): init recognises both layouts,
// inspect reads them as instance masks with exactly the pixels of the instance images, overlaps
// planted by growing one object into its neighbour are reported and left unlabelled, and the old
// hint that pointed to per-class folders now names this layout.
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, readPairLabels } from '../../src/seg/dataset/index.ts';
import { readRawMask } from '../../src/seg/image-io.ts';
import { labelsFromInstances } from '../../src/seg/masks.ts';
import { DAPI, missing } from '../seg/audit-fixtures.ts';
import { json, seglens } from '../helpers/cli.ts';
import { fileProblems } from '../helpers/inspect-json.ts';
import type { InspectFindingJson } from '../helpers/inspect-json.ts';

const NAMES = ['bone_40x_oil_1', 'bone_40x_oil_4', 'heart_63x_oil_4'];
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-objects-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** Writes each object of an instance mask as its own binary PNG into `dir`; returns the ids. */
async function explode(name: string, dir: string, grow?: { id: number; by: number }): Promise<number[]> {
  const m = await readRawMask(join(DAPI, 'masks_instance', `${name}.tif`));
  const ids = [...new Set(m.data)].filter((v) => v !== 0).sort((a, b) => a - b);
  await mkdir(dir, { recursive: true });
  for (const id of ids) {
    let bin = Uint8Array.from(m.data, (v) => (v === id ? 255 : 0));
    if (grow && grow.id === id) {
      // An annotator's sloppy stroke: the object grown into whatever surrounds it.
      for (let k = 0; k < grow.by; k++) {
        const next = bin.slice();
        for (let y = 1; y < m.height - 1; y++) for (let x = 1; x < m.width - 1; x++) {
          const i = y * m.width + x;
          if (!bin[i] && (bin[i - 1] || bin[i + 1] || bin[i - m.width] || bin[i + m.width])) next[i] = 255;
        }
        bin = next;
      }
    }
    await sharp(bin, { raw: { width: m.width, height: m.height, channels: 1 } }).png().toFile(join(dir, `${name}_obj${String(id).padStart(3, '0')}.png`));
  }
  return ids;
}

interface InspectJson {
  classes: { name: string; pixels: number }[];
  findings: InspectFindingJson[];
  blocking: boolean;
}

describe.skipIf(missing(DAPI, 'object folders from DAPI instance masks'))('object-per-file folders', () => {
  it('Data Science Bowl layout (<name>/images, <name>/masks): init recognises it, inspect reads the same pixels as the instance images', async () => {
    const root = join(tmp, 'dsb');
    for (const n of NAMES) {
      await mkdir(join(root, n, 'images'), { recursive: true });
      await copyFile(join(DAPI, 'images', `${n}.tif`), join(root, n, 'images', `${n}.tif`));
      await explode(n, join(root, n, 'masks'));
    }
    const init = await seglens(['init', root]);
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/one binary file per object, a folder per image: .*Data Science Bowl 2018 layout\)\. 3 images with \d+ objects/);
    const project = JSON.parse(await readFile(join(root, 'seglens.json'), 'utf8'));
    expect(project.maskFormat).toEqual({ kind: 'objects', className: 'object', layout: 'image-folders' });
    const r = await seglens(['inspect', root, '--json']);
    expect(r.code).toBe(0);
    const rep = json<InspectJson>(r);
    expect(fileProblems(rep.findings)).toEqual([]);
    // The object pixels are exactly the non-zero pixels of the instance images.
    let objectPixels = 0;
    for (const n of NAMES) for (const v of (await readRawMask(join(DAPI, 'masks_instance', `${n}.tif`))).data) if (v) objectPixels++;
    expect(rep.classes.find((c) => c.name === 'object')!.pixels).toBe(objectPixels);
  });

  it('images/ with masks/<name>/ and a boundary class: the labels equal those of the instance images', async () => {
    const root = join(tmp, 'per-image');
    await mkdir(join(root, 'images'), { recursive: true });
    for (const n of NAMES) {
      await copyFile(join(DAPI, 'images', `${n}.tif`), join(root, 'images', `${n}.tif`));
      await explode(n, join(root, 'masks', n));
    }
    const init = await seglens(['init', root, '--json']);
    expect(init.code).toBe(0);
    expect(json<{ project: { maskFormat: unknown } }>(init).project.maskFormat).toEqual({ kind: 'objects', className: 'object', layout: 'mask-folders' });
    const ds = await openDataset(root);
    const withBoundary = {
      ...ds.project,
      maskFormat: { kind: 'objects' as const, className: 'object', boundaryClass: 'boundary', layout: 'mask-folders' as const },
      classes: { ...ds.project.classes, classes: [...ds.project.classes.classes, { name: 'boundary', values: [2], color: '#e6194b' }] },
    };
    for (const pair of ds.pairs) {
      const got = await readPairLabels(withBoundary, pair);
      const want = labelsFromInstances(await readRawMask(join(DAPI, 'masks_instance', `${pair.name}.tif`)), { backgroundId: 0, foregroundId: 1, boundaryId: 2 });
      expect(got.problems).toEqual([]);
      expect(Buffer.from(got.labels.data).equals(Buffer.from(want.data))).toBe(true);
    }
  });

  it('overlapping objects are reported with their pixel count and left unlabelled; other images stay clean', async () => {
    const root = join(tmp, 'overlap');
    await mkdir(join(root, 'images'), { recursive: true });
    let grownId = 0;
    for (const [i, n] of NAMES.entries()) {
      await copyFile(join(DAPI, 'images', `${n}.tif`), join(root, 'images', `${n}.tif`));
      const ids = await (i === 0 ? explode(n, join(root, 'masks', n), { id: 5, by: 6 }) : explode(n, join(root, 'masks', n)));
      if (i === 0) grownId = ids.indexOf(5) >= 0 ? 5 : 0;
    }
    expect(grownId).toBe(5);
    await seglens(['init', root]);
    const r = await seglens(['inspect', root, '--json']);
    expect(r.code).toBe(0);
    const rep = json<InspectJson>(r);
    const overlap = rep.findings.filter((f) => f.id === 'mask-overlap');
    expect(overlap).toHaveLength(1);
    expect(overlap[0]).toMatchObject({ severity: 'warning', files: [`masks/${NAMES[0]}`], images: [NAMES[0]], blocking: false });
    expect(overlap[0].evidence.overlapPixels).toBeGreaterThan(0);
    expect(overlap[0].message).toMatch(/\d+ pixels \(\d+\.\d+ %\) are claimed by two or more of the \d+ objects \(\d+ pair\(s\) of objects overlap\)/);
    const text = await seglens(['inspect', root]);
    expect(text.stdout).toMatch(/Unlabelled \/ ignored pixels: \d+\.\d+ % of all pixels \(\d+ px\) in 1 of 3 images/);
    const labels = (await readPairLabels((await openDataset(root)).project, (await openDataset(root)).pairs.find((p) => p.name === NAMES[0])!)).labels;
    expect(labels.data.filter((v) => v === 255).length).toBe(overlap[0].evidence.overlapPixels);
  });

  it('a mask folder of sub-folders without this layout: the message names both object and per-class folders', async () => {
    const root = join(tmp, 'wrong');
    await mkdir(join(root, 'images'), { recursive: true });
    await copyFile(join(DAPI, 'images', `${NAMES[0]}.tif`), join(root, 'images', `${NAMES[0]}.tif`));
    await explode(NAMES[0], join(root, 'masks', 'something-else'));
    const r = await seglens(['inspect', root, '--classes', join('assets', 'class-tables', 'dapi16-nuclei.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"kind": "objects"/);
    expect(r.stderr).toMatch(/"kind": "per-class"/);
  });
});
