// Fingerprints and duplicate detection on images built here (and written/read through sharp), a
// split that keeps duplicates on one side, and the real ISBI 2012 slices (no false alarms).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImage } from '../../src/seg/image-io.ts';
import { correlation, findDuplicates, fingerprint, fingerprintFile, hamming, makeSplit } from '../../src/seg/split/index.ts';
import type { SplitItem } from '../../src/seg/split/index.ts';
import type { RawImage } from '../../src/seg/types.ts';

const W = 160;
const H = 128;

/** A cell-like picture: a dozen bright blobs of random size on a gradient, 8-bit grey. */
function picture(seed: string): RawImage {
  const rng = seedrandom(seed);
  const blobs = Array.from({ length: 12 }, () => ({ x: rng() * W, y: rng() * H, r: 6 + rng() * 14, a: 60 + rng() * 120 }));
  const gx = rng() * 40;
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let v = 30 + (gx * x) / W;
      for (const b of blobs) v += b.a * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
      data[y * W + x] = Math.min(255, Math.round(v));
    }
  }
  return { width: W, height: H, channels: 1, bitDepth: 8, data };
}

function withNoise(img: RawImage, sigma: number, seed: string): RawImage {
  const rng = seedrandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const data = new Uint8Array(img.data.length);
  img.data.forEach((v, i) => (data[i] = Math.max(0, Math.min(255, Math.round(v + sigma * gauss())))));
  return { ...img, data };
}

function shifted(img: RawImage, gain: number, offset: number): RawImage {
  return { ...img, data: Uint8Array.from(img.data, (v) => Math.max(0, Math.min(255, Math.round(v * gain + offset)))) };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-dup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writePng(img: RawImage, name: string): Promise<string> {
  const file = join(dir, name);
  await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 1 } })
    .toColourspace('b-w') // else sharp writes a 1-channel raw buffer as an RGB PNG
    .png()
    .toFile(file);
  return file;
}

describe('fingerprint', () => {
  it('has a 16x16 thumbnail in 0..1, a 256-bit hash and a content hash of the pixels', () => {
    const fp = fingerprint(picture('a'));
    expect(fp.thumb).toHaveLength(256);
    expect(Math.min(...fp.thumb)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...fp.thumb)).toBeLessThanOrEqual(1);
    expect(fp.ahash).toMatch(/^[0-9a-f]{64}$/);
    expect(fp.contentHash).toMatch(/^[0-9a-f]{40}$/);
    expect(fingerprint(picture('a')).contentHash).toBe(fp.contentHash);
    const oneOff = picture('a');
    oneOff.data[500] ^= 1;
    expect(fingerprint(oneOff).contentHash).not.toBe(fp.contentHash);
  });

  it('thumbnail cells are area means, also for images smaller than 16 pixels and for 16-bit data', () => {
    const data = new Uint16Array(32 * 32);
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) data[y * 32 + x] = x < 16 ? 0 : 65535;
    const fp = fingerprint({ width: 32, height: 32, channels: 1, bitDepth: 16, data });
    expect(fp.thumb.slice(0, 16)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    const small = fingerprint({ width: 2, height: 1, channels: 3, bitDepth: 8, data: Uint8Array.from([0, 0, 0, 255, 255, 0]) });
    expect(small.thumb[0]).toBe(0);
    expect(small.thumb[15]).toBeCloseTo(510 / 765);
  });

  it('hamming counts differing bits; correlation ignores brightness and contrast', () => {
    expect(hamming('0f', 'f0')).toBe(8);
    expect(hamming('a5', 'a4')).toBe(1);
    const a = [0.1, 0.5, 0.3, 0.9];
    expect(correlation(a, a.map((v) => 0.2 + 0.5 * v))).toBeCloseTo(1, 12);
    expect(correlation(a, a.map((v) => 1 - v))).toBeCloseTo(-1, 12);
    expect(correlation([0.5, 0.5], [0.5, 0.5])).toBe(1);
    expect(correlation([0.5, 0.5], [0.1, 0.9])).toBe(0);
  });
});

describe('findDuplicates', () => {
  const base = picture('base');
  const items = async (): Promise<SplitItem[]> => {
    // JPEG round trip through sharp: a re-encoded copy, as users make them.
    const png = await writePng(base, 'base.png');
    const jpg = join(dir, 'copy.jpg');
    await sharp(png).jpeg({ quality: 50 }).toFile(jpg);
    const entries: [string, RawImage][] = [
      ['base.png', base],
      ['copy-exact.png', { ...base, data: Uint8Array.from(base.data) }],
      ['noisy.png', withNoise(base, 12, 'n')],
      ['brighter.png', shifted(base, 0.85, 25)],
      ['copy.jpg', await readImage(jpg)],
      ['other.png', picture('other')],
      ['other-noisy.png', withNoise(picture('other'), 12, 'm')],
      ['third.png', picture('third')],
    ];
    return entries.map(([name, img]) => ({ name, classPixels: [1, 0], fingerprint: fingerprint(img) }));
  };

  it('finds exact copies and near copies (noise, intensity shift, JPEG) and nothing between different images', async () => {
    const pairs = await findDuplicates(await items());
    const key = (a: string, b: string) => [a, b].sort().join(' ~ ');
    const found = new Map(pairs.map((p) => [key(p.a, p.b), p]));
    expect(found.get(key('base.png', 'copy-exact.png'))).toMatchObject({ kind: 'exact', distance: 0, correlation: 1 });
    const copies = ['base.png', 'copy-exact.png', 'noisy.png', 'brighter.png', 'copy.jpg'];
    for (let i = 0; i < copies.length; i++) {
      for (let j = i + 1; j < copies.length; j++) {
        const p = found.get(key(copies[i], copies[j]));
        expect(p, `${copies[i]} ~ ${copies[j]}`).toBeDefined();
        if (p!.kind === 'near') expect(p!.correlation).toBeGreaterThan(0.99);
      }
    }
    expect(found.get(key('other-noisy.png', 'other.png'))).toMatchObject({ kind: 'near' });
    // 10 pairs among the 5 copies of base, 1 pair of other: nothing else (third.png and the
    // cross pairs between base and other are different pictures).
    expect(pairs).toHaveLength(11);
    expect(pairs.filter((p) => p.kind === 'exact')).toHaveLength(1);
    for (const p of pairs) expect(p.a < p.b).toBe(true);
  });

  it('makeSplit keeps duplicates on one side for every seed and reports them', async () => {
    const its = await items();
    const more = Array.from({ length: 12 }, (_, i) => ({ name: `u${i}.png`, classPixels: [1, 0], fingerprint: fingerprint(picture(`u${i}`)) }));
    for (let seed = 0; seed < 8; seed++) {
      const r = makeSplit([...its, ...more], { val: 0.25, seed });
      const inVal = (n: string) => r.val.includes(n);
      expect(new Set(['base.png', 'copy-exact.png', 'noisy.png', 'brighter.png', 'copy.jpg'].map(inVal)).size).toBe(1);
      expect(inVal('other.png')).toBe(inVal('other-noisy.png'));
      expect(r.groups.find((g) => g.names.includes('noisy.png'))!.names).toHaveLength(5);
      const leaks = r.report.warnings.filter((w) => w.code === 'split-leakage');
      expect(leaks).toHaveLength(11);
      expect(leaks.every((w) => w.severity === 'warning' && /kept in (train|val)/.test(w.message))).toBe(true);
    }
  });

  it('fingerprintFile reads a file through sharp and gives the fingerprint of its pixels', async () => {
    const file = await writePng(base, 'again.png');
    expect(await fingerprintFile(file)).toEqual(fingerprint(base));
  });
});

const DATA = fileURLToPath(new URL('../../../shared/data/isbi2012-membranes/images', import.meta.url));
if (!existsSync(DATA)) console.warn(`Skipping real-data duplicate test: ${DATA} is absent.`);

describe.skipIf(!existsSync(DATA))('real data: ISBI 2012 membrane slices', () => {
  it('30 serial sections are not duplicates of each other; a noisy copy of one is found', async () => {
    const files = (await readdir(DATA)).filter((f) => f.endsWith('.png')).sort();
    expect(files).toHaveLength(30);
    const items: SplitItem[] = [];
    for (const f of files) items.push({ name: f, classPixels: [1, 1], fingerprint: await fingerprintFile(join(DATA, f)) });
    expect(findDuplicates(items)).toEqual([]);

    const img = await readImage(join(DATA, files[7]));
    const copy = await writePng(withNoise(img, 15, 'isbi'), 'isbi-noisy.png');
    items.push({ name: 'isbi-noisy.png', classPixels: [1, 1], fingerprint: await fingerprintFile(copy) });
    const pairs = findDuplicates(items);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ a: files[7], b: 'isbi-noisy.png', kind: 'near' });
    expect(pairs[0].correlation).toBeGreaterThan(0.99);
  });
});
