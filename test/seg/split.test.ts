// Stratified split: tiny hand-made cases, a synthetic multi-label set with a rare class, groups,
// determinism, the report's warnings and its text form.
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/seg/errors.ts';
import { buildGroups, formatSplitReport, groupKey, groupKeysOf, makeSplit, splitReport } from '../../src/seg/split/index.ts';
import type { SplitItem, SplitResult } from '../../src/seg/split/index.ts';

const CLASSES = ['background', 'cell', 'nucleus', 'rare'];

/**
 * 60 images of 10 000 labelled pixels: `cell` in ~70 %, `nucleus` in ~40 %, `rare` in exactly 5
 * (items 3, 15, 27, 39, 51), foreground fractions spread from 2 % to 60 %.
 */
function synthetic(n = 60, seed = 'data'): SplitItem[] {
  const rng = seedrandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const px = [0, 0, 0, 0];
    const fg = 0.02 + 0.58 * rng();
    if (rng() < 0.7) px[1] = Math.round(10000 * fg * 0.7);
    if (rng() < 0.4) px[2] = Math.round(10000 * fg * 0.25);
    if (i % 12 === 3) px[3] = Math.round(10000 * fg * 0.05) + 1;
    px[0] = 10000 - px[1] - px[2] - px[3];
    return { name: `img${String(i).padStart(3, '0')}.png`, classPixels: px };
  });
}

const present = (items: SplitItem[], names: string[], c: number) => items.filter((i) => names.includes(i.name) && i.classPixels[c] > 0).length;

/** Mean over foreground classes of |share of val images with the class - share of all images with it|. */
function presenceDeviation(items: SplitItem[], val: string[]): number {
  let dev = 0;
  for (let c = 1; c < CLASSES.length; c++) {
    const all = items.filter((i) => i.classPixels[c] > 0).length / items.length;
    dev += Math.abs(present(items, val, c) / val.length - all);
  }
  return dev / (CLASSES.length - 1);
}

function randomVal(items: SplitItem[], nVal: number, seed: number): string[] {
  const rng = seedrandom(`random-${seed}`);
  const names = items.map((i) => i.name);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [names[i], names[j]] = [names[j], names[i]];
  }
  return names.slice(0, nVal);
}

function sides(r: SplitResult): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of ['train', 'val', 'test'] as const) for (const n of r[s]) m.set(n, s);
  return m;
}

describe('makeSplit: tiny datasets', () => {
  const tiny = (n: number): SplitItem[] => Array.from({ length: n }, (_, i) => ({ name: `t${i}`, classPixels: [90 - i, 10 + i] }));

  it('5 images at val 0.2 give 4 train and 1 val for every seed', () => {
    for (let seed = 0; seed < 20; seed++) {
      const r = makeSplit(tiny(5), { val: 0.2, seed });
      expect([r.train.length, r.val.length, r.test.length]).toEqual([4, 1, 0]);
      expect([...r.train, ...r.val].sort()).toEqual(['t0', 't1', 't2', 't3', 't4']);
    }
  });

  it('2 images at val 0.1 still put one in val; 3 images fill train, val and test', () => {
    const two = makeSplit(tiny(2), { val: 0.1, seed: 1 });
    expect([two.train.length, two.val.length]).toEqual([1, 1]);
    const three = makeSplit(tiny(3), { val: 0.1, test: 0.1, seed: 1 });
    expect([three.train.length, three.val.length, three.test.length]).toEqual([1, 1, 1]);
  });

  it('val 0 puts everything in train', () => {
    const r = makeSplit(tiny(4), { val: 0, seed: 1 });
    expect(r.train).toHaveLength(4);
    expect(r.val).toHaveLength(0);
  });

  it('refuses what cannot be split, saying why', async () => {
    expect(() => makeSplit(tiny(1), { val: 0.2, seed: 1 })).toThrow(/1 image\(s\) in 1 group\(s\) cannot fill 2 splits/);
    const groups = await groupKeysOf(tiny(4).map((i) => i.name), '^t');
    expect(() => makeSplit(tiny(4), { val: 0.2, seed: 1, groups })).toThrow(/stay together/);
    expect(() => makeSplit(tiny(4), { val: 0.6, test: 0.4, seed: 1 })).toThrow(ConfigError);
    expect(() => makeSplit(tiny(4), { val: Number.NaN, seed: 1 })).toThrow(/val=NaN/);
    expect(() => makeSplit([], { val: 0.2, seed: 1 })).toThrow(/no images/);
    expect(() => makeSplit([...tiny(2), { name: 't1', classPixels: [1, 1] }], { val: 0.2, seed: 1 })).toThrow(/"t1" appears twice/);
    expect(() => makeSplit(tiny(3), { val: 0.2, seed: 1, classNames: ['only'] })).toThrow(/2 classes but the class table has 1/);
  });
});

describe('makeSplit: stratification on a synthetic multi-label set', () => {
  const items = synthetic();

  it('puts the class that occurs in 5 of 60 images in both train and val (val 0.2), for every seed', () => {
    for (let seed = 0; seed < 10; seed++) {
      const r = makeSplit(items, { val: 0.2, seed, classNames: CLASSES });
      expect(r.val.length).toBeGreaterThanOrEqual(11);
      expect(r.val.length).toBeLessThanOrEqual(13);
      expect(present(items, r.val, 3)).toBeGreaterThanOrEqual(1);
      expect(present(items, r.train, 3)).toBeGreaterThanOrEqual(3);
      expect(r.report.warnings.filter((w) => w.code === 'class-missing-in-split')).toEqual([]);
    }
  });

  it('also spreads it over train, val and test when a test fraction is asked for', () => {
    const r = makeSplit(items, { val: 0.2, test: 0.1, seed: 3, classNames: CLASSES });
    expect(r.test.length).toBe(6);
    for (const s of [r.train, r.val, r.test]) expect(present(items, s, 3)).toBeGreaterThanOrEqual(1);
  });

  it('keeps class proportions closer to the dataset than random splits do', () => {
    const strat = [0, 1, 2, 3, 4].map((seed) => presenceDeviation(items, makeSplit(items, { val: 0.2, seed }).val));
    const random = Array.from({ length: 20 }, (_, s) => presenceDeviation(items, randomVal(items, 12, s)));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(strat)).toBeLessThan(mean(random) / 2);
    for (const d of strat) expect(d).toBeLessThan(mean(random));
  });

  it('spreads foreground-fraction tertiles (easy and hard images) over train and val', () => {
    const r = makeSplit(items, { val: 0.2, seed: 7, classNames: CLASSES });
    const fg = (names: string[]) => items.filter((i) => names.includes(i.name)).map((i) => 1 - i.classPixels[0] / 10000);
    const sorted = fg(items.map((i) => i.name)).sort((a, b) => a - b);
    const [t1, t2] = [sorted[20], sorted[40]];
    const val = fg(r.val);
    // 12 val images, ~4 per tertile
    for (const inBin of [(f: number) => f < t1, (f: number) => f >= t1 && f < t2, (f: number) => f >= t2]) {
      expect(val.filter(inBin).length).toBeGreaterThanOrEqual(3);
      expect(val.filter(inBin).length).toBeLessThanOrEqual(5);
    }
  });
});

describe('makeSplit: determinism', () => {
  const items = synthetic();

  it('the same seed gives the same split, whatever the input order', () => {
    const a = makeSplit(items, { val: 0.2, test: 0.1, seed: 42 });
    const b = makeSplit([...items].reverse(), { val: 0.2, test: 0.1, seed: 42 });
    expect([b.train, b.val, b.test]).toEqual([a.train, a.val, a.test]);
    const c = makeSplit(items, { val: 0.2, test: 0.1, seed: '42' });
    expect(c.val).toEqual(a.val);
  });

  it('different seeds give different splits', () => {
    const vals = new Set([1, 2, 3, 4, 5].map((seed) => makeSplit(items, { val: 0.2, seed }).val.join(',')));
    expect(vals.size).toBeGreaterThan(3);
  });
});

describe('groups', () => {
  // 12 mice with 2-6 slices each; some files do not follow the naming scheme.
  const items: SplitItem[] = synthetic(50, 'groups').map((it, i) => ({
    ...it,
    name: i < 44 ? `mouse${Math.floor(i / 4) + (i % 7 === 0 ? 1 : 0)}_slice${i}.tif` : `extra-${i}.tif`,
  }));
  const pattern = '^(mouse\\d+)_';

  it('group key is the first capture group, else the whole match; unmatched names have none', () => {
    expect(groupKey('mouse3_slice1.tif', /^(mouse\d+)_/)).toBe('mouse3');
    expect(groupKey('mouse3_slice1.tif', /^mouse\d+/)).toBe('mouse3');
    expect(groupKey('extra.tif', /^(mouse\d+)_/)).toBeUndefined();
    expect(groupKey('x', undefined)).toBeUndefined();
  });

  it('groupKeysOf computes the same keys off the event loop, and names a bad pattern', async () => {
    const names = ['mouse3_slice1', 'mouse12_x', 'extra', 'mouse3_b'];
    const keys = await groupKeysOf(names, pattern);
    expect(names.map((n) => keys.keyOf(n))).toEqual(names.map((n) => groupKey(n, new RegExp(pattern))));
    expect(keys.pattern).toBe(pattern);
    await expect(groupKeysOf(['a'], '(')).rejects.toThrow(/The group pattern "\(" is not a valid regular expression/);
  });

  it('a pattern that backtracks without end is stopped at the limit with an error naming it', async () => {
    const t0 = performance.now();
    const e = await groupKeysOf([`${'a'.repeat(40)}_01`], '^(a+)+$').catch((x: unknown) => x);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/The group pattern "\^\(a\+\)\+\$" ran longer than 0\.5 s on 1 image name\(s\), so it was stopped: .*nested repetition/);
  });

  it('buildGroups joins pattern groups and duplicate pairs transitively', async () => {
    const g = buildGroups(['b1', 'a1', 'a2', 'c', 'd'], await groupKeysOf(['b1', 'a1', 'a2', 'c', 'd'], '^([ab])\\d'), [
      { a: 'a2', b: 'c', kind: 'near', distance: 3, correlation: 0.99 },
      { a: 'b1', b: 'd', kind: 'exact', distance: 0, correlation: 1 },
    ]);
    expect(g).toEqual([
      { key: 'a', names: ['a1', 'a2', 'c'] },
      { key: 'b', names: ['b1', 'd'] },
    ]);
  });

  it('never cuts a group across splits, for any seed', async () => {
    const re = new RegExp(pattern);
    const groups = await groupKeysOf(items.map((i) => i.name), pattern);
    for (let seed = 0; seed < 12; seed++) {
      const r = makeSplit(items, { val: 0.2, test: 0.1, seed, groups });
      const side = sides(r);
      const byKey = new Map<string, Set<string>>();
      for (const it of items) {
        const k = groupKey(it.name, re);
        if (k) byKey.set(k, (byKey.get(k) ?? new Set()).add(side.get(it.name)!));
      }
      expect(byKey.size).toBe(12);
      for (const s of byKey.values()) expect(s.size).toBe(1);
      expect(side.size).toBe(items.length);
      expect(r.val.length).toBeGreaterThan(4);
      expect(r.test.length).toBeGreaterThan(1);
    }
  });
});

describe('split report', () => {
  const item = (name: string, px: number[]): SplitItem => ({ name, classPixels: px });
  const opts = { classNames: ['bg', 'a', 'b', 'tiny'], background: 0, duplicates: [], source: 'proj', withTest: false, mode: 'made' as const };

  it('gives per-split pixel fractions and presence', () => {
    const items = [item('x', [80, 20, 0, 0]), item('y', [50, 30, 20, 0]), item('z', [100, 0, 0, 0])];
    const r = splitReport(items, { train: ['x', 'y'], val: ['z'], test: [] }, opts);
    expect(r.splits.train.pixels).toEqual([130, 50, 20, 0]);
    expect(r.splits.train.fractions).toEqual([0.65, 0.25, 0.1, 0]);
    expect(r.splits.train.presence).toEqual([2, 2, 1, 0]);
    expect(r.splits.val.fractions).toEqual([1, 0, 0, 0]);
    expect(r.splits.test).toMatchObject({ images: 0, fractions: [null, null, null, null], meanForeground: null });
    expect(r.all.images).toBe(3);
    expect(r.splits.train.meanForeground).toBeCloseTo(0.35);
  });

  it('warns when a class of the dataset is missing from a split, with counts and what to do', () => {
    const items = [item('x', [80, 20, 0, 0]), item('y', [50, 30, 20, 0]), item('z', [90, 10, 0, 0])];
    const r = splitReport(items, { train: ['x', 'z'], val: ['y'], test: [] }, opts);
    const missing = r.warnings.filter((w) => w.code === 'class-missing-in-split');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ severity: 'warning', file: 'proj', details: { class: 'b', split: 'train', imagesWithClass: 1 } });
    expect(missing[0].message).toBe('Class "b" occurs in 1 of 3 images but in none of the 2 train images.');
    expect(missing[0].hint).toMatch(/Annotate more images containing "b"/);
  });

  it('suggests another seed or a lower fraction when the class has enough images', () => {
    const items = [item('w', [80, 20]), item('x', [80, 20]), item('y', [90, 0]), item('z', [90, 0])];
    const r = splitReport(items, { train: ['w', 'x', 'y'], val: ['z'], test: [] }, { ...opts, classNames: ['bg', 'a'] });
    expect(r.warnings.map((w) => w.hint)).toEqual([expect.stringMatching(/another --seed, lower the val fraction/)]);
  });

  it(`flags a pixel-share ratio outside 0.5-2 between train and val for classes with >= 0.5 % share`, () => {
    // class a: 10 % of train pixels, 30 % of val pixels -> ratio 3; class b: 4 % vs 6 % -> 1.5
    // class tiny: 0.1 % of the dataset, ratio 5 -> below the share threshold, not flagged
    const items = [item('t1', [859.8, 100, 40, 0.2].map((v) => v * 10)), item('v1', [630, 300, 60, 10])];
    const r = splitReport(items, { train: ['t1'], val: ['v1'], test: [] }, opts);
    const imb = r.warnings.filter((w) => w.code === 'split-imbalance');
    expect(imb).toHaveLength(1);
    expect(imb[0].details).toMatchObject({ class: 'a', split: 'val' });
    expect(imb[0].details!.ratio).toBeCloseTo(3);
    expect(imb[0].message).toMatch(/30\.0 % of val pixels but 10\.0 % of train pixels \(ratio 3\.00/);
  });

  it('formats classes as rows and splits as columns, then the warnings', () => {
    const items = synthetic();
    const r = makeSplit(items, { val: 0.2, test: 0.1, seed: 5, classNames: CLASSES });
    const text = formatSplitReport(r.report);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Split: seed 5, val 0.2, test 0.1');
    expect(lines[2]).toMatch(/^class\s+all\s+train\s+val\s+test$/);
    const rare = lines.find((l) => l.startsWith('rare '))!;
    const cols = rare.trim().split(/\s{2,}/);
    expect(cols).toHaveLength(5);
    expect(cols[1]).toMatch(/^\d+\.\d+ % \(5\)$/);
    expect(lines.find((l) => l.startsWith('background (background)'))).toBeDefined();
    expect(lines.find((l) => l.startsWith('images'))!.trim().split(/\s+/).slice(1)).toEqual(['60', String(r.train.length), String(r.val.length), '6']);
    expect(text).toContain('Duplicates: none found');
  });
});
