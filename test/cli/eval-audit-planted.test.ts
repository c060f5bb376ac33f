// `seglens eval --audit` on real masks from ../shared/data copied to a temp folder, with failures
// planted in predictions written as PNG the way a user's pipeline writes them: a class never
// predicted ("no findings" before issue 12), predictions a few pixels too wide, and ground truth
// stored as instance label images or as one binary mask per object (--mask-format).
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backgroundId } from '../../src/seg/classes.ts';
import { readRawMask } from '../../src/seg/image-io.ts';
import { writeLabelMask } from '../../src/seg/mask-write.ts';
import { DAPI, DROSOPHILA, ISBI, TABLES, dilate, missing, readMasks, replaced, table } from '../seg/audit-fixtures.ts';
import { json, seglens } from '../helpers/cli.ts';
import { testGate } from '../helpers/gate.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-eval-planted-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

interface EvalJson {
  findings: { id: string; severity: string; evidence: Record<string, unknown>; images: string[]; files?: string[] }[];
  classes: { name: string; dice: number | null }[];
}

describe.skipIf(missing(DROSOPHILA, 'eval --audit on Drosophila copies'))('a class never predicted (Drosophila VNC)', () => {
  it('says so, critical, where it used to say "no findings"; a clean copy raises nothing', async () => {
    const t = await table('drosophila-vnc');
    const mito = t.classes.findIndex((c) => c.name === 'mitochondria');
    const gt = await readMasks(join(DROSOPHILA, 'masks'), t, 3);
    const dirs = { gt: join(tmp, 'd-gt'), never: join(tmp, 'd-never'), clean: join(tmp, 'd-clean') };
    for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
    for (const g of gt) {
      await copyFile(join(DROSOPHILA, 'masks', `${g.name}.png`), join(dirs.gt, `${g.name}.png`));
      await copyFile(join(DROSOPHILA, 'masks', `${g.name}.png`), join(dirs.clean, `${g.name}.png`));
      await writeLabelMask(await testGate(tmp), join(dirs.never, `${g.name}.png`), replaced(g.labels, mito, backgroundId(t)), t);
    }
    const classes = join(TABLES, 'drosophila-vnc.json');
    const r = await seglens(['eval', '--gt', dirs.gt, '--pred', dirs.never, '--classes', classes, '--audit', '--json']);
    expect(r.code).toBe(0);
    const out = json<EvalJson>(r);
    expect(out.findings.map((f) => f.id)).toEqual(['class-never-predicted']);
    expect(out.findings[0]).toMatchObject({ severity: 'critical', evidence: { class: 'mitochondria', predPixels: 0 } });
    expect(out.findings[0].images).toHaveLength(3);
    const text = await seglens(['eval', '--gt', dirs.gt, '--pred', dirs.never, '--classes', classes, '--audit']);
    expect(text.stdout).toMatch(/CRITICAL \[class-never-predicted\] Class "mitochondria" is never predicted/);
    expect(text.stdout).not.toContain('no findings');
    const clean = await seglens(['eval', '--gt', dirs.gt, '--pred', dirs.clean, '--classes', classes, '--audit']);
    expect(clean.stdout).toContain('Audit: no findings');
  });
});

describe.skipIf(missing(ISBI, 'eval --audit on ISBI copies'))('predictions too wide (ISBI 2012 membranes)', () => {
  it('segmentation-bias with the width and direction, in JSON and in the text', async () => {
    const t = await table('isbi2012-membranes');
    const membrane = t.classes.findIndex((c) => c.name === 'membrane');
    const gt = await readMasks(join(ISBI, 'masks'), t, 4);
    const dirs = { gt: join(tmp, 'i-gt'), wide: join(tmp, 'i-wide') };
    for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
    for (const g of gt) {
      await copyFile(join(ISBI, 'masks', `${g.name}.png`), join(dirs.gt, `${g.name}.png`));
      await writeLabelMask(await testGate(tmp), join(dirs.wide, `${g.name}.png`), dilate(g.labels, membrane, backgroundId(t), 2), t);
    }
    const classes = join(TABLES, 'isbi2012-membranes.json');
    const out = json<EvalJson>(await seglens(['eval', '--gt', dirs.gt, '--pred', dirs.wide, '--classes', classes, '--audit', '--json']));
    const bias = out.findings.filter((f) => f.id === 'segmentation-bias');
    expect(bias).toHaveLength(1);
    expect(bias[0].evidence).toMatchObject({ class: 'membrane', direction: 'over' });
    expect(bias[0].evidence.widthPx as number).toBeGreaterThan(1.5);
    const text = await seglens(['eval', '--gt', dirs.gt, '--pred', dirs.wide, '--classes', classes, '--audit']);
    expect(text.stdout).toMatch(/WARNING \[segmentation-bias\] "membrane" predicted too wide along its edges/);
    expect(text.stdout).toMatch(/about 1\.\d px outside its true edges/);
  });
});

describe.skipIf(missing(DAPI, 'eval --mask-format on DAPI copies'))('--mask-format (DAPI nuclei)', () => {
  const names = ['bone_40x_oil_1', 'bone_40x_oil_4', 'heart_63x_oil_4'];
  const classes = join(TABLES, 'dapi16-nuclei.json');

  it('instance label images as ground truth against 0/255 label predictions: the same nuclei, Dice 1', async () => {
    const dirs = { inst: join(tmp, 'inst'), label: join(tmp, 'label') };
    for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
    for (const n of names) {
      await copyFile(join(DAPI, 'masks_instance', `${n}.tif`), join(dirs.inst, `${n}.tif`));
      await copyFile(join(DAPI, 'masks', `${n}.png`), join(dirs.label, `${n}.png`));
    }
    const r = await seglens(['eval', '--gt', dirs.inst, '--pred', dirs.label, '--classes', classes, '--mask-format', 'instance', '--pred-format', 'label', '--json']);
    expect(r.code).toBe(0);
    const out = json<EvalJson>(r);
    expect(out.classes.find((c) => c.name === 'nucleus')!.dice).toBe(1);
    expect(out.findings).toEqual([]);
    // Without --mask-format the 16-bit ids are no class values: refused with the reason, not scored.
    const plain = await seglens(['eval', '--gt', dirs.inst, '--pred', dirs.label, '--classes', classes, '--json']);
    const unknown = json<EvalJson>(plain).findings.find((f) => f.id === 'mask-unknown-values')!;
    expect(unknown.files!.length).toBeGreaterThan(0);
  });

  it('one binary mask per object, a folder per image: read as instances, overlaps left out', async () => {
    const gtDir = join(tmp, 'objects');
    const predDir = join(tmp, 'objects-pred');
    await mkdir(predDir, { recursive: true });
    for (const n of names) {
      const m = await readRawMask(join(DAPI, 'masks_instance', `${n}.tif`));
      const ids = [...new Set(m.data)].filter((v) => v !== 0);
      await mkdir(join(gtDir, n), { recursive: true });
      for (const id of ids) {
        const bin = Uint8Array.from(m.data, (v) => (v === id ? 255 : 0));
        await sharp(bin, { raw: { width: m.width, height: m.height, channels: 1 } }).png().toFile(join(gtDir, n, `nucleus_${id}.png`));
      }
      await copyFile(join(DAPI, 'masks', `${n}.png`), join(predDir, `${n}.png`));
    }
    expect((await readdir(join(gtDir, names[0]))).length).toBeGreaterThan(10);
    const r = await seglens(['eval', '--gt', gtDir, '--pred', predDir, '--classes', classes, '--mask-format', 'objects', '--pred-format', 'label', '--audit', '--json']);
    expect(r.code).toBe(0);
    const out = json<EvalJson>(r);
    expect(out.classes.find((c) => c.name === 'nucleus')!.dice).toBe(1);
    expect(out.findings).toEqual([]);
    // A folder where the user asked for files: the message names the option.
    const wrong = await seglens(['eval', '--gt', gtDir, '--pred', predDir, '--classes', classes]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--mask-format objects/);
  });
});
