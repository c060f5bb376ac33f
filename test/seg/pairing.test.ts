// Pairing images with masks on real files (written with sharp): by stem, by sorted order, by an
// explicit list, per-class folders, and every problem case.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ConfigError } from '../../src/seg/errors.ts';
import { compareFileNames, naturalCompare, stemOf } from '../../src/seg/project/files.ts';
import { listPairs } from '../../src/seg/project/pairing.ts';
import type { PairingResult } from '../../src/seg/project/pairing.ts';
import type { Project } from '../../src/seg/project/schema.ts';
import { createProject } from '../../src/seg/project/load.ts';
import { testGate } from '../helpers/gate.ts';

const DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-pairing-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small real grey image file; the format follows the extension. */
async function img(rel: string, value = 0): Promise<void> {
  const file = join(dir, rel);
  await mkdir(dirname(file), { recursive: true });
  await sharp(Buffer.alloc(16, value), { raw: { width: 4, height: 4, channels: 1 } }).toFile(file);
}

const TABLE = {
  classes: [
    { name: 'bg', values: [0], color: '#000000' },
    { name: 'cell', values: [255], color: '#e6194b' },
  ],
  background: 'bg',
};

async function project(extra: Partial<Project> = {}): Promise<{ dir: string; project: Project }> {
  const { project } = await createProject(await testGate(dir), dir, { classes: TABLE, ...extra }, { force: true });
  return { dir, project };
}

const codes = (r: PairingResult) => r.problems.map((p) => `${p.severity}:${p.code}:${p.file}`).sort();
const names = (r: PairingResult) => r.pairs.map((p) => p.name);

async function configError(p: Promise<unknown>): Promise<ConfigError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return e as ConfigError;
}

describe('natural sort and stems', () => {
  it('orders digit runs by value, independent of the locale', () => {
    const sorted = ['10.png', '2.png', '1.png', 'a10b.png', 'a9b.png', 'B.png', 'a.png'].sort(compareFileNames);
    expect(sorted).toEqual(['1.png', '2.png', '10.png', 'B.png', 'a.png', 'a9b.png', 'a10b.png']);
    expect(['x10', 'x9', 'x09'].sort(naturalCompare)).toEqual(['x09', 'x9', 'x10']);
    expect(['labels00000010.png', 'labels00000009.png'].sort(compareFileNames)).toEqual(['labels00000009.png', 'labels00000010.png']);
    expect(naturalCompare('007.png', '7.png')).not.toBe(0);
  });
  it('a stem is the name without its last extension', () => {
    expect(stemOf('0.png')).toBe('0');
    expect(stemOf('cell.ome.tif')).toBe('cell.ome');
    expect(stemOf('noext')).toBe('noext');
  });
});

describe('pairing by stem', () => {
  it('pairs identical stems across formats and gives absolute paths', async () => {
    await Promise.all([img('images/a.png'), img('images/b.tif'), img('images/c.jpg'), img('masks/a.png'), img('masks/b.png'), img('masks/c.tiff')]);
    const r = await listPairs(await project());
    expect(r.problems).toEqual([]);
    expect(r.pairs).toEqual([
      { name: 'a', image: join(dir, 'images/a.png'), mask: join(dir, 'masks/a.png') },
      { name: 'b', image: join(dir, 'images/b.tif'), mask: join(dir, 'masks/b.png') },
      { name: 'c', image: join(dir, 'images/c.jpg'), mask: join(dir, 'masks/c.tiff') },
    ]);
  });

  it('image without mask: warning, can be predicted; mask without image: error; listing continues', async () => {
    await Promise.all([img('images/a.png'), img('images/b.png'), img('masks/a.png'), img('masks/z.png')]);
    const r = await listPairs(await project());
    expect(names(r)).toEqual(['a']);
    expect(codes(r)).toEqual(['error:missing-partner:masks/z.png', 'warning:missing-partner:images/b.png']);
    const img_ = r.problems.find((p) => p.file === 'images/b.png')!;
    expect(img_.message).toContain('predicted but not trained on');
    expect(img_.hint).toContain('masks/b.png');
  });

  it('stems are case-sensitive, and the hint says so', async () => {
    await Promise.all([img('images/Cell1.png'), img('masks/cell1.png'), img('images/x.png'), img('masks/x.png')]);
    const r = await listPairs(await project());
    expect(names(r)).toEqual(['x']);
    const orphan = r.problems.find((p) => p.file === 'masks/cell1.png')!;
    expect(orphan.severity).toBe('error');
    expect(orphan.hint).toContain('upper/lower case');
  });

  it('when no name matches and counts are equal, suggests sorted pairing', async () => {
    await Promise.all([img('images/00.tif'), img('images/01.tif'), img('masks/labels00.png'), img('masks/labels01.png')]);
    const r = await listPairs(await project());
    expect(r.pairs).toEqual([]);
    const orphans = r.problems.filter((p) => p.severity === 'error');
    expect(orphans).toHaveLength(2);
    for (const p of orphans) expect(p.hint).toContain('sorted pairing');
  });

  it('two files with one stem: one error naming both, the stem is left out, nothing else is reported for it', async () => {
    await Promise.all([img('images/a.png'), img('images/a.tif'), img('images/b.png'), img('masks/a.png'), img('masks/b.png'), img('masks/b.tif')]);
    const r = await listPairs(await project());
    expect(r.pairs).toEqual([]);
    expect(codes(r)).toEqual(['error:duplicate-stem:images/a.png', 'error:duplicate-stem:masks/b.png']);
    const dup = r.problems.find((p) => p.file === 'images/a.png')!;
    expect(dup.message).toContain('images/a.png, images/a.tif');
  });

  it('unsupported files are warned about, by name and with the supported types; hidden and temp files are skipped', async () => {
    await Promise.all([img('images/a.png'), img('masks/a.png')]);
    await writeFile(join(dir, 'images/notes.txt'), 'hello');
    await writeFile(join(dir, 'masks/a.bmp'), 'x');
    await writeFile(join(dir, 'images/.DS_Store'), 'x');
    await writeFile(join(dir, 'masks/.a.png.1234.abcd1234.tmp'), 'x');
    await writeFile(join(dir, 'images/Thumbs.db'), 'x');
    await mkdir(join(dir, 'images/old'));
    const r = await listPairs(await project());
    expect(names(r)).toEqual(['a']);
    expect(codes(r)).toEqual(['warning:unsupported-format:images/notes.txt', 'warning:unsupported-format:masks/a.bmp']);
    expect(r.problems[0].hint).toContain('.png .jpg .jpeg .tif .tiff');
  });
});

describe('pairing by sorted order', () => {
  it('pairs in natural order (2 before 10), named after the image', async () => {
    await Promise.all(['1', '2', '10'].flatMap((n) => [img(`images/${n}.png`), img(`masks/m${n}.png`)]));
    const r = await listPairs(await project({ pairing: { rule: 'sorted' } }));
    expect(r.problems).toEqual([]);
    expect(r.pairs.map((p) => [p.name, p.mask.split('/').pop()])).toEqual([
      ['1', 'm1.png'],
      ['2', 'm2.png'],
      ['10', 'm10.png'],
    ]);
  });

  it('different counts: one error with both counts, and nothing is paired', async () => {
    await Promise.all([img('images/1.png'), img('images/2.png'), img('images/3.png'), img('masks/m1.png'), img('masks/m2.png')]);
    const r = await listPairs(await project({ pairing: { rule: 'sorted' } }));
    expect(r.pairs).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ severity: 'error', code: 'missing-partner', details: { images: 3, masks: 2 } });
    expect(r.problems[0].message).toContain('3 images');
    expect(r.problems[0].message).toContain('2 masks');
    expect(r.problems[0].message).toContain('needs as many masks as images');
  });

  it('warns when the numbers in the paired names stop following each other', async () => {
    await Promise.all([img('images/1.png'), img('images/2.png'), img('images/3.png'), img('masks/m1.png'), img('masks/m2.png'), img('masks/m4.png')]);
    const r = await listPairs(await project({ pairing: { rule: 'sorted' } }));
    expect(r.pairs).toHaveLength(3);
    expect(codes(r)).toEqual(['warning:missing-partner:images/3.png']);
    expect(r.problems[0].message).toContain('3.png with m4.png');
  });

  it('a constant offset between numbers (0-based masks, 1-based images) is fine', async () => {
    await Promise.all(['1', '2', '3'].map((n) => img(`images/${n}.png`)).concat(['0', '1', '2'].map((n) => img(`masks/l${n}.png`))));
    const r = await listPairs(await project({ pairing: { rule: 'sorted' } }));
    expect(r.problems).toEqual([]);
    expect(r.pairs).toHaveLength(3);
  });
});

describe('pairing by explicit list', () => {
  it('pairs what is listed, reports missing files, duplicate names and unlisted images', async () => {
    await Promise.all([img('images/a.png'), img('images/b.png'), img('images/sub/a.png'), img('images/c.png'), img('masks/x.png'), img('masks/y.png')]);
    const r = await listPairs(
      await project({
        pairing: {
          rule: 'list',
          pairs: [
            { image: 'b.png', mask: 'x.png' },
            { image: 'a.png', mask: 'y.png' },
            { image: 'sub/a.png', mask: 'x.png' },
            { image: 'gone.png', mask: 'y.png' },
            { image: 'c.png', mask: 'nothere.png' },
          ],
        },
      }),
    );
    expect(r.pairs).toEqual([{ name: 'b', image: join(dir, 'images/b.png'), mask: join(dir, 'masks/x.png') }]);
    expect(codes(r)).toEqual([
      'error:duplicate-stem:images/a.png',
      'error:missing-partner:images/gone.png',
      'error:missing-partner:masks/nothere.png',
      'warning:missing-partner:images/c.png',
    ]);
    expect(r.problems.find((p) => p.file === 'images/gone.png')!.message).toContain('pairing.pairs.3.image');
  });

  it('accepts absolute paths in the list', async () => {
    await Promise.all([img('elsewhere/i.png'), img('elsewhere/m.png'), img('images/i.png')]);
    const r = await listPairs({
      imagesDir: join(dir, 'images'),
      masksDir: join(dir, 'masks'),
      rule: 'list',
      pairs: [{ image: join(dir, 'elsewhere/i.png'), mask: join(dir, 'elsewhere/m.png') }],
    });
    expect(r.pairs).toEqual([{ name: 'i', image: join(dir, 'elsewhere/i.png'), mask: join(dir, 'elsewhere/m.png') }]);
    expect(codes(r)).toEqual([`warning:missing-partner:${join(dir, 'images')}/i.png`]);
  });
});

describe('per-class mask folders', () => {
  it('pairs an image when every class folder has its mask, and says which folder lacks one', async () => {
    await Promise.all([img('images/a.png'), img('images/b.png'), img('images/c.png'), img('mito/a.png'), img('mito/b.png'), img('syn/a.tif')]);
    const table = {
      classes: [
        { name: 'bg', values: [0], color: '#000000' },
        { name: 'mito', values: [1], color: '#e6194b' },
        { name: 'syn', values: [2], color: '#3cb44b' },
      ],
      background: 'bg',
    };
    const { project: p } = await createProject(await testGate(dir), dir, { classes: table, maskFormat: { kind: 'per-class', folders: { mito: 'mito', syn: 'syn' } } });
    expect(p.masks).toBeUndefined();
    const r = await listPairs({ dir, project: p });
    expect(r.pairs).toEqual([
      { name: 'a', image: join(dir, 'images/a.png'), mask: join(dir, 'mito/a.png'), classMasks: { mito: join(dir, 'mito/a.png'), syn: join(dir, 'syn/a.tif') } },
    ]);
    expect(codes(r)).toEqual(['warning:missing-partner:images/b.png', 'warning:missing-partner:images/c.png']);
    expect(r.problems.find((p) => p.file === 'images/b.png')!.message).toContain('class "syn"');
  });
});

describe('folders that cannot be listed', () => {
  it('missing image folder: ConfigError naming it', async () => {
    await img('masks/a.png');
    const e = await configError(listPairs(await project()));
    expect(e.message).toContain('image folder images does not exist');
  });
  it('empty mask folder: ConfigError saying what to do', async () => {
    await img('images/a.png');
    await mkdir(join(dir, 'masks'));
    const e = await configError(listPairs(await project()));
    expect(e.message).toContain('mask folder masks holds no masks');
  });
  it('image folder with only sub-folders: names them', async () => {
    await Promise.all([img('images/train/a.png'), img('images/val/b.png'), img('masks/a.png')]);
    const e = await configError(listPairs(await project()));
    expect(e.message).toContain('sub-folders (train, val)');
  });
  it('mask folder of per-class sub-folders: suggests the per-class format', async () => {
    await Promise.all([img('images/a.png'), img('masks/mito/a.png'), img('masks/syn/a.png')]);
    const e = await configError(listPairs(await project()));
    expect(e.message).toContain('sub-folders (mito, syn)');
    expect(e.message).toContain('"per-class"');
  });
  it('a symbolic link counts as what it points to; a broken one stays listed (reading it reports it)', async () => {
    await Promise.all([img('store/a.png'), img('masks/a.png'), img('masks/b.png'), mkdir(join(dir, 'images'))]);
    await symlink(join(dir, 'store/a.png'), join(dir, 'images/a.png'));
    await symlink(join(dir, 'store/none.png'), join(dir, 'images/b.png'));
    await symlink(join(dir, 'store'), join(dir, 'images/linked-folder'));
    const r = await listPairs(await project());
    expect(names(r)).toEqual(['a', 'b']);
    expect(r.problems).toEqual([]);
  });
  it('image folder with only unsupported files: says so', async () => {
    await mkdir(join(dir, 'images'));
    await writeFile(join(dir, 'images/a.bmp'), 'x');
    await img('masks/a.png');
    const e = await configError(listPairs(await project()));
    expect(e.message).toContain('a.bmp');
  });
});

describe.skipIf(!existsSync(DATA))('real data (../shared/data)', () => {
  it('drosophila-vnc pairs by sorted order: 00.tif with labels00000000.png', async () => {
    const r = await listPairs({ imagesDir: join(DATA, 'drosophila-vnc/images'), masksDir: join(DATA, 'drosophila-vnc/masks'), rule: 'sorted' });
    expect(r.problems).toEqual([]);
    expect(r.pairs).toHaveLength(10);
    expect(r.pairs[0]).toEqual({ name: '00', image: join(DATA, 'drosophila-vnc/images/00.tif'), mask: join(DATA, 'drosophila-vnc/masks/labels00000000.png') });
    expect(r.pairs[9].mask.endsWith('labels00000009.png')).toBe(true);
  });
  it('isbi2012 pairs by identical name, in natural order', async () => {
    const r = await listPairs({ imagesDir: join(DATA, 'isbi2012-membranes/images'), masksDir: join(DATA, 'isbi2012-membranes/masks'), rule: 'stem' });
    expect(r.problems).toEqual([]);
    expect(names(r)).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
    expect(r.pairs.every((p) => p.image.split('/').pop() === p.mask.split('/').pop())).toBe(true);
  });
});
if (!existsSync(DATA)) console.warn(`pairing.test.ts: real-data tests skipped, ${DATA} is absent`);
