// `seglens inspect` on a folder with one of every problem: each is reported once, naming its file,
// the rest of the folder is still read, and the exit code says training is blocked.
import { mkdtemp, mkdir, writeFile, readFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { json, seglens } from '../helpers/cli.ts';
import { CHECKS } from '../../src/seg/checks.ts';
import { fileProblems } from '../helpers/inspect-json.ts';
import type { InspectFindingJson } from '../helpers/inspect-json.ts';

const TABLE = { classes: [{ name: 'bg', values: [0], color: '#000000' }, { name: 'cell', values: [255], color: '#e6194b' }], background: 'bg', ignore: [] };

function grey(w: number, h: number, f: (x: number, y: number) => number): Buffer {
  const b = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) b[y * w + x] = f(x, y);
  return b;
}
const png = (file: string, w: number, h: number, f: (x: number, y: number) => number) =>
  sharp(grey(w, h, f), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w').png().toFile(file);
const disc = (x: number, y: number) => ((x - 16) ** 2 + (y - 16) ** 2 < 80 ? 255 : 0);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-inspect-'));
  const I = join(dir, 'images');
  const M = join(dir, 'masks');
  await mkdir(I);
  await mkdir(M);
  await writeFile(join(dir, 'classes.json'), JSON.stringify(TABLE));
  const texture = (x: number, y: number) => (x * 7 + y * 3) % 200;
  for (const n of ['a', 'b', 'd', 'e', 'f', 'g', 'j']) await png(join(I, `${n}.png`), 32, 32, texture);
  await sharp(grey(32, 32, texture), { raw: { width: 32, height: 32, channels: 1 } }).tiff().toFile(join(I, 'j.tif'));
  await png(join(I, 'k.png'), 200, 200, texture);
  await writeFile(join(I, 'h.png'), Buffer.alloc(0));
  await writeFile(join(I, 'notes.txt'), 'not an image');
  // masks
  for (const n of ['a', 'g', 'h', 'j', 'k', 'c']) await png(join(M, `${n}.png`), n === 'k' ? 200 : 32, n === 'k' ? 200 : 32, disc);
  await png(join(M, 'd.png'), 16, 16, (x, y) => disc(2 * x, 2 * y));
  await png(join(M, 'e.png'), 32, 32, (x, y) => (x < 3 ? 7 : disc(x, y)));
  // A 0/255 mask shrunk and enlarged bilinearly: intermediate values along the edge of the disc.
  const small = await sharp(grey(32, 32, disc), { raw: { width: 32, height: 32, channels: 1 } }).resize(13, 13, { kernel: 'linear' }).toColourspace('b-w').png().toBuffer();
  await sharp(small).resize(32, 32, { kernel: 'linear' }).toColourspace('b-w').png().toFile(join(M, 'f.png'));
  // g.png: a PNG cut in half.
  const g = join(I, 'g.png');
  await truncate(g, Math.floor((await readFile(g)).length / 2));
});

describe('seglens inspect on a folder with every kind of problem', () => {
  it('reports each problem once with its file, reads the rest, exits 1', async () => {
    const r = await seglens(['inspect', dir, '--classes', join(dir, 'classes.json'), '--max-pixels', '10000', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const rep = json<{ findings: InspectFindingJson[]; pairs: { name: string; ok: boolean }[]; blocking: boolean }>(r);
    // One list: every problem is a finding about its file, with an id from the one catalogue.
    expect(Object.keys(rep).filter((k) => /problem|blocker/i.test(k))).toEqual([]);
    for (const f of rep.findings) expect(CHECKS, f.id).toHaveProperty([f.id]);
    const problems = fileProblems(rep.findings);
    const by = (code: string) => problems.filter((p) => p.id === code).map((p) => p.file);
    expect(by('missing-partner').sort()).toEqual(['images/b.png', 'masks/c.png']);
    const dup = problems.filter((p) => p.id === 'duplicate-stem');
    expect(dup).toHaveLength(1);
    expect(dup[0].message).toMatch(/j\.png/);
    expect(dup[0].message).toMatch(/j\.tif/);
    expect(by('unsupported-format')).toEqual(['images/notes.txt']);
    expect(by('size-mismatch')).toEqual(['masks/d.png']);
    expect(by('mask-unknown-values')).toEqual(['masks/e.png']);
    expect(problems.find((p) => p.id === 'mask-unknown-values')!.message).toMatch(/\b7 \(96 px\)/);
    expect(by('mask-interpolated')).toEqual(['masks/f.png']);
    expect(by('corrupt-file')).toEqual(['images/g.png']);
    expect(by('empty-file')).toEqual(['images/h.png']);
    expect(by('image-too-large').sort()).toEqual(['images/k.png', 'masks/k.png']);
    for (const p of problems) {
      expect(p.message.length, p.id).toBeGreaterThan(10);
      expect(p.action.length, p.id).toBeGreaterThan(10);
    }
    // Errors are critical and block (no image here is excluded); a finding's images are pairs.
    expect(problems.find((p) => p.id === 'corrupt-file')).toMatchObject({ severity: 'critical', blocking: true });
    expect(rep.findings.find((f) => f.id === 'size-mismatch')!.images).toEqual(['d']);
    // The good pair is still read and usable.
    expect(rep.pairs.find((p) => p.name === 'a')?.ok).toBe(true);
    expect(rep.blocking).toBe(true);
  });

  it('prints the same problems as text, each with what to do', async () => {
    const r = await seglens(['inspect', dir, '--classes', join(dir, 'classes.json'), '--max-pixels', '10000']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/CRITICAL \[corrupt-file\] File that cannot be read\n.*\n +file: images\/g\.png/);
    expect(r.stdout).toMatch(/-> /);
    expect(r.stdout).toMatch(/NOT READY FOR TRAINING/);
  });

  it('a bad class table is one clear error naming the file and field', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...TABLE, background: 'nope' }));
    const r = await seglens(['inspect', dir, '--classes', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json/);
    expect(r.stderr).toMatch(/background/);
  });
});
