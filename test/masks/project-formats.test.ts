// Masks out and in through the real command line: `seglens export-masks` writes a project's current
// ground truth (an edited mask with unlabelled pixels included) as 16-bit label TIFF, GeoJSON and
// COCO; `seglens init` recognises the GeoJSON folder and the COCO file (CVAT's layout) as masks;
// the new projects read back, class by class, exactly the labels that went out (TIFF through its
// classes.json). Predictions go out the same way. Hand-written QuPath and CVAT files are read by the
// same rules, and what is wrong in them is reported by file and name.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchUpload, encodeSaveMask } from '../../src/api/index.ts';
import { Workspace } from '../../src/app/workspace.ts';
import { readClassTable } from '../../src/seg/class-table-file.ts';
import { openDataset, readPairLabels } from '../../src/seg/dataset/index.ts';
import type { Dataset } from '../../src/seg/dataset/index.ts';
import { IGNORE } from '../../src/seg/types.ts';
import { json, seglens } from '../helpers/cli.ts';
import { fileProblems } from '../helpers/inspect-json.ts';
import type { InspectFindingJson } from '../helpers/inspect-json.ts';

let tmp: string;
let demo: string;
const EDITED = 'demo_02';

/** Per image: the class name of every pixel (null = unlabelled), as a project reads it. */
async function namesOf(ds: Dataset): Promise<Map<string, Array<string | null>>> {
  const out = new Map<string, Array<string | null>>();
  for (const p of ds.pairs) {
    const r = await readPairLabels(ds.project, p);
    expect(r.problems, `${p.name}: ${JSON.stringify(r.problems)}`).toEqual([]);
    out.set(p.name, Array.from(r.labels.data, (v) => (v === IGNORE ? null : ds.project.classes.classes[v].name)));
  }
  return out;
}

function expectSame(a: Map<string, Array<string | null>>, b: Map<string, Array<string | null>>): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [name, px] of a) {
    const other = b.get(name)!;
    let diff = 0;
    for (let i = 0; i < px.length; i++) if (px[i] !== other[i]) diff++;
    expect(diff, `${name}: pixels that differ`).toBe(0);
  }
}

let original: Map<string, Array<string | null>>;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-maskio-'));
  demo = join(tmp, 'demo');
  expect((await seglens(['demo', demo, '--count', '5', '--size', '80', '--clean'])).code).toBe(0);
  // An edit through the engine: a block of unlabelled pixels and a stripe of boundary.
  const ws = new Workspace({ demoDir: join(tmp, 'unused') });
  await ws.openProject({ dir: demo });
  const m = await sharp(join(demo, 'masks', `${EDITED}.png`)).extractChannel(0).raw().toBuffer();
  const data = new Uint8Array(m);
  for (let y = 10; y < 25; y++) for (let x = 5; x < 30; x++) data[y * 80 + x] = IGNORE;
  for (let x = 0; x < 80; x++) data[60 * 80 + x] = 2;
  data[0] = 1; // a one-pixel nucleus in the corner
  const { createHash } = await import('node:crypto');
  const baseVersion = createHash('sha256').update(await readFile(join(demo, 'masks', `${EDITED}.png`))).digest('hex');
  await dispatchUpload(ws, 'saveMask', encodeSaveMask({ name: EDITED, width: 80, height: 80, data, baseVersion, overwrite: true }));
  await ws.close();
  expect(existsSync(join(demo, 'masks-edited', `${EDITED}.png`))).toBe(true);
  original = await namesOf(await openDataset(demo));
  expect(original.get(EDITED)!.filter((v) => v === null).length).toBe(15 * 25);
}, 120_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('export-masks, then init on the files', () => {
  it('GeoJSON: a folder of <image>.geojson that init recognises; the labels come back exactly', { timeout: 60_000 }, async () => {
    const out = join(tmp, 'geo');
    const r = await seglens(['export-masks', demo, '--format', 'geojson', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = json<{ images: number; objects: number; files: string[] }>(r);
    expect(res.images).toBe(5);
    expect(res.files).toContain(`${EDITED}.geojson`);
    const fc = JSON.parse(await readFile(join(out, `${EDITED}.geojson`), 'utf8'));
    expect(fc.type).toBe('FeatureCollection');
    const classes = new Set(fc.features.map((f: { properties: { classification: { name: string } } }) => f.properties.classification.name));
    expect([...classes].sort()).toEqual(['Ignore*', 'boundary', 'nucleus']);
    expect(fc.features[0].properties.objectType).toBe('annotation');

    const proj = join(tmp, 'from-geojson');
    await mkdir(proj);
    await cp(join(demo, 'images'), join(proj, 'images'), { recursive: true });
    await cp(out, join(proj, 'masks'), { recursive: true });
    const init = await seglens(['init', proj, '--json']);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    const p = json<{ project: { maskFormat: { kind: string }; classes: { classes: { name: string }[] } } }>(init);
    expect(p.project.maskFormat.kind).toBe('geojson');
    expect(p.project.classes.classes.map((c) => c.name)).toEqual(['background', 'boundary', 'nucleus']);
    expectSame(original, await namesOf(await openDataset(proj)));
    const inspect = await seglens(['inspect', proj]);
    expect(inspect.code, inspect.stdout).toBe(0);
  });

  it('COCO: one annotations file that init finds in annotations/ (CVAT layout); the labels come back exactly', { timeout: 60_000 }, async () => {
    const out = join(tmp, 'coco');
    const r = await seglens(['export-masks', demo, '--format', 'coco', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const coco = JSON.parse(await readFile(join(out, 'annotations.json'), 'utf8'));
    expect(coco.images.map((i: { file_name: string }) => i.file_name)).toEqual(['demo_01.tif', 'demo_02.tif', 'demo_03.tif', 'demo_04.tif', 'demo_05.tif']);
    expect(coco.categories.map((c: { name: string }) => c.name)).toEqual(['nucleus', 'boundary', 'Ignore*']);
    expect(coco.annotations[0]).toMatchObject({ iscrowd: 1, segmentation: { size: [80, 80] } });
    expect(Array.isArray(coco.annotations[0].segmentation.counts)).toBe(true);

    const proj = join(tmp, 'from-coco');
    await mkdir(join(proj, 'annotations'), { recursive: true });
    await cp(join(demo, 'images'), join(proj, 'images'), { recursive: true });
    await writeFile(join(proj, 'annotations', 'instances_default.json'), JSON.stringify(coco));
    const init = await seglens(['init', proj, '--json']);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    expect(json<{ project: { maskFormat: unknown } }>(init).project.maskFormat).toEqual({ kind: 'coco', file: 'annotations/instances_default.json' });
    expectSame(original, await namesOf(await openDataset(proj)));
  });

  it('16-bit TIFF: class ids, 65535 unlabelled, read back through its classes.json', { timeout: 60_000 }, async () => {
    const out = join(tmp, 'tif');
    const r = await seglens(['export-masks', demo, '--format', 'tiff', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const meta = await sharp(join(out, `${EDITED}.tif`)).metadata();
    expect([meta.format, meta.depth, meta.channels]).toEqual(['tiff', 'ushort', 1]);
    const { data, info } = await sharp(join(out, `${EDITED}.tif`)).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(1);
    const v = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
    expect(v[10 * 80 + 5]).toBe(65535);
    expect(v[0]).toBe(1);
    const proj = join(tmp, 'from-tiff');
    await mkdir(proj);
    await cp(join(demo, 'images'), join(proj, 'images'), { recursive: true });
    await cp(out, join(proj, 'masks'), { recursive: true });
    const ds = await openDataset(proj, { classes: await readClassTable(join(out, 'classes.json')) });
    expectSame(original, await namesOf(ds));
  });

  it('predictions go out the same way (--pred), and nothing is written over or among the inputs', { timeout: 120_000 }, async () => {
    const t = await seglens(['train', demo, '--epochs', '1', '--steps', '4', '--patch', '32', '--batch', '2']);
    expect(t.code, t.stdout + t.stderr).toBe(0);
    const run = join(demo, 'runs', (await readdir(join(demo, 'runs')))[0]);
    const pred = join(tmp, 'pred');
    expect((await seglens(['predict', run, join(demo, 'images'), '--out', pred])).code).toBe(0);
    const out = join(tmp, 'pred-geo');
    const r = await seglens(['export-masks', demo, '--format', 'geojson', '--out', out, '--pred', pred, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ source: string; images: number }>(r)).toMatchObject({ source: 'predictions', images: 5 });
    const proj = join(tmp, 'from-pred');
    await mkdir(proj);
    await cp(join(demo, 'images'), join(proj, 'images'), { recursive: true });
    await cp(out, join(proj, 'masks'), { recursive: true });
    expect((await seglens(['init', proj])).code).toBe(0);
    const back = await namesOf(await openDataset(proj));
    const table = (await openDataset(demo)).project.classes;
    for (const f of await readdir(pred)) {
      if (!f.endsWith('.png')) continue;
      const { data } = await sharp(join(pred, f)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      const names = Array.from(data, (v) => table.classes.find((c) => c.values.includes(v))!.name);
      expect(back.get(f.replace('.png', ''))).toEqual(names);
    }
    // Refusals: a folder that is not empty, and the project's image folder.
    const again = await seglens(['export-masks', demo, '--format', 'coco', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is not empty; seglens export-masks writes only into a new or empty folder/);
    const intoImages = await seglens(['export-masks', demo, '--format', 'tiff', '--out', join(demo, 'images')]);
    expect(intoImages.code).toBe(2);
    expect(await readdir(join(demo, 'images'))).toHaveLength(5);
    const intoMasks = await seglens(['export-masks', join(tmp, 'from-tiff'), '--format', 'geojson', '--out', join(tmp, 'empty-masks')]);
    expect(intoMasks.code).toBe(2); // no seglens.json there: the message says to run init
  });
});

describe('files made by QuPath and CVAT', () => {
  it('reads QuPath GeoJSON: float coordinates, holes, a bare feature array, legacy string classes; reports unknown names, overlaps, points', { timeout: 60_000 }, async () => {
    const proj = join(tmp, 'qupath');
    await mkdir(join(proj, 'images'), { recursive: true });
    await mkdir(join(proj, 'masks'));
    await sharp(Buffer.alloc(20 * 10, 100), { raw: { width: 20, height: 10, channels: 1 } }).png().toFile(join(proj, 'images', 'slide 1.png'));
    await sharp(Buffer.alloc(20 * 10, 100), { raw: { width: 20, height: 10, channels: 1 } }).png().toFile(join(proj, 'images', 'slide 2.png'));
    const square = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];
    await writeFile(
      join(proj, 'masks', 'slide 1.geojson'),
      JSON.stringify([
        // A tumour region with a hole, drawn with sub-pixel vertices: pixel centres decide.
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square(0.8, 0.2, 8.4, 8.6), square(3, 3, 5, 5)] }, properties: { objectType: 'annotation', classification: { name: 'Tumor', colorRGB: -3670016 } } },
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square(10, 0, 14, 4)] }, properties: { classification: 'Stroma' } },
        { type: 'Feature', geometry: { type: 'Point', coordinates: [1, 1] }, properties: { classification: { name: 'Tumor' } } },
      ]),
    );
    await writeFile(join(proj, 'masks', 'slide 2.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: [square(2, 2, 6, 6)] }, properties: {} }] }));
    const init = await seglens(['init', proj, '--json']);
    const r = json<{ project: { classes: { classes: { name: string }[] }; maskFormat: unknown }; problems: { code: string; file: string; message: string }[] }>(init);
    expect(r.project.classes.classes.map((c) => c.name)).toEqual(['background', 'Stroma', 'Tumor', 'object']);
    expect(r.project.maskFormat).toEqual({ kind: 'geojson', unclassified: 'object' });
    expect(r.problems.map((p) => p.code)).toEqual(['not-a-label-image']);
    expect(r.problems[0].message).toMatch(/1 feature\(s\) are no area/);
    const ds = await openDataset(proj);
    const s1 = await readPairLabels(ds.project, ds.pairs.find((p) => p.name === 'slide 1')!);
    const at = (x: number, y: number) => ds.project.classes.classes[s1.labels.data[y * 20 + x]].name;
    // Centres 1.5..7.5 inside 0.8..8.4 horizontally, 0.5..8.5 vertically; the hole 3..5 is background.
    expect([at(0, 0), at(1, 0), at(7, 8), at(8, 8), at(3, 3), at(4, 4), at(5, 5), at(2, 2)]).toEqual(['background', 'Tumor', 'Tumor', 'background', 'background', 'background', 'Tumor', 'Tumor']);
    expect([at(10, 0), at(13, 3), at(14, 3)]).toEqual(['Stroma', 'Stroma', 'background']);
    // A class the table lacks and overlapping classes, after the user edits the table.
    const project = JSON.parse(await readFile(join(proj, 'seglens.json'), 'utf8'));
    project.classes.classes = project.classes.classes.filter((c: { name: string }) => c.name !== 'Stroma');
    project.classes.classes.forEach((c: { values: number[] }, i: number) => (c.values = [i]));
    await writeFile(join(proj, 'seglens.json'), JSON.stringify(project));
    await writeFile(
      join(proj, 'masks', 'slide 2.geojson'),
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square(2, 2, 6, 6)] }, properties: {} },
          { type: 'Feature', geometry: { type: 'Polygon', coordinates: [square(4, 4, 8, 8)] }, properties: { classification: { name: 'Tumor' } } },
        ],
      }),
    );
    const inspect = await seglens(['inspect', proj, '--json']);
    expect(inspect.code).toBe(1);
    const problems = fileProblems(json<{ findings: InspectFindingJson[] }>(inspect).findings);
    const unknown = problems.find((p) => p.id === 'mask-unknown-values')!;
    expect(unknown.file).toBe('masks/slide 1.geojson');
    expect(unknown.message).toMatch(/"Stroma" are in no class of the class table; their 16 pixels are left unlabelled/);
    const overlap = problems.find((p) => p.id === 'mask-overlap')!;
    expect(overlap.file).toBe('masks/slide 2.geojson');
    expect(overlap.message).toMatch(/4 pixels .*\(Tumor & object: 4 px\)/);
  });

  it('reads CVAT COCO: compressed RLE and polygons; a size that does not fit and an image that is missing are errors naming them', { timeout: 60_000 }, async () => {
    const { countsToString, encodeRle } = await import('../../src/seg/vector/rle.ts');
    const proj = join(tmp, 'cvat');
    await mkdir(join(proj, 'images'), { recursive: true });
    await sharp(Buffer.alloc(12 * 8, 50), { raw: { width: 12, height: 8, channels: 1 } }).png().toFile(join(proj, 'images', 'a.png'));
    await sharp(Buffer.alloc(12 * 8, 50), { raw: { width: 12, height: 8, channels: 1 } }).png().toFile(join(proj, 'images', 'b.png'));
    const cell = new Set([13, 14, 25, 26]); // pixels (1,1) (2,1) (1,2) (2,2)
    const coco = {
      images: [
        { id: 7, file_name: 'task/a.png', width: 12, height: 8 },
        { id: 8, file_name: 'b.png', width: 10, height: 8 },
        { id: 9, file_name: 'c.png', width: 12, height: 8 },
      ],
      categories: [{ id: 1, name: 'cell' }, { id: 2, name: 'nucleus' }],
      annotations: [
        { id: 1, image_id: 7, category_id: 1, iscrowd: 1, segmentation: { size: [8, 12], counts: countsToString(encodeRle((i) => cell.has(i), 12, 8)) } },
        { id: 2, image_id: 7, category_id: 2, iscrowd: 0, segmentation: [[6, 2, 10, 2, 10, 6, 6, 6]] },
      ],
    };
    await writeFile(join(proj, 'instances_default.json'), JSON.stringify(coco));
    const init = await seglens(['init', proj, '--images', join(proj, 'images'), '--masks', join(proj, 'instances_default.json'), '--json']);
    const r = json<{ project: { classes: { classes: { name: string }[] } }; problems: { code: string; file: string; message: string }[] }>(init);
    expect(init.code).toBe(1);
    expect(r.project.classes.classes.map((c) => c.name)).toEqual(['background', 'cell', 'nucleus']);
    const codes = r.problems.map((p) => `${p.code}: ${p.message}`);
    expect(codes.some((c) => /^missing-partner: instances_default.json annotates c.png, which is not in images/.test(c))).toBe(true);
    expect(codes.some((c) => /^size-mismatch: instances_default.json gives b.png as 10 x 8, but the image is 12 x 8/.test(c))).toBe(true);
    const ds = await openDataset(proj);
    const a = await readPairLabels(ds.project, ds.pairs.find((p) => p.name === 'a')!);
    const name = (x: number, y: number) => ds.project.classes.classes[a.labels.data[y * 12 + x]].name;
    expect([name(1, 1), name(2, 2), name(3, 3), name(6, 2), name(9, 5), name(10, 5), name(0, 0)]).toEqual(['cell', 'cell', 'background', 'nucleus', 'nucleus', 'background', 'background']);
  });
});
