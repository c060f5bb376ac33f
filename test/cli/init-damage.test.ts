// `seglens init` and `inspect` on copies of the real data with masks damaged the way users damage
// them (saved as JPEG, resized with bilinear interpolation), and on instance masks damaged the same
// way. init never moves damage into "ignore" on its own: it reports it and exits 1; with
// --accept-damaged the values go to ignore, and inspect then shows how much is ignored, per image
// and along which class. Clean copies raise nothing and print "none" for the ignored share.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { DAPI, DROSOPHILA, ISBI, missing } from '../seg/audit-fixtures.ts';
import { resizeGreyFile, saveAsJpeg } from '../seg/plant.ts';
import { json, seglens } from '../helpers/cli.ts';
import { fileProblems } from '../helpers/inspect-json.ts';
import type { InspectFindingJson } from '../helpers/inspect-json.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-init-damage-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

interface InitJson {
  project: { classes: { classes: { values: number[] }[]; ignore: number[] } };
  problems: { code: string; severity: string; message: string }[];
  proposal: { damage?: { values: number[]; accepted: boolean; fraction: number } };
}
interface InspectJson {
  findings: InspectFindingJson[];
  ignored: { share: number; ignored: number };
  blocking: boolean;
}

async function project(name: string, files: { image: string; mask: string; maskOut?: string }[], plant: (src: string, out: string) => Promise<void>): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(join(dir, 'images'), { recursive: true });
  await mkdir(join(dir, 'masks'), { recursive: true });
  for (const f of files) {
    const base = f.image.split('/').pop()!;
    await copyFile(f.image, join(dir, 'images', base));
    await plant(f.mask, join(dir, 'masks', f.maskOut ?? f.mask.split('/').pop()!));
  }
  return dir;
}

const stemOf = (f: string) => f.replace(/\.[^.]+$/, '');

describe.skipIf(missing(ISBI, 'init on JPEG-saved ISBI masks'))('masks saved as JPEG (ISBI 2012)', () => {
  let jpeg: string;
  beforeAll(async () => {
    const names = (await readdir(join(ISBI, 'masks'))).sort().slice(0, 6);
    jpeg = await project(
      'isbi-jpeg',
      names.map((n) => ({ image: join(ISBI, 'images', n), mask: join(ISBI, 'masks', n), maskOut: `${stemOf(n)}.jpg` })),
      saveAsJpeg,
    );
  });

  it('init reports the damage, keeps 0 and 255 as the classes, ignores nothing, and exits 1', async () => {
    const r = await seglens(['init', jpeg, '--json']);
    expect(r.code).toBe(1);
    const out = json<InitJson>(r);
    expect(out.project.classes.classes.map((c) => c.values[0])).toEqual([0, 255]);
    expect(out.project.classes.ignore).toEqual([]);
    expect(out.proposal.damage).toMatchObject({ accepted: false });
    expect(out.proposal.damage!.values.length).toBeGreaterThan(10);
    expect(out.problems).toContainEqual(expect.objectContaining({ code: 'lossy-mask', severity: 'error' }));
    const text = await seglens(['init', jpeg, '--force']);
    expect(text.stdout).toMatch(/DAMAGED MASKS: 6 mask\(s\) are stored as JPEG/);
    expect(text.stdout).toContain('--accept-damaged');
  });

  it('inspect then blocks, naming each JPEG mask, and prints the unlabelled share', async () => {
    await seglens(['init', jpeg, '--force']);
    const r = await seglens(['inspect', jpeg]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/CRITICAL \[lossy-mask\] Masks stored as JPEG/);
    expect(r.stdout.match(/^ +masks\/\S+\.jpg: The mask is stored as JPEG, a lossy format: \d+ pixels/gm)).toHaveLength(6);
    expect(r.stdout).toMatch(/Unlabelled \/ ignored pixels: \d+\.\d % of all pixels/);
    expect(r.stdout).toContain('NOT READY FOR TRAINING');
  });

  it('with --accept-damaged the values go to ignore; inspect says how much is ignored, per image and along which class', async () => {
    const init = await seglens(['init', jpeg, '--force', '--accept-damaged', '--json']);
    expect(init.code).toBe(0);
    const out = json<InitJson>(init);
    expect(out.project.classes.ignore.length).toBeGreaterThan(10);
    expect(out.problems).toContainEqual(expect.objectContaining({ code: 'lossy-mask', severity: 'warning' }));
    const r = await seglens(['inspect', jpeg, '--json']);
    const rep = json<InspectJson>(r);
    expect(rep.ignored.share).toBeGreaterThan(0.05);
    const f = rep.findings.find((x) => x.id === 'ignored-share')!;
    expect(f.images).toHaveLength(6);
    expect(String(f.evidence.classesAffected)).toContain('value_0');
    const text = await seglens(['inspect', jpeg]);
    expect(text.stdout).toMatch(/Unlabelled \/ ignored pixels: 1\d\.\d % of all pixels/);
    expect(text.stdout).toMatch(/WARNING \[ignored-share\] Much of the ground truth is unlabelled/);
    expect(text.stdout).toMatch(/WARNING \[lossy-mask\] Masks stored as JPEG/);
    expect(text.stdout).toMatch(/masks\/\S+\.jpg: The mask is stored as JPEG[^\n]*\n?[^\n]*hold\s+values\s+the\s+class\s+table\s+ignores/);
    // "Ready" no longer hides how much is left out.
    expect(text.stdout).toMatch(/Ready for training \(\d+ warnings to read; 1\d\.\d+ % of the pixels are unlabelled and take no part\)\./);
  });

  it('a clean copy: no damage, nothing ignored, "none" printed', async () => {
    const names = (await readdir(join(ISBI, 'masks'))).sort().slice(0, 4);
    const clean = await project('isbi-clean', names.map((n) => ({ image: join(ISBI, 'images', n), mask: join(ISBI, 'masks', n) })), copyFile);
    const init = await seglens(['init', clean, '--json']);
    expect(init.code).toBe(0);
    expect(json<InitJson>(init).proposal.damage).toBeUndefined();
    const r = await seglens(['inspect', clean]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Unlabelled / ignored pixels: none');
    expect(r.stdout).not.toContain('ignored-share');
  });
});

describe.skipIf(missing(DROSOPHILA, 'init on resized Drosophila masks'))('masks resized with bilinear interpolation (Drosophila VNC)', () => {
  it('init keeps the 9 real grey values (every membrane shade) as classes and reports the residue as damage', async () => {
    const imgs = (await readdir(join(DROSOPHILA, 'images'))).sort().slice(0, 3);
    const masks = (await readdir(join(DROSOPHILA, 'masks'))).sort().slice(0, 3);
    const dir = join(tmp, 'dros-resized');
    await mkdir(join(dir, 'images'), { recursive: true });
    await mkdir(join(dir, 'masks'), { recursive: true });
    for (let i = 0; i < 3; i++) {
      await resizeGreyFile(join(DROSOPHILA, 'images', imgs[i]), join(dir, 'images', imgs[i]), 0.5, 'image');
      await resizeGreyFile(join(DROSOPHILA, 'masks', masks[i]), join(dir, 'masks', masks[i]), 0.5, 'mask');
    }
    const r = await seglens(['init', dir, '--json']);
    expect(r.code).toBe(1);
    const out = json<InitJson>(r);
    expect(out.project.classes.classes.map((c) => c.values[0])).toEqual([0, 32, 64, 96, 128, 159, 191, 223, 255]);
    expect(out.project.classes.ignore).toEqual([]);
    expect(out.problems).toContainEqual(expect.objectContaining({ code: 'mask-interpolated', severity: 'error' }));
    // The shipped class table sees the same damage: inspect blocks on mask-interpolated.
    const ins = await seglens(['inspect', dir, '--classes', join('assets', 'class-tables', 'drosophila-vnc.json'), '--json']);
    const rep = json<InspectJson>(ins);
    expect(rep.blocking).toBe(true);
    expect(fileProblems(rep.findings).filter((p) => p.id === 'mask-interpolated')).toHaveLength(3);
    // Accepted, the damage is a quarter or so of the pixels, and inspect says so.
    await seglens(['init', dir, '--force', '--accept-damaged']);
    const acc = json<InspectJson>(await seglens(['inspect', dir, '--json']));
    expect(acc.ignored.share).toBeGreaterThan(0.05);
    expect(String(acc.findings.find((f) => f.id === 'ignored-share')!.evidence.classesAffected)).toMatch(/value_\d+/);
  });
});

describe.skipIf(missing(DAPI, 'instance masks damaged (DAPI)'))('instance masks resized or saved as JPEG (DAPI nuclei)', () => {
  const names = ['bone_40x_air_3', 'heart_40x_air_1', 'kidney_40x_air_2', 'kidney_63x_oil_2'];
  const projectFile = (boundary: boolean) =>
    JSON.stringify({
      version: 2,
      images: 'images',
      masks: 'masks',
      maskFormat: { kind: 'instance', className: 'nucleus', ...(boundary ? { boundaryClass: 'boundary' } : {}) },
      classes: {
        classes: [
          { name: 'background', values: [0], color: '#000000' },
          { name: 'nucleus', values: [1], color: '#3cb44b' },
          ...(boundary ? [{ name: 'boundary', values: [2], color: '#e6194b' }] : []),
        ],
        background: 'background',
        ignore: [],
      },
    });

  async function instanceProject(name: string, how: 'resized' | 'jpeg' | 'clean', boundary: boolean): Promise<string> {
    const dir = join(tmp, name);
    await mkdir(join(dir, 'images'), { recursive: true });
    await mkdir(join(dir, 'masks'), { recursive: true });
    for (const n of names) {
      const img = join(DAPI, 'images', `${n}.tif`);
      const mask = join(DAPI, 'masks_instance', `${n}.tif`);
      if (how === 'resized') {
        await resizeGreyFile(img, join(dir, 'images', `${n}.tif`), 0.7, 'image');
        await resizeGreyFile(mask, join(dir, 'masks', `${n}.tif`), 0.7, 'mask');
      } else {
        await copyFile(img, join(dir, 'images', `${n}.tif`));
        if (how === 'jpeg') await saveAsJpeg(mask, join(dir, 'masks', `${n}.jpg`));
        else await copyFile(mask, join(dir, 'masks', `${n}.tif`));
      }
    }
    await writeFile(join(dir, 'seglens.json'), projectFile(boundary));
    return dir;
  }

  it('resized with a boundary class: mask-interpolated on every mask, saying the boundary class grows; no pairing-suspect', async () => {
    const dir = await instanceProject('inst-resized', 'resized', true);
    const r = await seglens(['inspect', dir, '--json']);
    expect(r.code).toBe(1);
    const rep = json<InspectJson>(r);
    const interp = fileProblems(rep.findings).filter((p) => p.id === 'mask-interpolated');
    expect(interp).toHaveLength(names.length);
    expect(interp[0].message).toMatch(/boundary class "boundary" grows around every object/);
    expect(rep.findings.map((f) => f.id)).not.toContain('pairing-suspect');
  });

  it('resized without a boundary class: the cause is named (interpolation), not a pairing', async () => {
    const dir = await instanceProject('inst-resized-nb', 'resized', false);
    const rep = json<InspectJson>(await seglens(['inspect', dir, '--json']));
    expect(fileProblems(rep.findings).filter((p) => p.id === 'mask-interpolated')).toHaveLength(names.length);
    expect(rep.findings.map((f) => f.id)).not.toContain('pairing-suspect');
  });

  it('saved as JPEG: lossy-mask on every mask', async () => {
    const dir = await instanceProject('inst-jpeg', 'jpeg', true);
    const rep = json<InspectJson>(await seglens(['inspect', dir, '--json']));
    expect(fileProblems(rep.findings).filter((p) => p.id === 'lossy-mask' && p.severity === 'critical' && p.blocking)).toHaveLength(names.length);
  });

  it('the clean instance masks: ready, nothing damaged', async () => {
    const dir = await instanceProject('inst-clean', 'clean', true);
    const r = await seglens(['inspect', dir, '--json']);
    expect(r.code).toBe(0);
    const rep = json<InspectJson>(r);
    expect(rep.findings).toEqual([]);
  });
});

describe('the demo project', () => {
  it('demo masks saved as JPEG: init reports the damage and ignores nothing', async () => {
    const demo = join(tmp, 'demo');
    await generateDemoProject(demo, { seed: 3, count: 6, size: 96, plantErrors: false });
    const dir = join(tmp, 'demo-jpeg');
    await mkdir(join(dir, 'images'), { recursive: true });
    await mkdir(join(dir, 'masks'), { recursive: true });
    for (const f of await readdir(join(demo, 'images'))) await copyFile(join(demo, 'images', f), join(dir, 'images', f));
    // The demo stores class ids 0/1/2; users scale them for viewing before saving as JPEG.
    for (const f of await readdir(join(demo, 'masks'))) {
      const scaled = join(tmp, `scaled-${f}`);
      const buf = await readFile(join(demo, 'masks', f));
      const sharp = (await import('sharp')).default;
      await sharp(buf).linear(120, 0).png().toFile(scaled);
      await saveAsJpeg(scaled, join(dir, 'masks', `${stemOf(f)}.jpg`));
    }
    const r = await seglens(['init', dir, '--json']);
    expect(r.code).toBe(1);
    const out = json<InitJson>(r);
    expect(out.project.classes.classes.map((c) => c.values[0])).toEqual([0, 120, 240]);
    expect(out.project.classes.ignore).toEqual([]);
    expect(out.problems.map((p) => p.code)).toContain('lossy-mask');
  });
});
