// The project file: defaults, atomic save, migration from version 1, refusal of newer versions,
// validation errors that name the file and the field.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/seg/errors.ts';
import { DEFAULT_NORMALIZATION } from '../../src/seg/types.ts';
import { createProject, loadProject, resolveProjectPaths, saveProject, toProjectPath } from '../../src/seg/project/load.ts';
import { migrateProject } from '../../src/seg/project/migrate.ts';
import { CURRENT_VERSION, PROJECT_FILE } from '../../src/seg/project/schema.ts';
import { testGate } from '../helpers/gate.ts';

const TABLE = {
  classes: [
    { name: 'membrane', values: [0, 32, 64, 96, 128], color: '#e6194b' },
    { name: 'intracellular', values: [255], color: '#000000' },
  ],
  background: 'intracellular',
  ignore: [254],
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-project-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeRaw(value: unknown): Promise<string> {
  const text = JSON.stringify(value, null, 2);
  await writeFile(join(dir, PROJECT_FILE), text);
  return text;
}

async function errorOf(p: Promise<unknown>): Promise<ConfigError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return e as ConfigError;
}

describe('createProject / loadProject / saveProject', () => {
  it('fills defaults, writes the file, and reads back the same project', async () => {
    const created = await createProject(await testGate(dir), dir, { classes: TABLE });
    expect(created.project).toMatchObject({
      version: CURRENT_VERSION,
      images: 'images',
      masks: 'masks',
      pairing: { rule: 'stem' },
      maskFormat: { kind: 'label' },
      imagePage: 0,
      normalization: DEFAULT_NORMALIZATION,
    });
    const loaded = await loadProject(dir);
    expect(loaded.project).toEqual(created.project);
    expect(loaded.fromVersion).toBe(CURRENT_VERSION);
    expect(loaded.file).toBe(join(dir, PROJECT_FILE));
    // The project file itself may be given instead of the folder.
    expect((await loadProject(join(dir, PROJECT_FILE))).project).toEqual(created.project);
    // No temporary file is left beside it.
    expect(await readdir(dir)).toEqual([PROJECT_FILE]);
  });

  it('refuses to replace an existing project file unless forced', async () => {
    await createProject(await testGate(dir), dir, { classes: TABLE });
    const e = await errorOf(createProject(await testGate(dir), dir, { classes: TABLE, images: 'other' }));
    expect(e.message).toContain('already exists');
    expect((await loadProject(dir)).project.images).toBe('images');
    await createProject(await testGate(dir), dir, { classes: TABLE, images: 'other' }, { force: true });
    expect((await loadProject(dir)).project.images).toBe('other');
  });

  it('saveProject validates before writing: an invalid project leaves the file untouched', async () => {
    const { project } = await createProject(await testGate(dir), dir, { classes: TABLE });
    const before = await readFile(join(dir, PROJECT_FILE), 'utf8');
    const bad = { ...project, imagePage: -1 };
    const e = await errorOf(saveProject(await testGate(dir), dir, bad));
    expect(e.message).toContain('imagePage');
    expect(await readFile(join(dir, PROJECT_FILE), 'utf8')).toBe(before);
    await saveProject(await testGate(dir), dir, { ...project, pairing: { rule: 'sorted' } });
    expect((await loadProject(dir)).project.pairing).toEqual({ rule: 'sorted' });
  });

  it('resolves paths relative to the project folder and keeps absolute ones', async () => {
    const { project } = await createProject(await testGate(dir), dir, { classes: TABLE, images: 'raw/imgs', masks: '/data/gt', split: 'split.json' });
    const p = resolveProjectPaths({ dir, project });
    expect(p.images).toBe(join(dir, 'raw', 'imgs'));
    expect(p.masks).toBe('/data/gt');
    expect(p.split).toBe(join(dir, 'split.json'));
    expect(toProjectPath(dir, join(dir, 'a', 'b'))).toBe('a/b');
    expect(toProjectPath(dir, '/elsewhere/x')).toBe('/elsewhere/x');
  });

  it('says to run init when the folder has no project file, and names a folder that does not exist', async () => {
    expect((await errorOf(loadProject(dir))).message).toContain('seglens init');
    expect((await errorOf(loadProject(join(dir, 'nope')))).message).toContain('does not exist');
  });

  it('reports a file that is not JSON', async () => {
    await writeFile(join(dir, PROJECT_FILE), '{"version": 2,');
    const e = await errorOf(loadProject(dir));
    expect(e.message).toContain(join(dir, PROJECT_FILE));
    expect(e.message).toContain('not valid JSON');
  });
});

describe('migration', () => {
  const v1 = { version: 1, images: 'img', masks: 'lbl', pairing: 'sorted', classes: TABLE };

  it('reads a version 1 file as version 2 and leaves the file on disk untouched', async () => {
    const text = await writeRaw(v1);
    const loaded = await loadProject(dir);
    expect(loaded.fromVersion).toBe(1);
    expect(loaded.project).toEqual({
      version: 2,
      images: 'img',
      masks: 'lbl',
      pairing: { rule: 'sorted' },
      maskFormat: { kind: 'label' },
      imagePage: 0,
      normalization: DEFAULT_NORMALIZATION,
      classes: TABLE,
    });
    expect(await readFile(join(dir, PROJECT_FILE), 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual([PROJECT_FILE]);
  });

  it('a version 1 colour table becomes a palette project; a missing pairing meant stem', async () => {
    const colours = {
      classes: [
        { name: 'bg', values: ['#000000'], color: '#000000' },
        { name: 'cell', values: ['#ff0000'], color: '#ff0000' },
      ],
      background: 'bg',
    };
    const { project } = migrateProject({ version: 1, images: 'i', masks: 'm', classes: colours }, 'x.json');
    expect(project.maskFormat).toEqual({ kind: 'palette' });
    expect(project.pairing).toEqual({ rule: 'stem' });
  });

  it('writes the migrated file only when asked, keeping the original as seglens.v1.json', async () => {
    const text = await writeRaw(v1);
    await loadProject(dir, { saveMigrated: true });
    expect(await readFile(join(dir, 'seglens.v1.json'), 'utf8')).toBe(text);
    const onDisk = JSON.parse(await readFile(join(dir, PROJECT_FILE), 'utf8'));
    expect(onDisk.version).toBe(2);
    expect(onDisk.pairing).toEqual({ rule: 'sorted' });
    expect((await loadProject(dir)).fromVersion).toBe(2);
  });

  it('an invalid version 1 file is reported against version 1 with the field path', async () => {
    await writeRaw({ ...v1, pairing: 'zip' });
    const e = await errorOf(loadProject(dir));
    expect(e.message).toContain('project file version 1');
    expect(e.message).toMatch(/pairing: /);
  });

  it('refuses a file from a newer seglens, clearly, without touching it', async () => {
    const text = await writeRaw({ version: CURRENT_VERSION + 1, images: 'i', somethingNew: true });
    const e = await errorOf(loadProject(dir));
    expect(e.message).toContain('newer seglens');
    expect(e.message).toContain(`version ${CURRENT_VERSION + 1}`);
    expect(e.message).toContain(join(dir, PROJECT_FILE));
    expect(e.details).toMatchObject({ version: CURRENT_VERSION + 1, supported: CURRENT_VERSION });
    expect(await readFile(join(dir, PROJECT_FILE), 'utf8')).toBe(text);
  });

  it('rejects a missing or malformed version', () => {
    expect(() => migrateProject({ images: 'i' }, 'p.json')).toThrow(/no "version" field/);
    expect(() => migrateProject({ version: '2' }, 'p.json')).toThrow(/whole number/);
    expect(() => migrateProject({ version: 0 }, 'p.json')).toThrow(/whole number/);
    expect(() => migrateProject([1, 2], 'p.json')).toThrow(/JSON object/);
  });
});

describe('validation names the file and the field path', () => {
  const base = { version: 2, images: 'images', masks: 'masks', classes: TABLE };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['bad class colour', { classes: { ...TABLE, classes: [TABLE.classes[0], { ...TABLE.classes[1], color: 'red' }] } }, /classes\.classes\.1\.color: /],
    ['unknown pairing rule', { pairing: { rule: 'zip' } }, /pairing\.rule: /],
    ['list without pairs', { pairing: { rule: 'list', pairs: [] } }, /pairing\.pairs: /],
    ['instance class not in the table', { maskFormat: { kind: 'instance', className: 'nucleus' } }, /maskFormat\.className: "nucleus" is not the name/],
    ['per-class folder of an unknown class', { maskFormat: { kind: 'per-class', folders: { mito: 'm' } } }, /maskFormat\.folders\.mito: /],
    ['palette with a grey table', { maskFormat: { kind: 'palette' } }, /maskFormat\.kind: /],
    ['misspelt key', { pairng: { rule: 'stem' } }, /pairng/],
    ['page not an integer', { imagePage: 1.5 }, /imagePage: /],
    ['percentiles reversed', { normalization: { kind: 'percentile', low: 99, high: 1, scope: 'image' } }, /normalization\.high: /],
    ['fixed normalisation without a range', { normalization: { kind: 'fixed', scope: 'dataset' } }, /normalization\.range: /],
    ['no mask folder', { masks: undefined }, /masks: /],
  ];
  it.each(cases)('%s', async (_what, change, pattern) => {
    await writeRaw({ ...base, ...change });
    const e = await errorOf(loadProject(dir));
    expect(e.message).toContain(join(dir, PROJECT_FILE));
    expect(e.message).toMatch(pattern);
  });

  it('per-class masks need no mask folder, but cannot be listed pair by pair', async () => {
    const perClass = { kind: 'per-class', folders: { membrane: 'masks/membrane' } };
    await writeRaw({ ...base, masks: undefined, maskFormat: perClass });
    expect((await loadProject(dir)).project.maskFormat).toEqual(perClass);
    await writeRaw({ ...base, maskFormat: perClass, pairing: { rule: 'list', pairs: [{ image: 'a.png', mask: 'a.png' }] } });
    expect((await errorOf(loadProject(dir))).message).toMatch(/pairing\.rule: /);
  });

  it('a valid file with every field loads unchanged', async () => {
    const full = {
      ...base,
      pairing: { rule: 'list', pairs: [{ image: '00.tif', mask: 'labels00000000.png' }] },
      maskFormat: { kind: 'label' },
      imagePage: 2,
      normalization: { kind: 'fixed', low: 1, high: 99.8, scope: 'dataset', range: [0, 4095] },
      maxPixels: 1_000_000,
      split: 'split.json',
    };
    await writeRaw(full);
    expect((await loadProject(dir)).project).toEqual(full);
    expect(existsSync(join(dir, 'seglens.v2.json'))).toBe(false);
  });
});
