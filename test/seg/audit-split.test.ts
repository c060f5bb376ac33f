// Split findings from the split module's own problems, on real data with the failure planted: an
// ISBI 2012 slice duplicated (a file copy and a JPEG re-encoding written with sharp)
// and put on both sides of a split; Drosophila VNC masks with glia removed from the validation
// images and mitochondria from most training images. The untouched sets raise nothing.
import { readdirSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backgroundId } from '../../src/seg/classes.ts';
import { classPixelCounts } from '../../src/seg/dataset/index.ts';
import { checkManifest, fingerprintFile, makeSplit, toManifest } from '../../src/seg/split/index.ts';
import type { SplitItem } from '../../src/seg/split/index.ts';
import type { Problem } from '../../src/seg/problems.ts';
import { runAudit, splitFindings } from '../../src/seg/audit/index.ts';
import { DROSOPHILA, ISBI, missing, readMasks, table } from './audit-fixtures.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-audit-split-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(missing(ISBI, 'split-leakage on ISBI 2012'))('split-leakage on ISBI 2012 slices', () => {
  let items: SplitItem[];
  beforeAll(async () => {
    const t = await table('isbi2012-membranes');
    const masks = await readMasks(join(ISBI, 'masks'), t);
    const names = readdirSync(join(ISBI, 'images')).filter((f) => f.endsWith('.png'));
    const byName = new Map(masks.map((m) => [m.name, m.labels]));
    items = await Promise.all(
      names.map(async (f) => {
        const stem = f.replace(/\.png$/, '');
        return { name: stem, classPixels: classPixelCounts(byName.get(stem)!, 2), fingerprint: await fingerprintFile(join(ISBI, 'images', f)) };
      }),
    );
    // Plant: slice 3 copied under another name, and re-encoded as a grey JPEG, each with slice 3's mask.
    await copyFile(join(ISBI, 'images', '3.png'), join(tmp, 'copy-of-3.png'));
    await sharp(join(ISBI, 'images', '3.png')).grayscale().jpeg({ quality: 85 }).toFile(join(tmp, 'jpeg-of-3.jpg'));
    const mask3 = items.find((i) => i.name === '3')!.classPixels;
    items.push({ name: 'copy-of-3', classPixels: mask3, fingerprint: await fingerprintFile(join(tmp, 'copy-of-3.png')) });
    items.push({ name: 'jpeg-of-3', classPixels: mask3, fingerprint: await fingerprintFile(join(tmp, 'jpeg-of-3.jpg')) });
  });

  it('the real slices alone: a new split raises nothing', () => {
    const real = items.filter((i) => !i.name.includes('of-3'));
    const split = makeSplit(real, { val: 0.2, seed: 1, classNames: ['membrane', 'cell'], background: 1 });
    expect(split.duplicates).toEqual([]);
    expect(splitFindings(split.report.warnings)).toEqual([]);
    expect(runAudit({ split: split.report })).toEqual([]);
  });

  it('copies across train and val: one critical split-leakage naming both copies', () => {
    const split = makeSplit(items, { val: 0.2, seed: 1, classNames: ['membrane', 'cell'], background: 1 });
    const m = toManifest(split, '2025-01-01T00:00:00.000Z');
    // The user's own manifest: the original in train, both copies in val.
    const train = [...m.train, ...m.val, ...m.test].filter((n) => !n.includes('of-3'));
    const val = train.splice(train.length - 5, 5).filter((n) => n !== '3');
    if (!train.includes('3')) train.push('3');
    const edited = { ...m, train, val: [...val, 'copy-of-3', 'jpeg-of-3'], test: [] };
    const check = checkManifest(edited, items);
    const findings = runAudit({ split: check });
    const leak = findings.filter((f) => f.id === 'split-leakage');
    expect(leak).toHaveLength(1);
    expect(leak[0].severity).toBe('critical');
    expect(leak[0].images).toEqual(expect.arrayContaining(['3', 'copy-of-3', 'jpeg-of-3']));
    expect(leak[0].evidence).toMatchObject({ exactPairs: 1, acrossSplits: true });
    expect(leak[0].evidence.pairs as number).toBeGreaterThanOrEqual(2);
    expect(findings[0].id).toBe('split-leakage'); // critical first
  });

  it('a split made by seglens keeps the copies together: info only, nothing leaks', () => {
    const split = makeSplit(items, { val: 0.2, seed: 1, classNames: ['membrane', 'cell'], background: 1 });
    const leak = splitFindings(split.report.warnings).filter((f) => f.id === 'split-leakage');
    expect(leak).toHaveLength(1);
    expect(leak[0]).toMatchObject({ severity: 'info', evidence: { acrossSplits: false } });
  });
});

describe.skipIf(missing(DROSOPHILA, 'class-missing-in-split on Drosophila VNC'))('class-missing-in-split and split-imbalance on Drosophila VNC', () => {
  it('glia removed from the val masks and mitochondria from most train masks are both named', async () => {
    const t = await table('drosophila-vnc');
    const bg = backgroundId(t);
    const id = (n: string) => t.classes.findIndex((c) => c.name === n);
    const masks = await readMasks(join(DROSOPHILA, 'masks'), t);
    const val = new Set(masks.slice(7).map((m) => m.name));
    const items: SplitItem[] = masks.map((m, i) => {
      const data = m.labels.data.slice();
      for (let p = 0; p < data.length; p++) {
        if (val.has(m.name) && data[p] === id('glia')) data[p] = bg;
        if (!val.has(m.name) && i > 0 && data[p] === id('mitochondria')) data[p] = bg;
      }
      return { name: m.name, classPixels: classPixelCounts({ ...m.labels, data }, t.classes.length) };
    });
    const names = t.classes.map((c) => c.name);
    const base = toManifest(makeSplit(items, { val: 0.3, seed: 2, classNames: names, background: bg }), '2025-01-01T00:00:00.000Z');
    const manifest = { ...base, train: masks.slice(0, 7).map((m) => m.name), val: [...val], test: [] };
    const findings = runAudit({ split: checkManifest(manifest, items) });
    const missingGlia = findings.find((f) => f.id === 'class-missing-in-split');
    expect(missingGlia).toMatchObject({ severity: 'warning', evidence: { class: 'glia', split: 'val' } });
    const imbalance = findings.find((f) => f.id === 'split-imbalance');
    expect(imbalance).toMatchObject({ severity: 'warning', evidence: { class: 'mitochondria', split: 'val' } });
    expect(imbalance!.evidence.ratio as number).toBeGreaterThan(2);

    // The same images unmodified, same manifest: nothing.
    const clean = masks.map((m) => ({ name: m.name, classPixels: classPixelCounts(m.labels, t.classes.length) }));
    expect(runAudit({ split: checkManifest(manifest, clean) })).toEqual([]);
  });
});

describe('split problems mapping', () => {
  const p = (code: Problem['code'], severity: Problem['severity'], details: Record<string, unknown>): Problem => ({
    code,
    severity,
    file: 'split.json',
    message: `${code} message`,
    hint: `${code} hint`,
    details,
  });

  it('a class missing from train is critical, from val a warning; other codes are ignored', () => {
    const f = splitFindings([
      p('class-missing-in-split', 'warning', { class: 'synapse', classId: 3, split: 'train', imagesWithClass: 1 }),
      p('class-missing-in-split', 'warning', { class: 'glia', classId: 4, split: 'val', imagesWithClass: 5 }),
      p('mask-interpolated', 'error', {}),
    ]);
    expect(f.map((x) => [x.id, x.severity, x.evidence.class])).toEqual([
      ['class-missing-in-split', 'critical', 'synapse'],
      ['class-missing-in-split', 'warning', 'glia'],
    ]);
    expect(f[0].message).toBe('class-missing-in-split message');
    expect(f[0].action).toBe('class-missing-in-split hint');
  });

  it('a group cut across splits is a leak naming the group members', () => {
    const f = splitFindings([p('split-leakage', 'error', { group: 'slide1', splits: { train: ['slide1_a'], val: ['slide1_b'] } })]);
    expect(f[0]).toMatchObject({ id: 'split-leakage', severity: 'critical', images: ['slide1_a', 'slide1_b'], evidence: { cutGroups: 1 } });
  });
});
