// A project made from the app (issue 11): the folder browser confined to the home folder, init's
// proposal as data (every stored value with its pixel and image counts), the class table edited
// and written (through the write gate), an existing project file never replaced; folders of one
// binary mask per object proposed and written as init does; class tables without colours get the
// palette's.
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchJson } from '../../src/api/index.ts';
import type { BrowseFoldersResult, ProposeProjectResult, ProjectSummary } from '../../src/api/index.ts';
import { COCO_FILE, exportMasks } from '../../src/app/mask-export.ts';
import { Workspace } from '../../src/app/workspace.ts';
import { openDataset } from '../../src/seg/dataset/index.ts';
import { parseClassTable } from '../../src/seg/classes.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { DISTINCT_COLORS } from '../../src/seg/project/index.ts';

let tmp: string;
let home: string;
let data: string;
let ws: Workspace;
const oldHome = process.env.HOME;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-newproj-'));
  home = join(tmp, 'home');
  await generateDemoProject(join(tmp, 'demo'), { count: 4, size: 48, seed: 5, plantErrors: false });
  // A folder of images and masks as a user has it: no seglens.json.
  data = join(home, 'data', 'nuclei');
  await mkdir(data, { recursive: true });
  await cp(join(tmp, 'demo', 'images'), join(data, 'images'), { recursive: true });
  await cp(join(tmp, 'demo', 'masks'), join(data, 'masks'), { recursive: true });
  await mkdir(join(home, '.hidden'));
  await symlink(tmp, join(home, 'out-link'));
  process.env.HOME = home;
  ws = new Workspace({ demoDir: join(tmp, 'demo-app') });
});

afterAll(async () => {
  process.env.HOME = oldHome;
  await ws.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('folder browser', () => {
  it('lists the home folder, marks folders of images and masks, and never leaves home', async () => {
    const top = (await dispatchJson(ws, 'browseFolders', {})) as BrowseFoldersResult;
    expect(top.parent).toBeNull();
    expect(top.folders.map((f) => f.name)).toEqual(['data', 'out-link']); // hidden folders left out
    const d = (await dispatchJson(ws, 'browseFolders', { dir: join(home, 'data') })) as BrowseFoldersResult;
    expect(d.folders).toEqual([{ name: 'nuclei', path: join(d.dir, 'nuclei'), isProject: false, hasImagesAndMasks: true }]);
    await expect(dispatchJson(ws, 'browseFolders', { dir: tmp })).rejects.toMatchObject({ name: 'AccessDeniedError', message: /outside your home folder/ });
    // A link inside home that leads out of it is refused as well (real paths are compared).
    await expect(dispatchJson(ws, 'browseFolders', { dir: join(home, 'out-link') })).rejects.toMatchObject({ name: 'AccessDeniedError' });
    await expect(dispatchJson(ws, 'browseFolders', { dir: join(home, 'nope') })).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await dispatchJson(ws, 'pickFolder', {})).toEqual({ supported: false, dir: null });
  });
});

describe('proposal, edit, create', () => {
  it('proposes every stored value with its counts, writes the edited table, opens it, and refuses to replace it', async () => {
    const p = (await dispatchJson(ws, 'proposeProject', { dir: data })) as ProposeProjectResult;
    expect(p).toMatchObject({ images: 'images', masks: 'masks', maskKind: 'label', masksRead: 4, pairing: { rule: 'stem', pairs: 4 } });
    expect(p.values.map((v) => v.value)).toEqual([0, 1, 2]);
    const total = p.values.reduce((s, v) => s + v.pixels, 0);
    expect(total).toBe(4 * 48 * 48);
    expect(p.values.every((v) => v.images >= 1 && v.images <= 4)).toBe(true);
    expect(p.proposal.background).toBe('value_0');
    expect(existsSync(join(data, 'seglens.json'))).toBe(false); // a proposal writes nothing

    // The user names the classes and leaves the colours to the palette.
    const classes = { classes: [{ name: 'background', values: [0] }, { name: 'nucleus', values: [1] }, { name: 'boundary', values: [2] }], background: 'background', ignore: [] };
    const s = (await dispatchJson(ws, 'createProject', { dir: data, images: p.images, masks: p.masks, pairing: 'stem', classes })) as ProjectSummary;
    expect(s.imageCount).toBe(4);
    expect(s.classes.map((c) => [c.name, c.color])).toEqual([['background', '#000000'], ['nucleus', DISTINCT_COLORS[0]], ['boundary', DISTINCT_COLORS[1]]]);
    const written = JSON.parse(readFileSync(join(data, 'seglens.json'), 'utf8')) as { classes: { classes: { name: string; color: string }[] } };
    expect(written.classes.classes.map((c) => c.name)).toEqual(['background', 'nucleus', 'boundary']);
    expect((await ws.listImages()).images).toHaveLength(4);
    await expect(dispatchJson(ws, 'createProject', { dir: data, images: 'images', masks: 'masks', pairing: 'stem', classes })).rejects.toMatchObject({ name: 'ConfigError', message: /already exists/ });
    await expect(dispatchJson(ws, 'proposeProject', { dir: data })).rejects.toMatchObject({ name: 'ConfigError', message: /already exists/ });
  });

  it('refuses a table that maps one value to two classes, naming the field', async () => {
    const other = join(home, 'data', 'again');
    await cp(data, other, { recursive: true });
    await rm(join(other, 'seglens.json'));
    const classes = { classes: [{ name: 'a', values: [0] }, { name: 'b', values: [0, 1] }], background: 'a', ignore: [] };
    await expect(dispatchJson(ws, 'createProject', { dir: other, images: 'images', masks: 'masks', pairing: 'stem', classes })).rejects.toMatchObject({ message: /value 0 is given to both/ });
    expect(existsSync(join(other, 'seglens.json'))).toBe(false);
  });
});

describe('object folders', () => {
  it('proposes one binary mask per object (a folder per image) as init does, and writes that project', async () => {
    // Two images, each with a folder of objects as annotation exports write them.
    const dir = join(home, 'data', 'objects');
    for (const [n, name] of ['a', 'b'].entries()) {
      await mkdir(join(dir, 'masks', name), { recursive: true });
      await mkdir(join(dir, 'images'), { recursive: true });
      const img = Uint8Array.from({ length: 32 * 32 }, (_, i) => (i * 7 + n * 13) % 251);
      await sharp(img, { raw: { width: 32, height: 32, channels: 1 } }).png().toFile(join(dir, 'images', `${name}.png`));
      for (const k of [0, 1]) {
        const obj = Uint8Array.from({ length: 32 * 32 }, (_, i) => (Math.floor(i / 32) >= 4 + 14 * k && Math.floor(i / 32) < 12 + 14 * k && i % 32 >= 4 && i % 32 < 12 + n ? 255 : 0));
        await sharp(obj, { raw: { width: 32, height: 32, channels: 1 } }).png().toFile(join(dir, 'masks', name, `obj${k}.png`));
      }
    }
    const p = (await dispatchJson(ws, 'proposeProject', { dir })) as ProposeProjectResult;
    expect(p).toMatchObject({ images: 'images', masks: 'masks', maskKind: 'objects', objectLayout: 'mask-folders', pairing: { pairs: 2 } });
    expect(existsSync(join(dir, 'seglens.json'))).toBe(false);
    const className = p.proposal.classes.find((c) => c.name !== p.proposal.background)!.name;
    const s = (await dispatchJson(ws, 'createProject', {
      dir,
      images: p.images,
      masks: p.masks,
      pairing: 'stem',
      classes: p.proposal,
      objects: { className, layout: p.objectLayout },
    })) as ProjectSummary;
    expect(s.imageCount).toBe(2);
    const written = JSON.parse(readFileSync(join(dir, 'seglens.json'), 'utf8')) as { maskFormat: unknown };
    expect(written.maskFormat).toEqual({ kind: 'objects', className, layout: 'mask-folders' });
    const inspect = await ws.inspectProject();
    expect(inspect.classes.find((c) => c.name === className)!.pixels).toBeGreaterThan(0);
  });
});

describe('vector annotations', () => {
  // The demo's ground truth exported as QuPath GeoJSON (a file per image) and as one CVAT COCO file.
  for (const format of ['geojson', 'coco'] as const) {
    it(`proposes ${format} annotations with their classes by name, and writes a project that reads them`, async () => {
      const dir = join(home, 'data', `vector-${format}`);
      await cp(join(tmp, 'demo', 'images'), join(dir, 'images'), { recursive: true });
      const out = join(tmp, `export-${format}`);
      await exportMasks({ project: join(tmp, 'demo'), format, out });
      if (format === 'geojson') await cp(out, join(dir, 'masks'), { recursive: true });
      else await cp(join(out, COCO_FILE), join(dir, 'instances_default.json'));
      const p = (await dispatchJson(ws, 'proposeProject', { dir })) as ProposeProjectResult;
      expect(p.maskKind).toBe(format);
      expect(p.vector?.kind).toBe(format);
      expect(p.masks).toBe(format === 'coco' ? null : 'masks');
      expect(p.pairing.pairs).toBe(4);
      const demo = (await openDataset(join(tmp, 'demo'))).project.classes.classes.map((c) => c.name);
      expect(p.proposal.classes.map((c) => c.name).sort()).toEqual([...demo].sort());
      expect(existsSync(join(dir, 'seglens.json'))).toBe(false);
      const s = (await dispatchJson(ws, 'createProject', {
        dir,
        images: p.images,
        ...(p.masks ? { masks: p.masks } : {}),
        pairing: 'stem',
        classes: p.proposal,
        vector: p.vector,
      })) as ProjectSummary;
      expect(s.imageCount).toBe(4);
      const written = JSON.parse(readFileSync(join(dir, 'seglens.json'), 'utf8')) as { maskFormat: { kind: string } };
      expect(written.maskFormat.kind).toBe(format);
      const inspect = await ws.inspectProject();
      for (const c of inspect.classes) expect(c.pixels, c.name).toBeGreaterThan(0);
    });
  }
});

describe('class table colours', () => {
  it('default to black for the background and the palette in order for the others; given ones are kept', () => {
    const t = parseClassTable({ classes: [{ name: 'cell', values: [1] }, { name: 'bg', values: [0] }, { name: 'edge', values: [2], color: '#123456' }, { name: 'x', values: [3] }], background: 'bg' });
    expect(t.classes.map((c) => c.color)).toEqual([DISTINCT_COLORS[0], '#000000', '#123456', DISTINCT_COLORS[2]]);
  });
});
