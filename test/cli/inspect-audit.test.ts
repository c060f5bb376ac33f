// Issue 4 acceptance, inspect side: on a copy of the Drosophila set paired off by one in sorted
// order `seglens inspect` reports pairing-suspect; with masks resized down and up bilinearly it
// reports mask-interpolated; the correct pairing raises neither.
import { mkdir, mkdtemp, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { json, seglens } from '../helpers/cli.ts';
import { fileProblems } from '../helpers/inspect-json.ts';
import type { InspectFindingJson } from '../helpers/inspect-json.ts';
import { DATA, skipWithoutData, TABLES } from '../helpers/paths.ts';

const DRO = join(DATA, 'drosophila-vnc');
const TABLE = join(TABLES, 'drosophila-vnc.json');

interface Report {
  findings: InspectFindingJson[];
  blocking: boolean;
}

describe.skipIf(skipWithoutData('inspect audit on real data'))('seglens inspect finds pairing and resizing errors', () => {
  let shifted: string;
  let resized: string;
  beforeAll(async () => {
    const images = (await readdir(join(DRO, 'images'))).sort();
    const masks = (await readdir(join(DRO, 'masks'))).sort();
    // Off by one: the first mask is missing, so sorted pairing gives image i the mask of slice i+1.
    shifted = await mkdtemp(join(tmpdir(), 'seglens-shifted-'));
    await mkdir(join(shifted, 'images'));
    await mkdir(join(shifted, 'masks'));
    for (const f of images.slice(0, -1)) await symlink(join(DRO, 'images', f), join(shifted, 'images', f));
    for (const f of masks.slice(1)) await symlink(join(DRO, 'masks', f), join(shifted, 'masks', f));
    // Resized: every mask shrunk to half and enlarged back with bilinear interpolation.
    resized = await mkdtemp(join(tmpdir(), 'seglens-resized-'));
    await mkdir(join(resized, 'images'));
    await mkdir(join(resized, 'masks'));
    for (const f of images.slice(0, 3)) await symlink(join(DRO, 'images', f), join(resized, 'images', f));
    for (const f of masks.slice(0, 3)) {
      const half = await sharp(join(DRO, 'masks', f)).resize(512, 512, { kernel: 'linear' }).toColourspace('b-w').png().toBuffer();
      await sharp(half).resize(1024, 1024, { kernel: 'linear' }).toColourspace('b-w').png().toFile(join(resized, 'masks', f));
    }
  });

  it('off-by-one sorted pairing -> pairing-suspect on the shifted images, exit 1', async () => {
    const r = await seglens(['inspect', shifted, '--pair', 'sorted', '--classes', TABLE, '--json']);
    const rep = json<Report>(r);
    const f = rep.findings.find((x) => x.id === 'pairing-suspect');
    expect(f, JSON.stringify(rep.findings)).toBeDefined();
    expect(f!.images.length).toBeGreaterThanOrEqual(7);
    expect(rep.blocking).toBe(true);
    expect(r.code).toBe(1);
    const text = await seglens(['inspect', shifted, '--pair', 'sorted', '--classes', TABLE]);
    expect(text.stdout).toMatch(/pairing-suspect/);
  });

  it('masks resized bilinearly -> mask-interpolated', async () => {
    const r = await seglens(['inspect', resized, '--pair', 'sorted', '--classes', TABLE, '--json']);
    const rep = json<Report>(r);
    expect(fileProblems(rep.findings).filter((p) => p.id === 'mask-interpolated')).toHaveLength(3);
    expect(r.code).toBe(1);
  });

  it('the correct pairing raises neither', async () => {
    const r = await seglens(['inspect', DRO, '--pair', 'sorted', '--classes', TABLE, '--json']);
    const rep = json<Report>(r);
    expect(rep.findings).toEqual([]);
    expect(r.code).toBe(0);
  });
});
