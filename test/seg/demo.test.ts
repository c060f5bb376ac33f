// The demo generator: the synthetic scene in memory (labels derived correctly from instances,
// plausible class fractions and 16-bit intensities), the files on disk (deterministic per seed,
// readable with the right bit depth), the planted errors exactly where demo-truth.json says, and
// the rules about which folders it may write into.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaussianBlur } from '../../src/seg/demo/blur.ts';
import {
  BOUNDARY,
  DEMO_CLASSES,
  generateDemoProject,
  isDemoFolder,
  labelsFromInstances,
  NUCLEUS,
  readDemoTruth,
  renderDemoScene,
  renderNucleiScene,
} from '../../src/seg/demo/index.ts';
import type { DemoResult, NucleiScene, PlantedError } from '../../src/seg/demo/index.ts';
import { shiftLabels } from '../../src/seg/demo/plant.ts';
import { ConfigError } from '../../src/seg/errors.ts';
import { readImage, readRawMask } from '../../src/seg/image-io.ts';
import { loadProject } from '../../src/seg/project/load.ts';

const tmp: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'seglens-demo-'));
  tmp.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(tmp.map((d) => rm(d, { recursive: true, force: true })));
});

function percentile(data: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(data).sort();
  return s[Math.floor(q * (s.length - 1))];
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const sub of ['images', 'masks', '.']) {
    for (const name of (await readdir(join(dir, sub))).sort()) {
      if (!/\.(tif|png|json)$/.test(name)) continue;
      out[`${sub}/${name}`] = createHash('sha256').update(await readFile(join(dir, sub, name))).digest('hex');
    }
  }
  return out;
}

describe('renderNucleiScene', () => {
  const scene = renderNucleiScene({ width: 300, height: 200 }, seedrandom('scene'));

  it('is deterministic per generator and differs between seeds', () => {
    const again = renderNucleiScene({ width: 300, height: 200 }, seedrandom('scene'));
    expect(sameArray(again.image, scene.image)).toBe(true);
    expect(sameArray(again.instances, scene.instances)).toBe(true);
    const other = renderNucleiScene({ width: 300, height: 200 }, seedrandom('other'));
    expect(sameArray(other.image, scene.image)).toBe(false);
  });

  it('derives labels from the instance map: boundary exactly where two nuclei 4-touch', () => {
    const { width: w, height: h, instances: inst, labels } = scene;
    expect(labels.length).toBe(w * h);
    let boundary = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const id = inst[i];
        const nbrs = [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, y > 0 ? i - w : -1, y < h - 1 ? i + w : -1].filter((j) => j >= 0);
        const touchesOther = id !== 0 && nbrs.some((j) => inst[j] !== 0 && inst[j] !== id);
        const expected = id === 0 ? 0 : touchesOther ? BOUNDARY : NUCLEUS;
        if (labels[i] !== expected) throw new Error(`pixel (${x}, ${y}): label ${labels[i]}, expected ${expected}`);
        if (labels[i] === BOUNDARY) boundary++;
      }
    }
    expect(boundary).toBeGreaterThan(0);
    expect(sameArray(labelsFromInstances(inst, w, h), labels)).toBe(true);
  });

  it('has plausible class fractions and nuclei brighter than background', () => {
    const n = scene.labels.length;
    const count = (v: number) => scene.labels.reduce((k, l) => k + (l === v ? 1 : 0), 0);
    const fg = (count(NUCLEUS) + count(BOUNDARY)) / n;
    expect(fg).toBeGreaterThan(0.1);
    expect(fg).toBeLessThan(0.4);
    expect(count(BOUNDARY) / n).toBeGreaterThan(0);
    expect(count(BOUNDARY) / n).toBeLessThan(0.03);
    let inSum = 0;
    let inN = 0;
    let outSum = 0;
    for (let i = 0; i < n; i++) {
      if (scene.labels[i] === NUCLEUS) {
        inSum += scene.image[i];
        inN++;
      } else if (scene.labels[i] === 0) outSum += scene.image[i];
    }
    const off = scene.params.offset;
    expect((inSum / inN - off) / (outSum / (n - inN - count(BOUNDARY)) - off)).toBeGreaterThan(3);
  });

  it('uses the options it is given and draws the rest', () => {
    const s = renderNucleiScene({ width: 64, height: 48, offset: 321, peak: 5000 }, seedrandom('opts'));
    expect(s.params.offset).toBe(321);
    expect(s.params.peak).toBe(5000);
    expect(s.image.length).toBe(64 * 48);
    const drawn = renderNucleiScene({ width: 64, height: 48 }, seedrandom('opts'));
    expect(drawn.params.gain).toBe(s.params.gain); // giving an option does not shift the others
    expect(() => renderNucleiScene({ width: 0, height: 10 }, seedrandom('x'))).toThrow(RangeError);
  });
});

describe('gaussianBlur', () => {
  // Variance of the blurred unit impulse = sigma^2, for the exact kernel and the box approximation.
  it.each([1.2, 6])('spreads an impulse with variance sigma^2 (sigma %s) and keeps its mass', (sigma) => {
    const w = 81;
    const f = new Float32Array(w * w);
    f[40 * w + 40] = 1;
    const g = gaussianBlur(f, w, w, sigma);
    let mass = 0;
    let varX = 0;
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        mass += g[y * w + x];
        varX += g[y * w + x] * (x - 40) ** 2;
      }
    }
    expect(mass).toBeCloseTo(1, 4);
    expect(Math.sqrt(varX)).toBeGreaterThan(sigma * 0.9);
    expect(Math.sqrt(varX)).toBeLessThan(sigma * 1.1);
  });
});

describe('generateDemoProject', () => {
  let dir: string;
  let result: DemoResult;
  beforeAll(async () => {
    dir = await tempDir();
    result = await generateDemoProject(dir);
  });

  it('writes 12 image/mask pairs, the truth file and a valid project file', async () => {
    expect((await readdir(join(dir, 'images'))).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `demo_${String(i + 1).padStart(2, '0')}.tif`));
    expect((await readdir(join(dir, 'masks'))).length).toBe(12);
    const loaded = await loadProject(dir);
    expect(loaded.project.classes).toEqual(DEMO_CLASSES);
    expect(loaded.project.maskFormat).toEqual({ kind: 'label' });
    expect(loaded.project.pairing).toEqual({ rule: 'stem' });
    expect(await readDemoTruth(dir)).toEqual(result.truth);
    expect(await isDemoFolder(dir)).toBe(true);
  });

  it('is byte-identical for the same seed and different for another seed', async () => {
    const again = await tempDir();
    await generateDemoProject(again);
    const first = await hashes(dir);
    expect(Object.keys(first).length).toBe(26);
    expect(await hashes(again)).toEqual(first);
    const other = await tempDir();
    await generateDemoProject(other, { seed: 2, count: 3 });
    const second = await hashes(other);
    expect(second['images/demo_01.tif']).not.toBe(first['images/demo_01.tif']);
    expect(second['masks/demo_01.png']).not.toBe(first['masks/demo_01.png']);
  });

  it('writes 16-bit grey images in a realistic part of the range, varying per image', async () => {
    const highs: number[] = [];
    for (const img of result.truth.images) {
      const file = join(dir, img.image);
      const meta = await sharp(file).metadata();
      expect([meta.format, meta.depth, meta.channels]).toEqual(['tiff', 'ushort', 1]);
      const raw = await readImage(file);
      expect([raw.bitDepth, raw.channels, raw.width, raw.height]).toEqual([16, 1, 256, 256]);
      const low = percentile(raw.data, 0.01);
      const high = percentile(raw.data, 0.999);
      expect(low).toBeGreaterThanOrEqual(100 - 40); // offset 100..500 minus read noise
      expect(low).toBeLessThan(img.offset + 0.3 * img.peak);
      expect(high).toBeGreaterThan(1500);
      expect(high).toBeLessThan(40000);
      expect(Math.max(...raw.data)).toBeLessThan(65535);
      highs.push(high);
    }
    expect(Math.max(...highs) / Math.min(...highs)).toBeGreaterThan(2);
  });

  it('writes 8-bit grey label masks with values 0, 1, 2 and plausible fractions', async () => {
    for (const img of result.truth.images) {
      const file = join(dir, img.mask);
      const meta = await sharp(file).metadata();
      expect([meta.format, meta.depth, meta.channels]).toEqual(['png', 'uchar', 1]);
      const mask = await readRawMask(file);
      expect([mask.bitDepth, mask.channels]).toEqual([8, 1]);
      expect(new Set(mask.data).size).toBeLessThanOrEqual(3);
      for (const v of new Set(mask.data)) expect([0, 1, 2]).toContain(v);
      const fg = img.fractions.nucleus + img.fractions.boundary;
      expect(fg).toBeGreaterThan(0.1);
      expect(fg).toBeLessThan(0.4);
      expect(img.fractions.boundary).toBeGreaterThan(0);
      expect(img.fractions.boundary).toBeLessThan(0.03);
    }
  });

  it('plants one error of each kind in four images and leaves the other eight exact', async () => {
    const { images, errors } = result.truth;
    expect(errors.map((e) => e.kind).sort()).toEqual(['missing-nucleus', 'pairing', 'shifted-mask', 'wrong-class']);
    expect(new Set(errors.map((e) => e.image)).size).toBe(4);
    const byImage = new Map<string, PlantedError>(errors.map((e) => [e.image, e]));
    for (const [i, img] of images.entries()) {
      const scene = renderDemoScene(i);
      const mask = (await readRawMask(join(dir, img.mask))).data;
      const pixels = (await readImage(join(dir, img.image))).data;
      expect(sameArray(pixels, scene.image)).toBe(true); // images are never altered
      const error = byImage.get(img.name);
      expect(img.planted).toBe(error?.kind ?? null);
      if (!error) expect(sameArray(mask, scene.labels)).toBe(true);
      else checkPlanted(error, scene, mask, images.map((m) => m.name));
    }
  });

  it('rewrites a previous demo in place and removes its strays, without force', async () => {
    const d = await tempDir();
    await generateDemoProject(d, { count: 6, size: 64 });
    await mkdir(join(d, 'runs', 'r1'), { recursive: true });
    const small = await generateDemoProject(d, { count: 3, size: 64, plantErrors: false });
    expect(small.truth.errors).toEqual([]);
    expect((await readdir(join(d, 'images'))).sort()).toEqual(['demo_01.tif', 'demo_02.tif', 'demo_03.tif']);
    expect((await readdir(join(d, 'masks'))).sort()).toEqual(['demo_01.png', 'demo_02.png', 'demo_03.png']);
    expect(existsSync(join(d, 'runs', 'r1'))).toBe(true);
    const m = await readRawMask(join(d, 'masks', 'demo_02.png'));
    expect(sameArray(m.data, renderDemoScene(1, { size: 64 }).labels)).toBe(true);
  });

  it('refuses a non-empty folder that is not a demo unless forced', async () => {
    const d = await tempDir();
    await writeFile(join(d, 'my-data.txt'), 'precious');
    await expect(generateDemoProject(d, { count: 2, size: 64 })).rejects.toThrow(ConfigError);
    expect(await readdir(d)).toEqual(['my-data.txt']);
    await generateDemoProject(d, { count: 2, size: 64, force: true });
    expect(await readFile(join(d, 'my-data.txt'), 'utf8')).toBe('precious');
    expect(existsSync(join(d, 'seglens.json'))).toBe(true);
    await expect(generateDemoProject(join(d, 'my-data.txt'), { count: 2, size: 64 })).rejects.toThrow(/is a file/);
    await expect(generateDemoProject(d, { count: 0 })).rejects.toThrow(ConfigError);
    // A lone project file is someone's project (its images may live elsewhere), not a demo.
    const p = await tempDir();
    await writeFile(join(p, 'seglens.json'), '{}');
    await expect(generateDemoProject(p, { count: 2, size: 64 })).rejects.toThrow(/not a seglens demo/);
    expect(await readFile(join(p, 'seglens.json'), 'utf8')).toBe('{}');
  });

  it('takes over what an interrupted generation left (demo images and masks only)', async () => {
    const d = await tempDir();
    await mkdir(join(d, 'images'));
    await writeFile(join(d, 'images', 'demo_07.tif'), 'half-written');
    expect(await isDemoFolder(d)).toBe(true);
    await generateDemoProject(d, { count: 2, size: 64 });
    expect((await readdir(join(d, 'images'))).sort()).toEqual(['demo_01.tif', 'demo_02.tif']);
    await writeFile(join(d, 'images', 'mine.tif'), 'x');
    await rm(join(d, 'demo-truth.json'));
    expect(await isDemoFolder(d)).toBe(false);
  });
});

/** The mask on disk equals the correct labels changed exactly as the truth file says. */
function checkPlanted(error: PlantedError, scene: NucleiScene, mask: ArrayLike<number>, names: string[]): void {
  const { labels, instances, width: w, height: h } = scene;
  switch (error.kind) {
    case 'missing-nucleus':
    case 'wrong-class': {
      const id = error.nucleus.id;
      const value = error.kind === 'missing-nucleus' ? 0 : BOUNDARY;
      let owned = 0;
      const [x0, y0, x1, y1] = error.nucleus.bbox;
      for (let i = 0; i < labels.length; i++) {
        if (instances[i] === id) {
          owned++;
          expect(labels[i]).toBe(NUCLEUS); // an isolated nucleus in the correct mask
          expect(mask[i]).toBe(value);
          const x = i % w;
          const y = Math.floor(i / w);
          expect(x >= x0 && x < x1 && y >= y0 && y < y1).toBe(true);
        } else if (mask[i] !== labels[i]) {
          throw new Error(`${error.image}: pixel ${i} outside the planted nucleus differs`);
        }
      }
      expect(owned).toBe(error.nucleus.pixels);
      break;
    }
    case 'shifted-mask': {
      const { dx, dy } = error.shift;
      expect(Math.abs(dx)).toBeGreaterThanOrEqual(3);
      expect(Math.abs(dy)).toBeGreaterThanOrEqual(3);
      expect(sameArray(mask, shiftLabels(labels, w, h, dx, dy))).toBe(true);
      expect(sameArray(mask, labels)).toBe(false);
      break;
    }
    case 'pairing': {
      const from = names.indexOf(error.maskFrom);
      expect(from).toBeGreaterThanOrEqual(0);
      expect(error.maskFrom).not.toBe(error.image);
      expect(sameArray(mask, renderDemoScene(from).labels)).toBe(true);
      expect(sameArray(mask, labels)).toBe(false);
      break;
    }
  }
}
