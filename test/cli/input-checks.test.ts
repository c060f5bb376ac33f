// Issue 13, smaller input checks, on real files: a constant image is reported (not "ready"); an
// image that decodes to more than the pixel limit is refused by prediction and by training with its
// size and the option that raises the limit; names that differ only in Unicode normalisation pair
// (NFC vs NFD), and two such names in one folder are printed with escapes so they can be told apart.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectDataset, openDataset } from '../../src/seg/dataset/index.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { json, seglens } from '../helpers/cli.ts';
import { fileProblems } from '../helpers/inspect-json.ts';
import type { InspectFindingJson } from '../helpers/inspect-json.ts';

let tmp: string;
const TABLE = { classes: [{ name: 'bg', values: [0], color: '#000000' }, { name: 'cell', values: [255], color: '#e6194b' }], background: 'bg', ignore: [] };

const grey = (w: number, h: number, f: (i: number) => number) => Uint8Array.from({ length: w * h }, (_, i) => f(i));
const png = (file: string, w: number, h: number, f: (i: number) => number) => sharp(grey(w, h, f), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toFile(file);

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-input-checks-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('constant images', () => {
  it('are reported as errors naming the file and value; the pair is not ok', async () => {
    const dir = join(tmp, 'constant');
    await mkdir(join(dir, 'images'), { recursive: true });
    await mkdir(join(dir, 'masks'));
    await writeFile(join(dir, 'classes.json'), JSON.stringify(TABLE));
    await png(join(dir, 'images', 'blank.png'), 32, 32, () => 0);
    await png(join(dir, 'images', 'cells.png'), 32, 32, (i) => (i * 7) % 200);
    for (const n of ['blank', 'cells']) await png(join(dir, 'masks', `${n}.png`), 32, 32, (i) => (i % 32 < 16 ? 255 : 0));
    const r = await seglens(['inspect', dir, '--classes', join(dir, 'classes.json'), '--json']);
    expect(r.code).toBe(1);
    const rep = json<{ findings: InspectFindingJson[]; pairs: { name: string; ok: boolean }[] }>(r);
    const constant = fileProblems(rep.findings).filter((p) => p.id === 'constant-image');
    expect(constant).toHaveLength(1);
    expect(constant[0].file).toBe('images/blank.png');
    expect(constant[0].message).toMatch(/images\/blank\.png is constant: every pixel is 0/);
    expect(rep.pairs.map((p) => [p.name, p.ok])).toEqual([
      ['blank', false],
      ['cells', true],
    ]);
  });
});

describe('the decoded-size limit', () => {
  let big: string;
  beforeAll(async () => {
    // 9000 x 9000 = 81 megapixels, a file of a few hundred kB: over the default 8192 x 8192.
    big = join(tmp, 'big.png');
    await sharp({ create: { width: 9000, height: 9000, channels: 3, background: { r: 0, g: 0, b: 0 } } }).toColourspace('b-w').png().toFile(big);
  }, 60_000);

  it('training refuses the project with the size and the option to raise the limit', { timeout: 120_000 }, async () => {
    const proj = join(tmp, 'proj');
    await generateDemoProject(proj, { count: 4, size: 32, plantErrors: false });
    await sharp(big).toFile(join(proj, 'images', 'huge.png'));
    await sharp({ create: { width: 9000, height: 9000, channels: 3, background: { r: 0, g: 0, b: 0 } } }).toColourspace('b-w').png().toFile(join(proj, 'masks', 'huge.png'));
    const r = await seglens(['train', proj, '--epochs', '1', '--steps', '1']);
    expect(r.code).toBe(1);
    // Findings are wrapped for the terminal: compare with the line breaks folded.
    const all = (r.stdout + r.stderr).replace(/\s+/g, ' ');
    expect(all).toMatch(/\[image-too-large\] Image too large images\/huge\.png is 9000 x 9000 = 81\.0 megapixels when decoded, over the limit of 67\.1 megapixels/);
    expect(all).toMatch(/--max-pixels 81000000 on the command line, or "maxPixels": 81000000 in seglens\.json/);
    // The same report from inspect, which the trainer runs first.
    const ds = await openDataset(proj);
    const found = (await inspectDataset(ds)).findings.find((f) => f.id === 'image-too-large')!;
    expect(found).toMatchObject({ files: ['images/huge.png'], images: ['huge'], blocking: true });
  });
});

describe('Unicode names', () => {
  const nfc = 'caf\u00e9';
  const nfd = 'cafe\u0301';

  it('an image and a mask whose names differ only in normalisation are a pair', async () => {
    const dir = join(tmp, 'unicode');
    await mkdir(join(dir, 'images'), { recursive: true });
    await mkdir(join(dir, 'masks'));
    await writeFile(join(dir, 'classes.json'), JSON.stringify(TABLE));
    await png(join(dir, 'images', `${nfc}.png`), 16, 16, (i) => i % 200);
    await png(join(dir, 'masks', `${nfd}.png`), 16, 16, (i) => (i % 2 ? 255 : 0));
    const r = await seglens(['inspect', dir, '--classes', join(dir, 'classes.json'), '--json']);
    const rep = json<{ findings: InspectFindingJson[]; pairs: { name: string; mask: string }[] }>(r);
    expect(rep.findings.filter((f) => f.id === 'missing-partner')).toEqual([]);
    expect(rep.pairs).toHaveLength(1);
    expect(rep.pairs[0].name).toBe(nfc);
    expect(rep.pairs[0].mask).toBe(`masks/${nfd}.png`);
  });

  it('two images whose names differ only in normalisation are a duplicate, printed with escapes', async () => {
    const dir = join(tmp, 'unicode2');
    await mkdir(join(dir, 'images'), { recursive: true });
    await mkdir(join(dir, 'masks'));
    await writeFile(join(dir, 'classes.json'), JSON.stringify(TABLE));
    await png(join(dir, 'images', `${nfc}.png`), 16, 16, (i) => i % 200);
    await png(join(dir, 'images', `${nfd}.png`), 16, 16, (i) => i % 100);
    await png(join(dir, 'masks', `${nfc}.png`), 16, 16, (i) => (i % 2 ? 255 : 0));
    const r = await seglens(['inspect', dir, '--classes', join(dir, 'classes.json'), '--json']);
    const rep = json<{ findings: InspectFindingJson[] }>(r);
    const dup = rep.findings.find((f) => f.id === 'duplicate-stem')!;
    expect(dup.message).toContain('images/caf\\u00e9.png');
    expect(dup.message).toContain('images/cafe\\u0301.png');
    expect(dup.message).toMatch(/differ only in how their accented letters are encoded/);
  });
});
