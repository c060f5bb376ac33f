// Image reading and normalisation, on files written by sharp in a temporary folder, plus the real
// data sets in ../shared/data when they are present.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, FileError } from '../../src/seg/errors.ts';
import { problemFromError } from '../../src/seg/image-errors.ts';
import { imageInfo, readImage, readRawMask } from '../../src/seg/image-io.ts';
import { intensityHistogram, normalize, percentileFromHistogram, rangeFromHistogram } from '../../src/seg/normalize.ts';
import { DEFAULT_NORMALIZATION, type Normalization, type RawImage } from '../../src/seg/types.ts';

const DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));

let dir: string;
const W = 40;
const H = 30;
/** Grey 8-bit pattern and a 16-bit one that uses the whole 0..65535 range. */
const grey8 = Uint8Array.from({ length: W * H }, (_, i) => (i * 7) % 256);
const grey16 = Uint16Array.from({ length: W * H }, (_, i) => (i * 2731) % 65536);
const p = (name: string) => join(dir, name);

async function expectFileError(promise: Promise<unknown>, code: string, ...fragments: string[]): Promise<FileError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FileError);
  const fe = err as FileError;
  expect(fe.details.code).toBe(code);
  for (const f of fragments) expect(fe.message).toContain(f);
  return fe;
}

async function truncate(src: string, dst: string, frac: number): Promise<void> {
  const b = await readFile(src);
  await writeFile(dst, b.subarray(0, Math.floor(b.length * frac)));
}

/** A valid 1 x 1 24-bit BMP, written by hand (sharp does not write BMP). */
function bmp1x1(): Buffer {
  const b = Buffer.alloc(58);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(58, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(1, 18);
  b.writeInt32LE(1, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  b.writeUInt32LE(4, 34);
  return b;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-io-'));
  const raw1 = { raw: { width: W, height: H, channels: 1 as const } };
  await sharp(grey8, raw1).toColourspace('b-w').png().toFile(p('grey8.png'));
  await sharp(grey8, raw1).toColourspace('b-w').tiff({ compression: 'lzw' }).toFile(p('grey8.tif'));
  // sharp's TIFF default compression is JPEG (8-bit, lossy): 16-bit needs a lossless one.
  await sharp(grey16, raw1).toColourspace('grey16').tiff({ compression: 'packbits' }).toFile(p('grey16.tif'));
  await sharp(grey16, raw1).toColourspace('grey16').png().toFile(p('grey16.png'));
  // Two pages: one raw image twice as tall, cut into pages by raw.pageHeight; libvips writes each
  // page as its own TIFF directory.
  const twoPages = new Uint16Array(W * H * 2);
  twoPages.set(grey16, 0);
  twoPages.set(grey16.map((v) => 65535 - v), W * H);
  await sharp(twoPages, { raw: { width: W, height: 2 * H, channels: 1, pageHeight: H } })
    .toColourspace('grey16')
    .tiff({ compression: 'deflate' })
    .toFile(p('pages.tif'));
  const rgba = new Uint8Array(W * H * 4);
  const ga = new Uint8Array(W * H * 2);
  for (let i = 0; i < W * H; i++) {
    rgba.set([grey8[i], 255 - grey8[i], 17, i % 2 ? 255 : 0], 4 * i);
    ga.set([grey8[i], 99], 2 * i);
  }
  await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toFile(p('rgba.png'));
  await sharp(ga, { raw: { width: W, height: H, channels: 2 } }).toColourspace('b-w').png().toFile(p('grey-alpha.png'));
  await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).removeAlpha().jpeg({ quality: 95 }).toFile(p('rgb.jpg'));
  const rgb16 = Uint16Array.from({ length: W * H * 3 }, (_, i) => (i * 977) % 65536);
  await sharp(rgb16, { raw: { width: W, height: H, channels: 3 } }).toColourspace('rgb16').png().toFile(p('rgb16.png'));
  await sharp(new Float32Array(W * H).fill(0.5), raw1).toColourspace('b-w').tiff({ compression: 'lzw', predictor: 'float' }).toFile(p('float.tif'));

  await writeFile(p('empty.png'), Buffer.alloc(0));
  await truncate(p('grey8.png'), p('half.png'), 0.5);
  await truncate(p('grey16.tif'), p('half.tif'), 0.5);
  await truncate(p('rgb.jpg'), p('half.jpg'), 0.5);
  // Page 0 intact, page 1's directory cut off: 'truncated' would decode page 0 silently.
  await truncate(p('pages.tif'), p('pages-cut.tif'), 0.8);
  let seed = 12345;
  await writeFile(p('random.png'), Buffer.from(Array.from({ length: 2000 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255)));
  await writeFile(p('notes.txt'), 'cell 1: ok\ncell 2: dividing\n');
  await writeFile(p('tiny.bmp'), bmp1x1());
  await sharp(grey8, raw1).gif().toFile(p('anim.gif'));
  await sharp(grey8, raw1).gif().toFile(p('gif-named.png'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('readImage: formats and depths', () => {
  it('reads 8-bit grey PNG and TIFF exactly', async () => {
    for (const f of ['grey8.png', 'grey8.tif']) {
      const img = await readImage(p(f));
      expect(img).toMatchObject({ width: W, height: H, channels: 1, bitDepth: 8 });
      expect(img.data).toBeInstanceOf(Uint8Array);
      expect(Array.from(img.data)).toEqual(Array.from(grey8));
    }
  });

  it('keeps the full 16-bit range of TIFF and PNG', async () => {
    for (const f of ['grey16.tif', 'grey16.png']) {
      const img = await readImage(p(f));
      expect(img).toMatchObject({ channels: 1, bitDepth: 16 });
      expect(img.data).toBeInstanceOf(Uint16Array);
      expect(Array.from(img.data)).toEqual(Array.from(grey16));
      expect(Math.max(...img.data)).toBeGreaterThan(60000);
    }
  });

  it('reads the chosen page of a multi-page TIFF and names the page count when out of range', async () => {
    const p0 = await readImage(p('pages.tif'));
    const p1 = await readImage(p('pages.tif'), { page: 1 });
    expect(Array.from(p0.data)).toEqual(Array.from(grey16));
    expect(Array.from(p1.data)).toEqual(Array.from(grey16, (v) => 65535 - v));
    expect(p1.height).toBe(H);
    const e = await expectFileError(readImage(p('pages.tif'), { page: 2 }), 'page-out-of-range', 'pages.tif', 'has 2 pages', 'page 2');
    expect(e.details).toMatchObject({ pages: 2, page: 2 });
    await expectFileError(readImage(p('grey8.png'), { page: 1 }), 'page-out-of-range', 'has 1 page;');
  });

  it('drops alpha: RGBA -> RGB, grey + alpha -> grey', async () => {
    const rgb = await readImage(p('rgba.png'));
    expect(rgb).toMatchObject({ channels: 3, bitDepth: 8 });
    expect(Array.from(rgb.data.subarray(0, 6))).toEqual([grey8[0], 255 - grey8[0], 17, grey8[1], 255 - grey8[1], 17]);
    const g = await readImage(p('grey-alpha.png'));
    expect(g.channels).toBe(1);
    expect(Array.from(g.data)).toEqual(Array.from(grey8));
  });

  it('reads RGB JPEG and 16-bit RGB PNG', async () => {
    const j = await readImage(p('rgb.jpg'));
    expect(j).toMatchObject({ width: W, height: H, channels: 3, bitDepth: 8 });
    expect(j.data.length).toBe(W * H * 3);
    const c = await readImage(p('rgb16.png'));
    expect(c).toMatchObject({ channels: 3, bitDepth: 16 });
    expect(Array.from(c.data.subarray(0, 4))).toEqual([0, 977, 1954, 2931]);
  });
});

describe('imageInfo (header only)', () => {
  it('reports size, channels, depth, pages and format', async () => {
    expect(await imageInfo(p('pages.tif'))).toMatchObject({ format: 'tiff', width: W, height: H, channels: 1, bitDepth: 16, pages: 2, hasAlpha: false });
    expect(await imageInfo(p('rgba.png'))).toMatchObject({ format: 'png', channels: 3, bitDepth: 8, pages: 1, hasAlpha: true });
    expect(await imageInfo(p('rgb.jpg'))).toMatchObject({ format: 'jpeg', channels: 3 });
    const info = await imageInfo(p('grey-alpha.png'));
    expect(info.channels).toBe(1);
    expect(info.bytes).toBeGreaterThan(0);
  });

  it('refuses what readImage refuses (except damage inside pixel data)', async () => {
    await expectFileError(imageInfo(p('empty.png')), 'empty-file');
    await expectFileError(imageInfo(p('notes.txt')), 'unsupported-format');
    await expectFileError(imageInfo(p('grey16.tif'), { maxPixels: 100 }), 'image-too-large');
  });
});

describe('bad files: one clear FileError each', () => {
  it('empty file', async () => {
    await expectFileError(readImage(p('empty.png')), 'empty-file', 'empty.png', '0 bytes', 'again');
  });

  it('truncated PNG, TIFF and JPEG, and a multi-page TIFF cut after its first page', async () => {
    await expectFileError(readImage(p('half.png')), 'corrupt-file', 'half.png', 'damaged or truncated PNG');
    await expectFileError(readImage(p('half.tif')), 'corrupt-file', 'half.tif', 'damaged or truncated TIFF');
    await expectFileError(readImage(p('half.jpg')), 'corrupt-file', 'half.jpg', 'JPEG');
    await expectFileError(readImage(p('pages-cut.tif')), 'corrupt-file', 'pages-cut.tif');
  });

  it('random bytes named .png are a damaged PNG, not a crash', async () => {
    await expectFileError(readImage(p('random.png')), 'corrupt-file', 'random.png', 'PNG');
  });

  it('unsupported formats say what they are and which formats are read', async () => {
    await expectFileError(readImage(p('tiny.bmp')), 'unsupported-format', 'tiny.bmp', 'BMP', 'PNG, JPEG and TIFF');
    await expectFileError(readImage(p('anim.gif')), 'unsupported-format', 'GIF', 'PNG, JPEG and TIFF');
    await expectFileError(readImage(p('notes.txt')), 'unsupported-format', 'notes.txt', 'text file');
    await expectFileError(readImage(p('gif-named.png')), 'unsupported-format', 'GIF image', 'despite its PNG file name');
  });

  it('a 32-bit float TIFF names its depth and how to convert', async () => {
    await expectFileError(readImage(p('float.tif')), 'unsupported-format', '32-bit float', '16-bit');
  });

  it('over the pixel limit: size, limit and how to raise it', async () => {
    await expectFileError(readImage(p('grey8.png'), { maxPixels: 1000 }), 'image-too-large', '40 x 30', '1200 pixels', '1000 pixels', 'maxPixels');
    expect((await readImage(p('grey8.png'), { maxPixels: 1200 })).width).toBe(W);
  });

  it('missing files and folders', async () => {
    await expectFileError(readImage(p('nope.png')), 'unreadable-file', 'nope.png', 'does not exist');
    await expectFileError(readImage(dir), 'unreadable-file', 'folder');
  });

  it('problemFromError turns each into a Problem with the file and a hint', async () => {
    const err = await readImage(p('half.png')).catch((e: unknown) => e);
    const prob = problemFromError(err);
    expect(prob).toMatchObject({ code: 'corrupt-file', severity: 'error', file: p('half.png') });
    expect(prob.hint.length).toBeGreaterThan(10);
    const missing = problemFromError(await readImage(p('nope.png')).catch((e: unknown) => e));
    expect(missing.message).toContain('does not exist');
    expect(() => problemFromError(new TypeError('bug'))).toThrow(TypeError);
  });
});

/** numpy.percentile's default (linear) definition, by sorting: the independent reference. */
function percentileBySort(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  const rank = (q / 100) * (s.length - 1);
  const k = Math.floor(rank);
  const f = rank - k;
  return k + 1 < s.length ? s[k] + f * (s[k + 1] - s[k]) : s[k];
}

function image16(values: Uint16Array, width: number): RawImage {
  return { width, height: values.length / width, channels: 1, bitDepth: 16, data: values };
}

describe('normalize', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);

  it('percentiles from the histogram equal numpy-style percentiles by sorting', () => {
    const vals = Uint16Array.from({ length: 5001 }, () => Math.floor(rand() ** 3 * 65535));
    const h = intensityHistogram(image16(vals, 3 * 1667));
    for (const q of [0, 0.1, 1, 25, 50, 99.8, 100]) expect(percentileFromHistogram(h, q)).toBeCloseTo(percentileBySort(vals, q), 9);
    const small = Uint16Array.of(10, 20, 30, 1000);
    expect(percentileFromHistogram(intensityHistogram(image16(small, 4)), 50)).toBe(25);
  });

  it('default: 1 and 99.8 percentiles per image, clipped to 0..1, range returned', () => {
    const vals = Uint16Array.from({ length: 100 * 100 }, () => 1000 + Math.floor(rand() * 30000));
    vals[0] = 0;
    vals[1] = 65535;
    const img = image16(vals, 100);
    const out = normalize(img, DEFAULT_NORMALIZATION);
    expect(out.lo).toBeCloseTo(percentileBySort(vals, 1), 9);
    expect(out.hi).toBeCloseTo(percentileBySort(vals, 99.8), 9);
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.data.length).toBe(vals.length);
    let min = Infinity;
    let max = -Infinity;
    for (const v of out.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    expect(out.data[0]).toBe(0);
    expect(out.data[1]).toBe(1);
    const i = vals.findIndex((v) => v > out.lo && v < out.hi);
    expect(out.data[i]).toBeCloseTo((vals[i] - out.lo) / (out.hi - out.lo), 6);
  });

  it('minmax and fixed', () => {
    const img: RawImage = { width: 4, height: 1, channels: 1, bitDepth: 8, data: Uint8Array.of(10, 20, 30, 110) };
    const mm = normalize(img, { ...DEFAULT_NORMALIZATION, kind: 'minmax' });
    expect([mm.lo, mm.hi]).toEqual([10, 110]);
    expect(Array.from(mm.data)).toEqual([0, 0.1, 0.2, 1].map((v) => Math.fround(v)));
    const fx = normalize(img, { ...DEFAULT_NORMALIZATION, kind: 'fixed', range: [20, 30] });
    expect(Array.from(fx.data)).toEqual([0, 0, 1, 1]);
    expect(() => normalize(img, { ...DEFAULT_NORMALIZATION, kind: 'fixed' })).toThrow(ConfigError);
  });

  it('a flat image gives zeros, never NaN; bad settings are ConfigErrors', () => {
    const flat: RawImage = { width: 8, height: 8, channels: 1, bitDepth: 16, data: new Uint16Array(64).fill(777) };
    for (const kind of ['percentile', 'minmax'] as const) {
      const out = normalize(flat, { ...DEFAULT_NORMALIZATION, kind });
      expect([out.lo, out.hi]).toEqual([777, 777]);
      expect(out.data.every((v) => v === 0)).toBe(true);
    }
    const bad: Normalization = { ...DEFAULT_NORMALIZATION, low: 99, high: 1 };
    expect(() => normalize(flat, bad)).toThrow(ConfigError);
    expect(() => normalize(flat, { ...DEFAULT_NORMALIZATION, scope: 'dataset' })).toThrow(/whole dataset/);
  });

  it('dataset scope: one histogram over all images, one range for each', () => {
    const a = image16(Uint16Array.from({ length: 400 }, (_, i) => i), 20);
    const b = image16(Uint16Array.from({ length: 400 }, (_, i) => 10000 + i), 20);
    const h = new Uint32Array(65536);
    intensityHistogram(a, h);
    intensityHistogram(b, h);
    const n: Normalization = { ...DEFAULT_NORMALIZATION, scope: 'dataset' };
    const range = rangeFromHistogram(h, n);
    expect(range.lo).toBeCloseTo(percentileBySort([...a.data, ...b.data], 1), 9);
    expect(range.hi).toBeCloseTo(percentileBySort([...a.data, ...b.data], 99.8), 9);
    const na = normalize(a, n, range);
    expect([na.lo, na.hi]).toEqual([range.lo, range.hi]);
    expect(Math.max(...na.data)).toBeLessThan(0.1);
  });

  it('keeps one range across the channels of an RGB image', () => {
    const img: RawImage = { width: 2, height: 1, channels: 3, bitDepth: 8, data: Uint8Array.of(0, 100, 200, 50, 150, 250) };
    const out = normalize(img, { ...DEFAULT_NORMALIZATION, kind: 'minmax' });
    expect(out.channels).toBe(3);
    expect(Array.from(out.data)).toEqual([0, 100, 200, 50, 150, 250].map((v) => Math.fround(v / 250)));
  });
});

describe.skipIf(!existsSync(DATA))('real data in ../shared/data', () => {
  if (!existsSync(DATA)) console.warn(`Skipping real-data image tests: ${DATA} is absent.`);

  it('dapi16-nuclei images are 512 x 512 16-bit with a real 16-bit range, and normalise', async () => {
    const files = (await readdir(join(DATA, 'dapi16-nuclei/images'))).filter((f) => f.endsWith('.tif'));
    expect(files.length).toBe(41);
    let maxSeen = 0;
    for (const f of files.slice(0, 6)) {
      const file = join(DATA, 'dapi16-nuclei/images', f);
      expect(await imageInfo(file)).toMatchObject({ format: 'tiff', width: 512, height: 512, channels: 1, bitDepth: 16, pages: 1 });
      const img = await readImage(file);
      let max = 0;
      for (const v of img.data) max = Math.max(max, v);
      maxSeen = Math.max(maxSeen, max);
      const out = normalize(img, DEFAULT_NORMALIZATION);
      expect(out.hi).toBeGreaterThan(out.lo);
      expect(out.hi).toBeLessThanOrEqual(max);
      expect(out.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    expect(maxSeen).toBeGreaterThan(255);
  });

  it('drosophila-vnc images are 1024 x 1024 8-bit TIFF; isbi2012 images 512 x 512 8-bit PNG', async () => {
    const d = await readImage(join(DATA, 'drosophila-vnc/images/00.tif'));
    expect(d).toMatchObject({ width: 1024, height: 1024, channels: 1, bitDepth: 8 });
    const i = await imageInfo(join(DATA, 'isbi2012-membranes/images/0.png'));
    expect(i).toMatchObject({ format: 'png', width: 512, height: 512, channels: 1, bitDepth: 8 });
  });

  it('a real TIFF cut in the middle of its strips is refused (failOn "error"), not decoded with missing rows', async () => {
    await truncate(join(DATA, 'drosophila-vnc/images/00.tif'), p('dros-cut.tif'), 0.5);
    await expectFileError(readImage(p('dros-cut.tif')), 'corrupt-file', 'dros-cut.tif', 'TIFF');
  });
});

describe('grey content saved as RGB', () => {
  it('reads as an 8-bit grey mask with 8-bit samples (frames are sized by bit depth)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seglens-rgbgrey-'));
    const px = Buffer.alloc(8 * 4 * 3);
    for (let i = 0; i < 32; i++) px.fill(i % 3, i * 3, i * 3 + 3);
    const file = join(dir, 'm.png');
    await sharp(px, { raw: { width: 8, height: 4, channels: 3 } }).png().toFile(file);
    const m = await readRawMask(file);
    expect(m.channels).toBe(1);
    expect(m.bitDepth).toBe(8);
    expect(m.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(m.data.slice(0, 6))).toEqual([0, 1, 2, 0, 1, 2]);
  });
});
