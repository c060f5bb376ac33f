// `seglens init`: finding folders, choosing the pairing, writing the proposed project file, and the
// text it prints.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ConfigError } from '../../src/seg/errors.ts';
import { formatScan } from '../../src/seg/project/format.ts';
import { initProject } from '../../src/seg/project/init.ts';
import { loadProject } from '../../src/seg/project/load.ts';
import { proposeClassTable } from '../../src/seg/project/propose.ts';
import { ValueCounter } from '../../src/seg/project/scan.ts';

const DATA = fileURLToPath(new URL('../../../shared/data', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-init-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function grey(rel: string, values: number[], width = 2): Promise<void> {
  const file = join(dir, rel);
  await mkdir(dirname(file), { recursive: true });
  await sharp(Buffer.from(values), { raw: { width, height: values.length / width, channels: 1 } }).toFile(file);
}

async function configError(p: Promise<unknown>): Promise<ConfigError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConfigError);
  return e as ConfigError;
}

/** Three images; masks with 0 (6 px), 128 (2 px, one mask) and 255 (4 px). */
async function smallProject(maskFolder = 'masks'): Promise<void> {
  await Promise.all([
    grey('images/a.png', [10, 20, 30, 40]),
    grey('images/b.png', [10, 20, 30, 40]),
    grey('images/c.png', [10, 20, 30, 40]),
    grey(`${maskFolder}/a.png`, [0, 0, 255, 255]),
    grey(`${maskFolder}/b.png`, [0, 0, 128, 128]),
    grey(`${maskFolder}/c.png`, [0, 0, 255, 255]),
  ]);
}

describe('initProject', () => {
  it('finds the folders, pairs by stem, scans, and writes the proposed table', async () => {
    await smallProject();
    const r = await initProject(dir);
    expect(r.projectFile).toBe(join(dir, 'seglens.json'));
    expect(r.pairing).toEqual({ rule: 'stem', chosen: 'auto', pairs: 3 });
    expect(r.problems).toEqual([]);
    expect(r.scan.values.map((v) => [v.value, v.pixels, v.images])).toEqual([
      [0, 6, 3],
      [128, 2, 1],
      [255, 4, 2],
    ]);
    expect(r.notes[0]).toContain('found by folder name');
    const loaded = await loadProject(dir);
    expect(loaded.project).toEqual(r.project);
    expect(loaded.project).toMatchObject({ images: 'images', masks: 'masks', pairing: { rule: 'stem' }, maskFormat: { kind: 'label' } });
    expect(loaded.project.classes).toEqual(r.proposal.table);
    expect(loaded.project.classes.background).toBe('value_0');
    // Everything the CLI prints as JSON survives a round trip.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('refuses to overwrite an existing seglens.json unless forced', async () => {
    await smallProject();
    await initProject(dir);
    const before = await readFile(join(dir, 'seglens.json'), 'utf8');
    const e = await configError(initProject(dir));
    expect(e.message).toContain('already exists');
    expect(e.message).toContain('--force');
    expect(await readFile(join(dir, 'seglens.json'), 'utf8')).toBe(before);
    await initProject(dir, { force: true, pairing: 'sorted' });
    expect((await loadProject(dir)).project.pairing).toEqual({ rule: 'sorted' });
  });

  it('names that differ and equal counts: pairs by sorted order and says so; finds labels/', async () => {
    await Promise.all([
      grey('images/00.png', [1, 2]),
      grey('images/01.png', [1, 2]),
      grey('labels/labels00000000.png', [0, 255]),
      grey('labels/labels00000001.png', [255, 255]),
    ]);
    const r = await initProject(dir);
    expect(r.pairing).toEqual({ rule: 'sorted', chosen: 'auto', pairs: 2 });
    expect(r.project.masks).toBe('labels');
    expect(r.notes.join('\n')).toContain('paired by sorted order (00.png with labels00000000.png, ..., 01.png with labels00000001.png)');
  });

  it('explicit folders relative to the project folder; pairing problems are returned', async () => {
    await Promise.all([grey('raw/x.png', [1, 2]), grey('raw/y.png', [1, 2]), grey('seg/x.png', [0, 1])]);
    const r = await initProject(dir, { images: 'raw', masks: 'seg', pairing: 'stem' });
    expect(r.pairing).toEqual({ rule: 'stem', chosen: 'given', pairs: 1 });
    expect(r.problems.map((p) => [p.code, p.file])).toEqual([['missing-partner', 'raw/y.png']]);
    expect(r.notes.join('\n')).not.toContain('found by folder name');
  });

  it('no mask folder to be found: says which sub-folders exist and which option to use', async () => {
    await grey('images/a.png', [1, 2]);
    await grey('stuff/a.png', [1, 2]);
    const e = await configError(initProject(dir));
    expect(e.message).toContain('mask folder');
    expect(e.message).toContain('images, stuff');
    expect(e.message).toContain('--masks');
    expect(existsSync(join(dir, 'seglens.json'))).toBe(false);
  });

  it('a folder that does not exist', async () => {
    expect((await configError(initProject(join(dir, 'missing')))).message).toContain('does not exist');
  });
});

describe('formatScan', () => {
  it('prints every value with counts, the proposed class, the notes, the file written and what to do', async () => {
    await smallProject();
    const r = await initProject(dir);
    const text = formatScan(r);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Mask values in 3 file(s), 12 pixels, 8-bit grey:');
    expect(text).toMatch(/value\s+pixels\s+% pixels\s+images\s+proposed class/);
    expect(lines.find((l) => /^\s+0\s/.test(l))).toMatch(/^\s+0\s+6\s+50\.00%\s+3\/3\s+value_0 \(background\)$/);
    expect(lines.find((l) => /^\s+128\s/.test(l))).toMatch(/^\s+128\s+2\s+16\.67%\s+1\/3\s+value_128$/);
    expect(lines.find((l) => /^\s+255\s/.test(l))).toMatch(/^\s+255\s+4\s+33\.33%\s+2\/3\s+value_255$/);
    expect(text).toContain('Notes:');
    for (const n of r.notes) expect(text).toContain(n);
    expect(text).toContain(`Wrote ${join(dir, 'seglens.json')}`);
    expect(text).toMatch(/give each class a real name, merge values .* set "background"/);
  });

  it('summarises the rows of an instance image', () => {
    const c = new ValueCounter();
    // 100 objects of 2 x 2 pixels, each its own id, separated by background.
    const data = new Uint16Array(900);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 30; x++) data[y * 30 + x] = x % 3 === 0 || y % 3 === 0 ? 0 : 1 + Math.floor(x / 3) + 10 * Math.floor(y / 3);
    c.add({ width: 30, height: 30, channels: 1, bitDepth: 16, data });
    const scan = c.result();
    const text = formatScan({ scan, proposal: proposeClassTable(scan) });
    expect(text).toContain('more values');
    expect(text).toContain('proposed as object');
    expect(text).toContain('background (background)');
    expect(text).not.toContain('Wrote');
    expect(text).toContain('rename "object"');
  });
});

describe.skipIf(!existsSync(DATA))('real data (../shared/data)', () => {
  it('drosophila-vnc: auto pairing picks sorted order; 9 classes, 255 the background', async () => {
    const set = join(DATA, 'drosophila-vnc');
    const r = await initProject(dir, { images: join(set, 'images'), masks: join(set, 'masks') });
    expect(r.pairing).toEqual({ rule: 'sorted', chosen: 'auto', pairs: 10 });
    expect(r.problems).toEqual([]);
    expect(r.project.images).toBe(join(set, 'images'));
    expect(r.project.classes.classes.map((c) => c.values[0])).toEqual([0, 32, 64, 96, 128, 159, 191, 223, 255]);
    expect(r.project.classes.background).toBe('value_255');
    expect(formatScan(r)).toContain('00.tif with labels00000000.png');
  });
});
if (!existsSync(DATA)) console.warn(`project-init.test.ts: real-data tests skipped, ${DATA} is absent`);
