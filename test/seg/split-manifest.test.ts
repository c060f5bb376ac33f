// Split manifest: round trip through a real file, validation errors that name the field, and the
// check of a saved manifest against the project as it is now.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/seg/errors.ts';
import { checkManifest, fingerprint, groupKeysOf, makeSplit, readManifest, toManifest, writeManifest } from '../../src/seg/split/index.ts';
import type { SplitItem, SplitManifest } from '../../src/seg/split/index.ts';
import type { RawImage } from '../../src/seg/types.ts';
import { testGate } from '../helpers/gate.ts';

const CLASSES = ['bg', 'cell', 'rare'];

/** 20 images named slideK_N (5 slides); class `rare` in 4 of them. */
function project(): SplitItem[] {
  return Array.from({ length: 20 }, (_, i) => {
    const cell = 100 + ((i * 37) % 300);
    const rare = i % 5 === 2 ? 20 : 0;
    return { name: `slide${i % 5}_${i}.png`, classPixels: [1000 - cell - rare, cell, rare] };
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-manifest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const made = () => makeSplit(project(), { val: 0.2, test: 0.2, seed: 9, classNames: CLASSES });

async function writeJson(name: string, value: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(value));
  return file;
}

describe('manifest file', () => {
  it('round-trips through writeManifest / readManifest, atomically (no temporary file left)', async () => {
    const m = toManifest(made(), '2025-01-02T03:04:05.000Z');
    expect(m).toMatchObject({ version: 1, seed: 9, fractions: { val: 0.2, test: 0.2 }, groupPattern: null, classNames: CLASSES, background: 0 });
    expect(m.train.length + m.val.length + m.test.length).toBe(20);
    const file = join(dir, 'split.json');
    await writeManifest(await testGate(dir), file, m);
    expect(await readManifest(file)).toEqual(m);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(await readFile(file, 'utf8')).stats.train.images).toBe(m.train.length);
  });

  it('names the bad field when the manifest is not valid', async () => {
    const m = toManifest(made(), '2025-01-02T03:04:05.000Z');
    const bad = async (name: string, edit: (j: Record<string, unknown>) => void) => {
      const j = JSON.parse(JSON.stringify(m));
      edit(j);
      return readManifest(await writeJson(name, j)).then(
        () => 'accepted',
        (e: Error) => e,
      );
    };
    const e1 = await bad('f1.json', (j) => ((j.fractions as { val: number }).val = 1.5));
    expect(e1).toBeInstanceOf(ConfigError);
    expect(String((e1 as Error).message)).toMatch(/f1\.json is not valid:[\s\S]*fractions\.val:/);
    const e2 = await bad('f2.json', (j) => (j.val as string[]).push(m.train[0]));
    expect((e2 as Error).message).toMatch(new RegExp(`val\\.${m.val.length}: "${m.train[0]}" is already in train`));
    const e3 = await bad('f3.json', (j) => (j.created = 'yesterday'));
    expect((e3 as Error).message).toMatch(/created:/);
    const e4 = await bad('f4.json', (j) => delete j.duplicates);
    expect((e4 as Error).message).toMatch(/duplicates:/);
    const e5 = await bad('f5.json', (j) => ((j.stats as { val: { pixels: number[] } }).val.pixels[0] = -1));
    expect((e5 as Error).message).toMatch(/stats\.val\.pixels\.0:/);
    const e6 = await bad('f6.json', (j) => (j.version = 2));
    expect((e6 as Error).message).toMatch(/version 2 split manifest; this seglens reads version 1/);
    const e7 = await bad('f7.json', (j) => (j.background = 3));
    expect((e7 as Error).message).toMatch(/background: class id 3 is not one of the 3 classes/);
  });

  it('says what to do when the file is missing or not JSON', async () => {
    await expect(readManifest(join(dir, 'nope.json'))).rejects.toThrow(/Cannot read the split manifest .*nope\.json.*seglens split/);
    await writeFile(join(dir, 'broken.json'), '{"version": 1, "train": [');
    await expect(readManifest(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json is not JSON/);
  });

  it('writeManifest refuses to write an invalid manifest', async () => {
    const m = { ...toManifest(made()), seed: Number.NaN } as SplitManifest;
    await expect(writeManifest(await testGate(dir), join(dir, 'nan.json'), m)).rejects.toThrow(/seed/);
  });
});

describe('checkManifest', () => {
  it('accepts the manifest it was made from', () => {
    const m = toManifest(made());
    const check = checkManifest(m, project(), { source: 'split.json' });
    expect(check.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.report.splits.val.images).toBe(m.val.length);
  });

  it('blocks images added or removed since the split was made', () => {
    const m = toManifest(made());
    const items = project().filter((i) => i.name !== m.val[0]);
    items.push({ name: 'new.png', classPixels: [10, 0, 0] });
    const check = checkManifest(m, items, { source: 'split.json' });
    expect(check.ok).toBe(false);
    const mism = check.problems.filter((p) => p.code === 'split-manifest-mismatch');
    expect(mism.map((p) => p.message)).toEqual([
      '1 image(s) of the project are in no split: new.png.',
      `1 image(s) named in the manifest are not in the project: ${m.val[0]}.`,
    ]);
    expect(mism.every((p) => p.severity === 'error' && p.file === 'split.json')).toBe(true);
  });

  it('blocks a group cut across splits in a hand-edited manifest', async () => {
    const groups = await groupKeysOf(project().map((i) => i.name), '^(slide\\d)_');
    const r = makeSplit(project(), { val: 0.2, seed: 1, groups, classNames: CLASSES });
    const m = toManifest(r);
    expect(checkManifest(m, project(), { groups }).ok).toBe(true);
    const moved = m.train[0];
    const edited = { ...m, train: m.train.slice(1), val: [...m.val, moved] };
    const check = checkManifest(edited, project(), { groups });
    expect(check.ok).toBe(false);
    const leak = check.problems.find((p) => p.code === 'split-leakage')!;
    expect(leak.severity).toBe('error');
    expect(leak.message).toContain(`Group "${moved.split('_')[0]}"`);
    expect(leak.message).toContain(moved);
  });

  it('blocks duplicates on different sides, found from the current fingerprints', () => {
    const img = (v: number): RawImage => ({
      width: 32,
      height: 32,
      channels: 1,
      bitDepth: 8,
      data: Uint8Array.from({ length: 1024 }, (_, i) => ((i * v) % 97) + (i >> 5)),
    });
    const items = project().map((it, i) => ({ ...it, fingerprint: fingerprint(img(i + 3)) }));
    const m = toManifest(makeSplit(items, { val: 0.2, seed: 2, classNames: CLASSES }));
    expect(checkManifest(m, items).ok).toBe(true);
    // The user copies a training image into the project under a name the manifest puts in val.
    const victim = m.val[0];
    const copied = items.map((it) => (it.name === victim ? { ...it, fingerprint: items.find((x) => x.name === m.train[0])!.fingerprint } : it));
    const check = checkManifest(m, copied);
    expect(check.ok).toBe(false);
    const leak = check.problems.find((p) => p.code === 'split-leakage')!;
    expect(leak).toMatchObject({ severity: 'error', details: { kind: 'exact' } });
    expect(leak.message).toMatch(/the val score would be inflated by a copy of a training image/);
  });
});
