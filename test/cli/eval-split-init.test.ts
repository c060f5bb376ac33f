// The other issue-2 commands through the real `seglens` binary: eval, split, init.
import { copyFile, mkdtemp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { json, seglens } from '../helpers/cli.ts';
import { DATA, skipWithoutData, TABLES } from '../helpers/paths.ts';

const DRO = join(DATA, 'drosophila-vnc');
const DRO_TABLE = join(TABLES, 'drosophila-vnc.json');
const DRO_CLASSES: Record<string, number[]> = { intracellular: [255], membrane: [0, 32, 64, 96, 128], mitochondria: [191], synapse: [223], glia: [159] };

async function grey(file: string): Promise<Buffer> {
  return (await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })).data;
}

describe.skipIf(skipWithoutData('eval on real data'))('seglens eval', () => {
  let pred: string;
  beforeAll(async () => {
    // "Predictions": the mask of the next slice, under the ground truth's file name.
    pred = await mkdtemp(join(tmpdir(), 'seglens-eval-'));
    const masks = (await readdir(join(DRO, 'masks'))).sort();
    for (let i = 0; i < masks.length; i++) await copyFile(join(DRO, 'masks', masks[(i + 1) % masks.length]), join(pred, masks[i]));
  });

  it('--json has the documented fields, and per-class Dice equals a count done here', async () => {
    const r = await seglens(['eval', '--gt', join(DRO, 'masks'), '--pred', pred, '--classes', DRO_TABLE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = json(r);
    for (const k of ['meanForegroundDice', 'meanDiceWithBackground', 'channelSummedDice', 'pixelAccuracy', 'allBackgroundAccuracy']) expect(typeof res[k], k).toBe('number');
    const masks = (await readdir(join(DRO, 'masks'))).sort();
    const tp: Record<string, number> = {};
    const fpfn: Record<string, number> = {};
    for (const f of masks) {
      const [g, p] = [await grey(join(DRO, 'masks', f)), await grey(join(pred, f))];
      for (const [name, values] of Object.entries(DRO_CLASSES)) {
        const inC = (v: number) => values.includes(v);
        for (let i = 0; i < g.length; i++) {
          const a = inC(g[i]);
          const b = inC(p[i]);
          if (a && b) tp[name] = (tp[name] ?? 0) + 1;
          else if (a !== b) fpfn[name] = (fpfn[name] ?? 0) + 1;
        }
      }
    }
    const fg: number[] = [];
    for (const c of res.classes as { name: string; dice: number; iou: number; precision: number; recall: number; diceImageMean: number; validImages: number }[]) {
      const d = (2 * tp[c.name]) / (2 * tp[c.name] + fpfn[c.name]);
      expect(c.dice, c.name).toBeCloseTo(d, 12);
      for (const k of ['iou', 'precision', 'recall', 'diceImageMean', 'validImages'] as const) expect(typeof c[k]).toBe('number');
      if (c.name !== 'intracellular') fg.push(d);
    }
    expect(res.meanForegroundDice).toBeCloseTo(fg.reduce((a, b) => a + b) / fg.length, 12);
    // The background-dominated figures sit above the headline on this imbalanced data.
    expect(res.channelSummedDice).toBeGreaterThan(res.meanForegroundDice);
  });

  it('prints the table and the headline', async () => {
    const r = await seglens(['eval', '--gt', join(DRO, 'masks'), '--pred', pred, '--classes', DRO_TABLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mean foreground Dice \(HEADLINE\)/);
    expect(r.stdout).toMatch(/synapse/);
    expect(r.stdout).toMatch(/all-background accuracy/);
  });

  it('a missing prediction is reported by name and the exit code is 1', async () => {
    const partial = await mkdtemp(join(tmpdir(), 'seglens-eval-'));
    const masks = (await readdir(pred)).sort();
    for (const f of masks.slice(1)) await copyFile(join(pred, f), join(partial, f));
    const r = await seglens(['eval', '--gt', join(DRO, 'masks'), '--pred', partial, '--classes', DRO_TABLE, '--json']);
    expect(r.code).toBe(1);
    const res = json(r);
    expect(res.pairs).toHaveLength(masks.length - 1);
    // The file's problem is a finding about it, in the one list eval prints.
    expect(res.problems).toBeUndefined();
    expect(res.findings[0]).toMatchObject({ id: 'missing-partner', severity: 'critical' });
    expect(res.findings[0].files[0]).toMatch(masks[0]);
  });
});

describe('seglens eval argument errors', () => {
  it('names the missing option', async () => {
    const r = await seglens(['eval', '--gt', 'a', '--pred', 'b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--classes/);
  });
  it('names a missing folder', async () => {
    const r = await seglens(['eval', '--gt', '/nonexistent/gt', '--pred', '/tmp', '--classes', DRO_TABLE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/gt/);
  });
});

describe.skipIf(skipWithoutData('split on real data'))('seglens split', () => {
  it('is deterministic by seed, puts every image in exactly one split, and writes the manifest', async () => {
    const out = await mkdtemp(join(tmpdir(), 'seglens-split-'));
    const args = (file: string, seed: string) => ['split', join(DATA, 'isbi2012-membranes'), '--classes', join(TABLES, 'isbi2012-membranes.json'), '--val', '0.2', '--seed', seed, '--out', join(out, file), '--json'];
    const a = await seglens(args('a.json', '7'));
    expect(a.code, a.stderr).toBe(0);
    const b = await seglens(args('b.json', '7'));
    const ma = JSON.parse(await readFile(join(out, 'a.json'), 'utf8'));
    const mb = JSON.parse(await readFile(join(out, 'b.json'), 'utf8'));
    expect(mb.train).toEqual(ma.train);
    expect(mb.val).toEqual(ma.val);
    expect(b.code).toBe(0);
    const all = [...ma.train, ...ma.val, ...ma.test].sort();
    expect(all).toHaveLength(30);
    expect(new Set(all).size).toBe(30);
    expect(ma.val.length).toBe(6);
    expect(ma.seed).toBe(7);
  });

  it('refuses a bad fraction with a message naming the option', async () => {
    const r = await seglens(['split', DATA, '--val', 'abc', '--seed', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--val/);
  });
});

describe('seglens init', () => {
  it('lists every stored value with pixels and images, writes seglens.json, never overwrites it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seglens-init-'));
    await mkdir(join(dir, 'images'));
    await mkdir(join(dir, 'masks'));
    for (let i = 0; i < 3; i++) {
      const img = Buffer.from(Array.from({ length: 16 * 16 }, (_, p) => 40 + i + (p % 7))); // not constant: a blank image is a problem
      const mask = Buffer.alloc(16 * 16, 0);
      mask.fill(255, 0, 64); // 64 px of 255 in every mask
      if (i === 2) mask.fill(128, 64, 74); // 10 px of 128 in one mask only
      await sharp(img, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'images', `im${i}.png`));
      await sharp(mask, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').png().toFile(join(dir, 'masks', `im${i}.png`));
    }
    const r = await seglens(['init', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = json(r);
    const values = Object.fromEntries(res.scan.values.map((v: { value: number; pixels: number; images: number }) => [v.value, [v.pixels, v.images]]));
    expect(values).toEqual({ 0: [3 * 256 - 3 * 64 - 10, 3], 128: [10, 1], 255: [3 * 64, 3] });
    expect(existsSync(join(dir, 'seglens.json'))).toBe(true);
    // Every value has its own class in the proposal: nothing is merged silently.
    const proposed = JSON.parse(await readFile(join(dir, 'seglens.json'), 'utf8')).classes.classes;
    expect(proposed).toHaveLength(3);
    const again = await seglens(['init', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--force/);
    const text = await seglens(['init', dir, '--force']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/128/);
    // And the project it wrote inspects cleanly.
    const ins = await seglens(['inspect', dir, '--json']);
    expect(ins.code, ins.stdout).toBe(0);
    await writeFile(join(dir, 'x'), '');
  });
});
