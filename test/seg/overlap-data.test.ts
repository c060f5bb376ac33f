// The data side of overlapping classes on real files: the multi-label demo read through its project
// (one bit per class, nucleoli inside nuclei, the class-id view), inspect's co-occurrence and no
// overlap problem, and the per-class `unlabelled` folder whose pixels become IGNORE in every class
// (for overlapping and for ordinary per-class projects), missing files reported like class files.
import { cp, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectDataset, openDataset, readPairLabels } from '../../src/seg/dataset/index.ts';
import { generateOverlappingDemo } from '../../src/seg/demo/index.ts';
import { hasClass } from '../../src/seg/overlap-bits.ts';
import { ProjectSchema } from '../../src/seg/project/schema.ts';
import { IGNORE } from '../../src/seg/types.ts';

let tmp: string;
let project: string;
const SIZE = 64;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-overlap-data-'));
  project = join(tmp, 'nucleoli');
  await generateOverlappingDemo(project, { count: 3, size: SIZE, seed: 5 });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function binary(file: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).extractChannel(0).raw().toBuffer());
}

describe('the multi-label demo read through its project', () => {
  it('keeps one bit per class; the class-id view shows the later class', async () => {
    const ds = await openDataset(project);
    const pair = ds.pairs[0];
    const r = await readPairLabels(ds.project, pair);
    const nucleus = await binary(join(project, 'masks', 'nucleus', `${pair.name}.png`));
    const nucleolus = await binary(join(project, 'masks', 'nucleolus', `${pair.name}.png`));
    const multi = r.overlap!.multi;
    for (let i = 0; i < nucleus.length; i++) {
      expect(hasClass(multi.data[i], 1)).toBe(nucleus[i] > 0);
      expect(hasClass(multi.data[i], 2)).toBe(nucleolus[i] > 0);
      expect(hasClass(multi.data[i], 0)).toBe(nucleus[i] === 0 && nucleolus[i] === 0);
      expect(r.labels.data[i]).toBe(nucleolus[i] ? 2 : nucleus[i] ? 1 : 0);
    }
    expect(r.problems).toEqual([]);
  });

  it('inspect: co-occurrence, no mask-overlap, ready for training', async () => {
    const rep = await inspectDataset(await openDataset(project));
    expect(rep.findings.map((f) => f.id)).not.toContain('mask-overlap');
    expect(rep.cooccurrence!.pixels[2][1]).toBe(rep.cooccurrence!.pixels[2][2]);
    expect(rep.blocking).toBe(false);
  });
});

describe('the unlabelled folder of per-class masks', () => {
  const square = (x: number, y: number) => x >= 10 && x < 30 && y >= 10 && y < 30;

  beforeAll(async () => {
    await mkdir(join(project, 'masks', 'unlabelled'));
    for (const n of ['demo_01', 'demo_02', 'demo_03']) {
      const px = new Uint8Array(SIZE * SIZE);
      if (n === 'demo_01') for (let i = 0; i < px.length; i++) px[i] = square(i % SIZE, Math.floor(i / SIZE)) ? 255 : 0;
      await sharp(px, { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toFile(join(project, 'masks', 'unlabelled', `${n}.png`));
    }
    const file = join(project, 'seglens.json');
    const p = JSON.parse(await readFile(file, 'utf8'));
    p.maskFormat.unlabelled = 'masks/unlabelled';
    await writeFile(file, JSON.stringify(p, null, 2));
  });

  it('puts IGNORE in every class where it is non-zero (the targets and the class-id view)', async () => {
    const ds = await openDataset(project);
    const pair = ds.pairs.find((p) => p.name === 'demo_01')!;
    const r = await readPairLabels(ds.project, pair);
    for (let i = 0; i < SIZE * SIZE; i++) {
      const inside = square(i % SIZE, Math.floor(i / SIZE));
      expect(r.overlap!.multi.data[i] === IGNORE).toBe(inside);
      expect(r.labels.data[i] === IGNORE).toBe(inside);
    }
    const rep = await inspectDataset(ds);
    expect(rep.pairs.find((p) => p.name === 'demo_01')!.ignoredPixels).toBe(400);
    expect(rep.pairs.find((p) => p.name === 'demo_02')!.ignoredPixels).toBe(0);
    // The co-occurrence counts labelled pixels only.
    // Every nucleolus pixel is a nucleus pixel: background + nucleus = all labelled pixels.
    const all = rep.cooccurrence!.pixels[0][0] + rep.cooccurrence!.pixels[1][1];
    expect(all).toBe(3 * SIZE * SIZE - 400);
  });

  it('works for ordinary (non-overlapping) per-class projects too', async () => {
    const ds = await openDataset(project);
    const plain = { ...ds.project, overlapping: false };
    const r = await readPairLabels(plain, ds.pairs.find((p) => p.name === 'demo_01')!);
    expect(r.overlap).toBeUndefined();
    expect(r.labels.data[15 * SIZE + 15]).toBe(IGNORE);
    // Outside the square, the overlap of nucleus and nucleolus is reported and left unlabelled as before.
    expect(r.problems.map((p) => p.code)).toContain('mask-overlap');
  });

  it('a missing unlabelled file is reported like a missing class file', async () => {
    await unlink(join(project, 'masks', 'unlabelled', 'demo_03.png'));
    const ds = await openDataset(project);
    expect(ds.pairs.map((p) => p.name)).toEqual(['demo_01', 'demo_02']);
    expect(ds.problems.map((p) => `${p.code} ${p.message}`).join('\n')).toMatch(/missing-partner.*demo_03.*masks\/unlabelled/);
  });

  it('a class named like the reserved key is refused', () => {
    const r = ProjectSchema.safeParse({
      version: 2,
      images: 'images',
      maskFormat: { kind: 'per-class', folders: { a: 'm/a' }, unlabelled: 'm/u' },
      classes: { classes: [{ name: 'bg', values: [0] }, { name: 'a', values: [1] }, { name: '(unlabelled)', values: [2] }], background: 'bg' },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toMatch(/clashes with the unlabelled folder/);
  });
});

describe('class-pages: one file per image, a page (or channel) per class', () => {
  let pagesProject: string;
  let truth: Map<string, { nucleus: Uint8Array; nucleolus: Uint8Array }>;

  beforeAll(async () => {
    const src = join(tmp, 'pages-source');
    await generateOverlappingDemo(src, { count: 3, size: SIZE, seed: 6 });
    pagesProject = join(tmp, 'pages');
    await mkdir(join(pagesProject, 'masks'), { recursive: true });
    await mkdir(join(pagesProject, 'rgb'), { recursive: true });
    truth = new Map();
    for (const n of ['demo_01', 'demo_02', 'demo_03']) {
      const nucleus = await binary(join(src, 'masks', 'nucleus', `${n}.png`));
      const nucleolus = await binary(join(src, 'masks', 'nucleolus', `${n}.png`));
      truth.set(n, { nucleus, nucleolus });
      const two = new Uint8Array(SIZE * SIZE * 2);
      two.set(nucleus, 0);
      two.set(nucleolus, SIZE * SIZE);
      await sharp(two, { raw: { width: SIZE, height: 2 * SIZE, channels: 1, pageHeight: SIZE } }).toColourspace('b-w').tiff({ compression: 'deflate' }).toFile(join(pagesProject, 'masks', `${n}.tif`));
      const rgb = new Uint8Array(SIZE * SIZE * 3);
      for (let i = 0; i < SIZE * SIZE; i++) rgb.set([nucleus[i], nucleolus[i], 0], 3 * i);
      await sharp(rgb, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toFile(join(pagesProject, 'rgb', `${n}.png`));
    }
    await cp(join(src, 'images'), join(pagesProject, 'images'), { recursive: true });
    const p = JSON.parse(await readFile(join(src, 'seglens.json'), 'utf8'));
    p.masks = 'masks';
    p.maskFormat = { kind: 'class-pages', classes: ['nucleus', 'nucleolus'] };
    await writeFile(join(pagesProject, 'seglens.json'), JSON.stringify(p, null, 2));
  });

  async function check(dir: string) {
    const ds = await openDataset(dir);
    expect(ds.problems).toEqual([]);
    for (const pair of ds.pairs) {
      const r = await readPairLabels(ds.project, pair);
      const t = truth.get(pair.name)!;
      for (let i = 0; i < SIZE * SIZE; i++) {
        expect(hasClass(r.overlap!.multi.data[i], 1)).toBe(t.nucleus[i] > 0);
        expect(hasClass(r.overlap!.multi.data[i], 2)).toBe(t.nucleolus[i] > 0);
      }
    }
    const rep = await inspectDataset(ds);
    expect(rep.blocking).toBe(false);
    expect(rep.cooccurrence!.pixels[2][1]).toBe(rep.cooccurrence!.pixels[2][2]);
  }

  it('reads the pages of a multi-page TIFF as the classes named', async () => {
    await check(pagesProject);
  });

  it('reads the channels of an RGB file with layout "channels"', async () => {
    const file = join(pagesProject, 'seglens.json');
    const p = JSON.parse(await readFile(file, 'utf8'));
    p.masks = 'rgb';
    p.maskFormat = { kind: 'class-pages', classes: ['nucleus', 'nucleolus'], layout: 'channels' };
    await writeFile(file, JSON.stringify(p, null, 2));
    await check(pagesProject);
  });

  it('names a file with fewer pages than classes, and refuses class pages without "overlapping"', async () => {
    const file = join(pagesProject, 'seglens.json');
    const p = JSON.parse(await readFile(file, 'utf8'));
    p.masks = 'masks';
    p.maskFormat = { kind: 'class-pages', classes: ['nucleus', 'nucleolus'] };
    await writeFile(file, JSON.stringify(p, null, 2));
    const one = truth.get('demo_02')!.nucleus;
    await sharp(one, { raw: { width: SIZE, height: SIZE, channels: 1 } }).toColourspace('b-w').tiff().toFile(join(pagesProject, 'masks', 'demo_02.tif'));
    const rep = await inspectDataset(await openDataset(pagesProject));
    expect(rep.findings.map((x) => `${x.files?.join(', ')}: ${x.message}`).join('\n')).toMatch(/demo_02\.tif.*has 1 page\(s\) but the project names 2 class pages/);
    expect(rep.blocking).toBe(true);
    const r = ProjectSchema.safeParse({ ...p, overlapping: undefined });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toMatch(/class-pages masks hold overlapping classes/);
  });
});
