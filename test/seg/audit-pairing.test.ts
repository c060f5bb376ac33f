// pairing-suspect from the pixels. Planted: the Drosophila VNC set paired by sorted order but off by
// one (image i with the mask of section i + 1: adjacent serial sections look alike), and the demo
// project's planted pairing error and shifted mask. Clean: the correct Drosophila pairing, all 30
// ISBI 2012 slices, and the demo generated without errors.
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/seg/dataset/index.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { checkPairing, pairingFindings, runAudit, PAIRING_MIN_GAIN } from '../../src/seg/audit/index.ts';
import { checkDatasetPairing } from '../../src/seg/dataset/index.ts';
import type { LabelMap, RawImage } from '../../src/seg/types.ts';
import { DROSOPHILA, ISBI, missing, table } from './audit-fixtures.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-audit-pairing-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const two = (i: number) => String(i).padStart(2, '0');

/** A Drosophila project whose sorted pairing gives image i the mask of section maskOf(i) (symbolic links, no copies). */
async function drosophila(name: string, images: number[], maskOf: (i: number) => number): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(join(dir, 'images'), { recursive: true });
  await mkdir(join(dir, 'masks'), { recursive: true });
  for (const i of images) {
    await symlink(join(DROSOPHILA, 'images', `${two(i)}.tif`), join(dir, 'images', `${two(i)}.tif`));
    await symlink(join(DROSOPHILA, 'masks', `labels000000${two(maskOf(i))}.png`), join(dir, 'masks', `labels000000${two(i)}.png`));
  }
  return dir;
}

async function fits(dir: string, classes?: string) {
  const ds = await openDataset(dir, classes ? { classes: await table(classes), pairing: 'sorted' } : {});
  expect(ds.problems).toEqual([]);
  return checkDatasetPairing(ds);
}

describe.skipIf(missing(DROSOPHILA, 'pairing check on Drosophila VNC'))('pairing on Drosophila VNC (sorted pairing, 1024 x 1024)', () => {
  const ALL = Array.from({ length: 10 }, (_, i) => i);

  it('the correct pairing raises nothing', async () => {
    const f = await fits(await drosophila('correct', ALL, (i) => i), 'drosophila-vnc');
    expect(f).toHaveLength(10);
    expect(f.filter((x) => x.suspect)).toEqual([]);
    expect(pairingFindings(f)).toEqual([]);
    // The right mask fits far better than any alternative, the neighbouring section's included.
    for (const x of f) expect(x.gain).toBeLessThan(0);
  });

  it('off by one (image i with the mask of section i + 1): every image suspect, naming its right mask', async () => {
    const f = await fits(await drosophila('shifted', ALL, (i) => (i + 1) % 10), 'drosophila-vnc');
    expect(f.every((x) => x.suspect && x.reason === 'better-fit')).toBe(true);
    for (const x of f) {
      // Image i's own section mask sits in the pair of image i - 1.
      expect(x.best!.mask).toBe(two((Number(x.name) + 9) % 10));
      expect(x.best!.dx).toBe(0);
      expect(x.gain).toBeGreaterThan(PAIRING_MIN_GAIN);
    }
    const [finding] = runAudit({ pairing: f });
    expect(finding).toMatchObject({ id: 'pairing-suspect', severity: 'critical', evidence: { suspect: 10, pairsChecked: 10, anotherMaskFitsBetter: 10 } });
    expect(finding.images).toHaveLength(10);
    expect(finding.message).toMatch(/the mask of \d\d fits better \(boundary contrast [\d.]+ vs [\d.]+/);
  });

  it('off by one with the first mask missing (9 pairs): images 01-08 are caught', async () => {
    const f = await fits(await drosophila('truncated', ALL.slice(0, 9), (i) => i + 1), 'drosophila-vnc');
    const suspect = f.filter((x) => x.suspect).map((x) => x.name);
    // Image 00's own mask is not in the set at all, and the next section's mask fits it best of all.
    expect(suspect).toEqual(['01', '02', '03', '04', '05', '06', '07', '08']);
  });
});

describe.skipIf(missing(ISBI, 'pairing check on ISBI 2012'))('pairing on ISBI 2012 (30 slices, 512 x 512)', () => {
  it('the correct pairing raises nothing', async () => {
    const f = await fits(ISBI, 'isbi2012-membranes');
    expect(f).toHaveLength(30);
    expect(f.filter((x) => x.suspect).map((x) => x.name)).toEqual([]);
  });
});

describe('pairing on the demo project', () => {
  it('clean demo: nothing', async () => {
    const demo = await generateDemoProject(join(tmp, 'demo-clean'), { plantErrors: false });
    const f = await fits(demo.dir);
    expect(f.filter((x) => x.suspect)).toEqual([]);
  });

  it('planted demo: exactly the pairing error and the shifted mask, each explained', async () => {
    const demo = await generateDemoProject(join(tmp, 'demo-planted'), { seed: 3 });
    const f = await fits(demo.dir);
    const planted = demo.truth.errors.filter((e) => e.kind === 'pairing' || e.kind === 'shifted-mask');
    expect(planted).toHaveLength(2);
    expect(
      f
        .filter((x) => x.suspect)
        .map((x) => x.name)
        .sort(),
    ).toEqual(planted.map((e) => e.image).sort());
    for (const e of planted) {
      const x = f.find((y) => y.name === e.image)!;
      if (e.kind === 'shifted-mask') {
        // Moving the mask back fits better: the best shift undoes the planted one to within a pixel per axis.
        expect(x.reason).toBe('better-fit');
        expect(x.best!.mask).toBe(e.image);
        expect(Math.abs(x.best!.dx + e.shift.dx)).toBeLessThanOrEqual(1);
        expect(Math.abs(x.best!.dy + e.shift.dy)).toBeLessThanOrEqual(1);
      } else if (e.kind === 'pairing') {
        // Its own mask is elsewhere in the set (the partner's): it fits hardly better than any unrelated mask.
        expect(x.sameMaskAs).toEqual([e.maskFrom]);
        expect(x.ratio).toBeLessThan(5);
      }
    }
    const [finding] = pairingFindings(f);
    expect(finding.images.sort()).toEqual(planted.map((e) => e.image).sort());
  });
});

describe('pairing check on drawn images', () => {
  /** A bright disc per (cx, cy) on a dark, slightly noisy field; the mask marks the discs. */
  function scene(w: number, discs: [number, number][], seed: number): { image: RawImage; labels: LabelMap } {
    const img = new Uint8Array(w * w);
    const lab = new Uint8Array(w * w);
    let s = seed;
    const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const inside = discs.some(([cx, cy]) => (x - cx) ** 2 + (y - cy) ** 2 < 100);
        img[y * w + x] = (inside ? 180 : 40) + Math.floor(rnd() * 20);
        lab[y * w + x] = inside ? 1 : 0;
      }
    }
    return { image: { width: w, height: w, channels: 1, bitDepth: 8, data: img }, labels: { width: w, height: w, data: lab } };
  }

  it('swapping the masks of two images is caught both ways; the correct set is not', () => {
    const layouts: [number, number][][] = Array.from({ length: 6 }, (_, k) => Array.from({ length: 8 }, (_, j) => [15 + ((j * 37 + k * 53) % 100), 15 + ((j * 61 + k * 29) % 100)] as [number, number]));
    const scenes = layouts.map((d, k) => ({ name: `img${k}`, ...scene(128, d, k + 1) }));
    expect(checkPairing(scenes).filter((x) => x.suspect)).toEqual([]);
    const swapped = scenes.map((s, k) => ({ ...s, labels: k === 1 ? scenes[4].labels : k === 4 ? scenes[1].labels : s.labels }));
    const f = checkPairing(swapped);
    expect(f.filter((x) => x.suspect).map((x) => [x.name, x.reason, x.best?.mask])).toEqual([
      ['img1', 'better-fit', 'img4'],
      ['img4', 'better-fit', 'img1'],
    ]);
  });
});
