// Mask findings from `inspect`, on a small copy of the ISBI 2012 set: two masks resized down and up
// again with bilinear interpolation (sharp), one with a painted block of a value the class table
// does not know. Detection is the existing one (interpolation.ts, masks.ts via inspectDataset);
// the audit must name the right masks, by image, with the numbers. The untouched copy: nothing.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectDataset, openDataset } from '../../src/seg/dataset/index.ts';
import { ISBI, missing, table } from './audit-fixtures.ts';

const NAMES = ['0', '1', '2', '3', '4'];
const MASK_IDS = new Set(['mask-unknown-values', 'mask-interpolated', 'lossy-mask']);
let tmp: string;

async function project(name: string, plant: (mask: string, stem: string) => Promise<void>): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(join(dir, 'images'), { recursive: true });
  await mkdir(join(dir, 'masks'), { recursive: true });
  for (const n of NAMES) {
    await copyFile(join(ISBI, 'images', `${n}.png`), join(dir, 'images', `${n}.png`));
    await plant(join(dir, 'masks', `${n}.png`), n);
  }
  return dir;
}

const copy = (mask: string, stem: string) => copyFile(join(ISBI, 'masks', `${stem}.png`), mask);

async function inspect(dir: string) {
  return inspectDataset(await openDataset(dir, { classes: await table('isbi2012-membranes') }));
}

describe.skipIf(missing(ISBI, 'mask findings on ISBI 2012'))('mask-interpolated and mask-unknown-values from inspect', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'seglens-audit-masks-'));
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('the untouched masks raise nothing', async () => {
    const report = await inspect(await project('clean', copy));
    // No data problem at all (none of the findings names a file), and so no mask finding.
    expect(report.findings.filter((f) => f.files?.length)).toEqual([]);
    expect(report.findings.filter((f) => MASK_IDS.has(f.id))).toEqual([]);
  });

  it('masks resized 512 -> 256 -> 512 bilinearly are mask-interpolated; a painted unknown value is mask-unknown-values', async () => {
    const dir = await project('planted', async (mask, stem) => {
      const src = join(ISBI, 'masks', `${stem}.png`);
      if (stem === '1' || stem === '3') {
        const small = await sharp(src).grayscale().resize(256, 256, { kernel: 'linear' }).png().toBuffer();
        await sharp(small).resize(512, 512, { kernel: 'linear' }).grayscale().png().toFile(mask);
      } else if (stem === '4') {
        const { data, info } = await sharp(src).grayscale().raw().toBuffer({ resolveWithObject: true });
        for (let y = 100; y < 140; y++) for (let x = 200; x < 240; x++) data[y * info.width + x] = 77;
        await sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).png().toFile(mask);
      } else await copy(mask, stem);
    });
    const report = await inspect(dir);
    // Inspect shows its mask problems as the audit's findings, one per kind, masks named by image.
    const findings = report.findings.filter((f) => MASK_IDS.has(f.id));
    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      ['mask-unknown-values', 'critical'],
      ['mask-interpolated', 'critical'],
    ]);
    const interp = findings.find((f) => f.id === 'mask-interpolated')!;
    expect([...interp.images].sort()).toEqual(['1', '3']);
    expect(interp.evidence).toMatchObject({ masks: 2, masksChecked: 5 });
    // Worst first: the mask with more in-between pixels leads, and the message names it.
    const px = interp.perImage!.map((p) => p.evidence.pixels as number);
    expect(px[0]).toBeGreaterThanOrEqual(px[1]);
    expect(interp.message).toContain(interp.perImage![0].evidence.mask as string);
    expect(interp.evidence.pixels).toBe(px[0] + px[1]);
    const unknown = findings.find((f) => f.id === 'mask-unknown-values')!;
    expect(unknown.images).toEqual(['4']);
    expect(unknown.evidence.pixels).toBe(40 * 40);
    expect(unknown.perImage![0].evidence.values).toBe('77');
    expect(unknown.files).toEqual(['masks/4.png']);
    // A critical mask finding about images the project does not exclude blocks training.
    expect(unknown.blocking).toBe(true);
    expect(report.blocking).toBe(true);
  });
});
