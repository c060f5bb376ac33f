// The mask value scan and the proposed class table: counts checked by hand on small real files,
// colour masks, interpolated masks, instance images, and the real microscopy sets.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { parseClassTable } from '../../src/seg/classes.ts';
import { ConfigError } from '../../src/seg/errors.ts';
import { DISTINCT_COLORS } from '../../src/seg/class-colors.ts';
import { proposeClassTable } from '../../src/seg/project/propose.ts';
import { ValueCounter, scanMaskValues } from '../../src/seg/project/scan.ts';
import type { ScanResult } from '../../src/seg/project/scan.ts';
import type { RawMask } from '../../src/seg/types.ts';

const DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-scan-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function grey(name: string, width: number, height: number, values: number[]): Promise<string> {
  const file = join(dir, name);
  await sharp(Buffer.from(values), { raw: { width, height, channels: 1 } }).png().toFile(file);
  return file;
}

async function rgb(name: string, width: number, height: number, colours: number[]): Promise<string> {
  const file = join(dir, name);
  const buf = Buffer.alloc(colours.length * 3);
  colours.forEach((c, i) => buf.set([(c >> 16) & 255, (c >> 8) & 255, c & 255], i * 3));
  await sharp(buf, { raw: { width, height, channels: 3 } }).png().toFile(file);
  return file;
}

const stat = (s: ScanResult, value: number) => s.values.find((v) => v.value === value)!;

describe('scanMaskValues on handmade masks', () => {
  it('counts pixels, images and border pixels per value (checked by hand)', async () => {
    // A (4 x 2):  0 0 0 7      B (2 x 2):  0   200
    //             0 0 7 7                  200 200
    const a = await grey('a.png', 4, 2, [0, 0, 0, 7, 0, 0, 7, 7]);
    const b = await grey('b.png', 2, 2, [0, 200, 200, 200]);
    const s = await scanMaskValues([a, b]);
    expect(s.kind).toBe('grey');
    expect(s.files).toBe(2);
    expect(s.totalPixels).toBe(12);
    expect(s.bitDepths).toEqual([8]);
    expect(s.problems).toEqual([]);
    expect(s.values.map((v) => [v.value, v.pixels, v.images])).toEqual([
      [0, 6, 2],
      [7, 3, 1],
      [200, 3, 1],
    ]);
    expect(stat(s, 0).fraction).toBeCloseTo(6 / 12, 12);
    // Border pixels: in A the zeros at (0,2) and (1,1), in B the single 0; sevens (0,3) and (1,2).
    expect(stat(s, 0).edgeFraction).toBeCloseTo(3 / 6, 12);
    expect(stat(s, 7).edgeFraction).toBeCloseTo(2 / 3, 12);
    expect(stat(s, 200).edgeFraction).toBeCloseTo(2 / 3, 12);
  });

  it('keeps the 16-bit range of a 16-bit mask', async () => {
    const file = join(dir, 'm16.png');
    const data = new Uint16Array([0, 0, 1000, 1000, 1000, 65535]);
    await sharp(data, { raw: { width: 3, height: 2, channels: 1 } }).toColourspace('grey16').png().toFile(file);
    const s = await scanMaskValues([file]);
    expect(s.bitDepths).toEqual([16]);
    expect(s.values.map((v) => [v.value, v.pixels])).toEqual([
      [0, 2],
      [1000, 3],
      [65535, 1],
    ]);
  });

  it('reports an unreadable mask as a problem and scans the others', async () => {
    const ok = await grey('ok.png', 2, 1, [0, 255]);
    // A real PNG cut after its first bytes: starts like a PNG, cannot be decoded.
    const whole = await sharp(Buffer.alloc(64 * 64, 9), { raw: { width: 64, height: 64, channels: 1 } }).png({ compressionLevel: 0 }).toBuffer();
    const bad = join(dir, 'bad.png');
    await writeFile(bad, whole.subarray(0, 80));
    const empty = join(dir, 'empty.png');
    await writeFile(empty, '');
    const s = await scanMaskValues([bad, ok, empty], { show: (f) => f.slice(dir.length + 1) });
    expect(s.files).toBe(1);
    expect(s.values.map((v) => v.value)).toEqual([0, 255]);
    expect(s.problems.map((p) => [p.code, p.file, p.severity])).toEqual([
      ['corrupt-file', 'bad.png', 'error'],
      ['empty-file', 'empty.png', 'error'],
    ]);
    expect(s.problems[0].hint).toContain('scan continued');
  });
});

describe('colour masks', () => {
  it('an RGB palette mask is scanned by colour, "#rrggbb"', async () => {
    const R = 0xff0000;
    const B = 0x0000ff;
    const K = 0x000000;
    const f1 = await rgb('p1.png', 3, 2, [K, K, R, K, R, R]);
    const f2 = await rgb('p2.png', 2, 1, [K, B]);
    const s = await scanMaskValues([f1, f2]);
    expect(s.kind).toBe('rgb');
    expect(s.values.map((v) => [v.color, v.pixels, v.images])).toEqual([
      ['#000000', 4, 2],
      ['#0000ff', 1, 1],
      ['#ff0000', 3, 1],
    ]);
    const p = proposeClassTable(s);
    expect(p.maskFormat).toEqual({ kind: 'palette' });
    expect(p.table.classes.map((c) => [c.name, c.values, c.color])).toEqual([
      ['color_000000', ['#000000'], '#000000'],
      ['color_0000ff', ['#0000ff'], '#0000ff'],
      ['color_ff0000', ['#ff0000'], '#ff0000'],
    ]);
    expect(p.table.background).toBe('color_000000');
    expect(() => parseClassTable(p.table)).not.toThrow();
  });

  it('an RGB file whose pixels are all grey (R = G = B) is a grey mask', async () => {
    const f = await rgb('g.png', 2, 2, [0x000000, 0x808080, 0x808080, 0xffffff]);
    const s = await scanMaskValues([f]);
    expect(s.kind).toBe('grey');
    expect(s.values.map((v) => [v.value, v.pixels])).toEqual([
      [0, 1],
      [128, 2],
      [255, 1],
    ]);
  });

  it('ValueCounter: grey RGB data is grey; a grey mask among colour ones becomes #vvvvvv', () => {
    const c = new ValueCounter();
    const rgbMask = (data: number[], w: number): RawMask => ({ width: w, height: data.length / w, channels: 3, bitDepth: 8, data: Uint32Array.from(data) });
    c.add(rgbMask([0x101010, 0x101010], 2));
    expect(c.result().kind).toBe('grey');
    expect(c.result().values.map((v) => v.value)).toEqual([0x10]);
    c.add(rgbMask([0x00ff00, 0x101010], 2));
    const r = c.result();
    expect(r.kind).toBe('rgb');
    expect(r.values.map((v) => [v.color, v.pixels, v.images])).toEqual([
      ['#00ff00', 1, 1],
      ['#101010', 3, 2],
    ]);
  });
});

function scanOf(values: { value: number; pixels: number; images?: number; edgeFraction?: number }[], files = 10): ScanResult {
  const total = values.reduce((a, v) => a + v.pixels, 0);
  return {
    kind: 'grey',
    files,
    totalPixels: total,
    bitDepths: [8],
    lossyFiles: [],
    values: values.map((v) => ({ images: files, edgeFraction: 0.2, ...v, fraction: v.pixels / total })),
    problems: [],
  };
}

describe('proposeClassTable', () => {
  it('two values 0 and 255: named by value, the most frequent is the background, and the notes say so', () => {
    const p = proposeClassTable(scanOf([
      { value: 0, pixels: 22 },
      { value: 255, pixels: 78 },
    ]));
    expect(p.table.classes.map((c) => [c.name, c.values])).toEqual([
      ['value_0', [0]],
      ['value_255', [255]],
    ]);
    expect(p.table.background).toBe('value_255');
    expect(p.notes.join('\n')).toContain('"value_255" was made the background');
    expect(p.notes.join('\n')).toContain('binary mask');
    // When 0 is the majority instead, 0 is the background.
    expect(proposeClassTable(scanOf([
      { value: 0, pixels: 88 },
      { value: 255, pixels: 12 },
    ])).table.background).toBe('value_0');
  });

  it('never merges: every value its own class, colours from the distinct palette, a valid table', () => {
    const values = [0, 32, 64, 96, 128, 159, 191, 223, 255].map((value, i) => ({ value, pixels: value === 255 ? 740 : 10 + i }));
    const p = proposeClassTable(scanOf(values));
    expect(p.table.classes).toHaveLength(9);
    expect(p.table.classes.every((c) => c.values.length === 1)).toBe(true);
    expect(p.table.classes.map((c) => c.values[0])).toEqual(values.map((v) => v.value));
    expect(p.table.ignore).toEqual([]);
    expect(p.table.classes[0].color).toBe('#e6194b');
    const fg = p.table.classes.filter((c) => c.name !== p.table.background).map((c) => c.color);
    expect(fg).toEqual(DISTINCT_COLORS.slice(0, 8));
    expect(p.notes.join('\n')).toContain('nothing was merged');
    expect(p.maskFormat).toEqual({ kind: 'label' });
    expect(() => parseClassTable(p.table)).not.toThrow();
    expect(p.assignments.map((a) => a.className)).toEqual(p.table.classes.map((c) => c.name));
  });

  it('a single value everywhere is an error: nothing to learn', () => {
    expect(() => proposeClassTable(scanOf([{ value: 0, pixels: 100 }]))).toThrow(ConfigError);
    expect(() => proposeClassTable(scanOf([]))).toThrow(/No mask could be read/);
  });

  it('too many values (hundreds of 16-bit labels) -> instance reading, said in the notes', () => {
    const c = new ValueCounter();
    // 20 x 20 objects of 4 x 4 pixels with labels 1..400 on a background of 0, 16-bit.
    const w = 120;
    const data = new Uint16Array(w * w);
    for (let k = 0; k < 400; k++) {
      const ox = (k % 20) * 6;
      const oy = Math.floor(k / 20) * 6;
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) data[(oy + y) * w + ox + x] = k + 1;
    }
    c.add({ width: w, height: w, channels: 1, bitDepth: 16, data });
    const s = c.result();
    expect(s.values).toHaveLength(401);
    const p = proposeClassTable(s);
    expect(p.maskFormat).toEqual({ kind: 'instance', className: 'object' });
    expect(p.table.classes.map((x) => x.name)).toEqual(['background', 'object']);
    expect(p.table.background).toBe('background');
    expect(p.notes[0]).toContain('401 distinct values');
    expect(p.notes[0]).toContain('instance');
    expect(p.assignments.filter((a) => a.className === 'object')).toHaveLength(400);
    expect(() => parseClassTable(p.table)).not.toThrow();
  });

  it('consecutive small labels get a note about instance labels, but stay classes', () => {
    const p = proposeClassTable(scanOf(Array.from({ length: 12 }, (_, v) => ({ value: v, pixels: v === 0 ? 1000 : 50 }))));
    expect(p.maskFormat.kind).toBe('label');
    expect(p.table.classes).toHaveLength(12);
    expect(p.notes.join('\n')).toContain('instance labels');
  });

  it('a rare value in a single mask is pointed out', () => {
    const p = proposeClassTable(scanOf([
      { value: 0, pixels: 500_000 },
      { value: 17, pixels: 3, images: 1 },
      { value: 255, pixels: 500_000 },
    ]));
    expect(p.table.classes.map((c) => c.name)).toContain('value_17');
    expect(p.notes.join('\n')).toMatch(/17 \(3 px\) occur in a single mask/);
  });

  it('a mask resized with interpolation: the residue is reported as damage and left in no class; ignored only when accepted', async () => {
    const n = 40;
    const disk = Buffer.alloc(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) disk[y * n + x] = (x - 20) ** 2 + (y - 18) ** 2 < 12 ** 2 ? 255 : 0;
    const file = join(dir, 'resized.png');
    await sharp(disk, { raw: { width: n, height: n, channels: 1 } }).resize(97, 97, { kernel: 'linear' }).png().toFile(file);
    const s = await scanMaskValues([file]);
    expect(s.values.length).toBeGreaterThan(10);
    const residue = s.values.map((v) => v.value).filter((v) => v !== 0 && v !== 255);
    const p = proposeClassTable(s);
    expect(p.table.classes.map((c) => c.name)).toEqual(['value_0', 'value_255']);
    // Never moved into ignore on its own: reported, in no class, so that inspect blocks on it.
    expect(p.table.ignore).toEqual([]);
    expect(p.damage).toMatchObject({ values: residue, accepted: false, lossyFiles: 0 });
    expect(p.notes[0]).toMatch(/^DAMAGED MASKS: .*resizing with interpolation/);
    expect(p.notes[0]).toContain('NOT ignored');
    expect(p.notes[0]).toContain('--accept-damaged');
    expect(p.assignments.filter((a) => a.className === null)).toHaveLength(s.values.length - 2);
    // Accepted: the same values go to ignore, and the note says what that costs.
    const a = proposeClassTable(s, { acceptDamaged: true });
    expect(a.table.ignore).toEqual(residue);
    expect(a.damage?.accepted).toBe(true);
    expect(a.notes[0]).toContain('left out of training and every metric');
    // The same mask not resized has no such note.
    const clean = await grey('clean.png', n, n, [...disk]);
    const q = proposeClassTable(await scanMaskValues([clean]));
    expect(q.table.ignore).toEqual([]);
    expect(q.damage).toBeUndefined();
    expect(q.notes.join('\n')).not.toContain('interpolation');
  });
});

describe.skipIf(!existsSync(DATA))('real data (../shared/data)', () => {
  const masks = async (set: string) => {
    const d = join(DATA, set, 'masks');
    return (await readdir(d)).sort().map((f) => join(d, f));
  };
  const share = (s: ScanResult, values: number[]) => values.reduce((a, v) => a + stat(s, v).fraction, 0);

  it('drosophila-vnc: exactly the 9 values of the README, membranes ~17 %, intracellular ~74 %', async () => {
    const s = await scanMaskValues(await masks('drosophila-vnc'));
    expect(s.files).toBe(10);
    expect(s.values.map((v) => v.value)).toEqual([0, 32, 64, 96, 128, 159, 191, 223, 255]);
    expect(share(s, [0, 32, 64, 96, 128])).toBeGreaterThan(0.15);
    expect(share(s, [0, 32, 64, 96, 128])).toBeLessThan(0.19);
    expect(stat(s, 255).fraction).toBeGreaterThan(0.71);
    expect(stat(s, 255).fraction).toBeLessThan(0.77);
    expect(share(s, s.values.map((v) => v.value))).toBeCloseTo(1, 9);
    const p = proposeClassTable(s);
    // Thin membranes in several grey levels are not mistaken for interpolation residue.
    expect(p.table.ignore).toEqual([]);
    expect(p.damage).toBeUndefined();
    expect(p.table.classes).toHaveLength(9);
    expect(p.table.background).toBe('value_255');
  });

  it('isbi2012: values 0 and 255, with 0 (membrane) ~22 %', async () => {
    const s = await scanMaskValues(await masks('isbi2012-membranes'));
    expect(s.files).toBe(30);
    expect(s.values.map((v) => v.value)).toEqual([0, 255]);
    expect(stat(s, 0).fraction).toBeGreaterThan(0.2);
    expect(stat(s, 0).fraction).toBeLessThan(0.24);
    expect(stat(s, 0).images).toBe(30);
    expect(proposeClassTable(s).table.background).toBe('value_255');
  });

  it('dapi16-nuclei instance masks (16-bit TIFF): hundreds of labels -> instance reading, background ~88 %', async () => {
    const d = join(DATA, 'dapi16-nuclei', 'masks_instance');
    const s = await scanMaskValues((await readdir(d)).sort().map((f) => join(d, f)));
    expect(s.files).toBe(41);
    expect(s.bitDepths).toEqual([16]);
    expect(s.values.length).toBeGreaterThan(64);
    expect(stat(s, 0).fraction).toBeGreaterThan(0.85);
    expect(stat(s, 0).fraction).toBeLessThan(0.92);
    const p = proposeClassTable(s);
    expect(p.maskFormat).toEqual({ kind: 'instance', className: 'object' });
    expect(p.notes.join('\n')).not.toContain('interpolation');
  });
});
if (!existsSync(DATA)) console.warn(`scan.test.ts: real-data tests skipped, ${DATA} is absent`);
