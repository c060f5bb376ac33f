// split-leakage invariant to flips, 90-degree rotations and small shifts: training augmentation
// flips, rotates and crops patches, so such a copy is the same sample. Planted in copies of the
// real images written with sharp (flop/flip/rotate, two overlapping crops of one field); the
// distinct serial sections of ISBI 2012 and Drosophila VNC, and the DAPI fields, are never paired.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/seg/audit/index.ts';
import { checkManifest, findDuplicates, fingerprintFile, makeSplit, toManifest } from '../../src/seg/split/index.ts';
import type { SplitItem } from '../../src/seg/split/index.ts';
import { DAPI, DROSOPHILA, ISBI, missing } from './audit-fixtures.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-split-aligned-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const item = async (name: string, file: string): Promise<SplitItem> => ({ name, classPixels: [10, 10], fingerprint: await fingerprintFile(file) });

describe.skipIf(missing(ISBI, 'aligned duplicates on ISBI 2012'))('ISBI 2012: flipped, rotated and shifted copies', () => {
  let real: SplitItem[];
  let planted: SplitItem[];
  beforeAll(async () => {
    const names = readdirSync(join(ISBI, 'images'))
      .filter((f) => f.endsWith('.png'))
      .sort((a, b) => parseInt(a) - parseInt(b))
      .slice(0, 12);
    real = await Promise.all(names.map((f) => item(f.replace('.png', ''), join(ISBI, 'images', f))));
    const src = (n: number) => join(ISBI, 'images', `${n}.png`);
    const out = (n: string) => join(tmp, n);
    await sharp(src(3)).flop().toFile(out('3-mirrored.png'));
    await sharp(src(5)).rotate(90).toFile(out('5-rot90.png'));
    await sharp(src(7)).extract({ left: 0, top: 0, width: 496, height: 496 }).toFile(out('7-tile.png'));
    await sharp(src(7)).extract({ left: 10, top: 6, width: 496, height: 496 }).rotate(180).toFile(out('7-tile-rot180.png'));
    // Two overlapping tiles of one field, 14 and 9 px apart: neither is the original.
    await sharp(src(9)).extract({ left: 0, top: 0, width: 480, height: 480 }).toFile(out('9-tile-a.png'));
    await sharp(src(9)).extract({ left: 14, top: 9, width: 480, height: 480 }).toFile(out('9-tile-b.png'));
    planted = await Promise.all(['3-mirrored', '5-rot90', '7-tile', '7-tile-rot180', '9-tile-a', '9-tile-b'].map((n) => item(n, out(`${n}.png`))));
  });

  it('the 12 real serial sections are not duplicates of each other', () => {
    expect(findDuplicates(real)).toEqual([]);
  });

  it('each planted copy is found, with how it was moved', () => {
    const d = findDuplicates([...real, ...planted]);
    const pairs = d.map((p) => `${p.a}|${p.b}|${p.kind}`).sort();
    expect(pairs).toEqual(['3|3-mirrored|aligned', '5|5-rot90|aligned', '7-tile|7-tile-rot180|aligned', '9-tile-a|9-tile-b|aligned'].sort());
    const byB = new Map(d.map((p) => [p.b, p]));
    expect(byB.get('3-mirrored')!.transform).toBe('mirrored left-right');
    expect(byB.get('5-rot90')!.transform).toMatch(/rotated 90 degrees/);
    expect(byB.get('7-tile-rot180')!.transform).toBe('rotated 180 degrees');
    expect(byB.get('9-tile-b')!.transform).toBe('as is');
    expect(Math.abs(byB.get('9-tile-b')!.shift![0])).toBeGreaterThan(0);
    for (const p of d) expect(p.correlation).toBeGreaterThanOrEqual(0.95);
  });

  it('a split made by seglens keeps them together; a manifest that separates them is a critical leak naming the rotation', () => {
    const items = [...real, ...planted];
    const split = makeSplit(items, { val: 0.25, seed: 4, classNames: ['membrane', 'cell'], background: 1 });
    for (const [a, b] of [['3', '3-mirrored'], ['5', '5-rot90'], ['9-tile-a', '9-tile-b']]) {
      const side = (n: string) => (split.train.includes(n) ? 'train' : split.val.includes(n) ? 'val' : 'test');
      expect(side(a)).toBe(side(b));
    }
    const m = toManifest(split, '2025-01-01T00:00:00.000Z');
    const all = [...m.train, ...m.val].filter((n) => n !== '5' && n !== '5-rot90');
    const edited = { ...m, train: [...all.slice(0, 12), '5'], val: [...all.slice(12), '5-rot90'], test: [] };
    const leak = runAudit({ split: checkManifest(edited, items) }).filter((f) => f.id === 'split-leakage' && f.severity === 'critical');
    expect(leak).toHaveLength(1);
    expect(leak[0].images).toEqual(expect.arrayContaining(['5', '5-rot90']));
    expect(leak[0].evidence.alignedPairs).toBeGreaterThanOrEqual(1);
    expect(leak[0].message).toMatch(/5 \(train\) and 5-rot90 \(val\) are the same image rotated 90 degrees/);
  });
});

describe.skipIf(missing(DROSOPHILA, 'aligned duplicates on Drosophila VNC'))('Drosophila VNC: serial sections stay apart, a transposed copy is found', () => {
  it('finds the copy and nothing else', async () => {
    const names = readdirSync(join(DROSOPHILA, 'images')).sort();
    const real = await Promise.all(names.map((f) => item(f.replace('.tif', ''), join(DROSOPHILA, 'images', f))));
    await sharp(join(DROSOPHILA, 'images', names[4])).rotate(270).flop().extract({ left: 20, top: 0, width: 1004, height: 1024 }).resize(1024, 1024).toFile(join(tmp, 'v-copy.png'));
    const d = findDuplicates([...real, await item('v-copy', join(tmp, 'v-copy.png'))]);
    expect(d.map((p) => [p.a, p.b, p.kind])).toEqual([['04', 'v-copy', 'aligned']]);
  });
});

describe.skipIf(missing(DAPI, 'aligned duplicates on DAPI nuclei'))('DAPI nuclei (16-bit): fields of view', () => {
  it('no two of the 41 fields are paired; a mirrored copy of one is', async () => {
    const names = readdirSync(join(DAPI, 'images')).sort();
    const real = await Promise.all(names.map((f) => item(f.replace('.tif', ''), join(DAPI, 'images', f))));
    expect(findDuplicates(real)).toEqual([]);
    await sharp(join(DAPI, 'images', 'heart_40x_air_2.tif')).flip().toFile(join(tmp, 'heart-flipped.tif'));
    const d = findDuplicates([...real, await item('heart-flipped', join(tmp, 'heart-flipped.tif'))]);
    expect(d.map((p) => [p.a, p.b, p.transform])).toEqual([['heart-flipped', 'heart_40x_air_2', 'mirrored top-bottom']]);
  });
});
