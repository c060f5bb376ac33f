// The write gate's rules on real folders and links: where a writer may write, what it refuses and
// that a refusal writes nothing. Every writer of the app goes through these (the lint test checks
// that node:fs's writing functions appear nowhere else in src/).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectGate } from '../../src/seg/project/gate.ts';
import { WriteGate, WriteRefusedError } from '../../src/seg/write-gate.ts';

let tmp: string;
let proj: string;
let outside: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-gate-'));
  proj = join(tmp, 'proj');
  outside = join(tmp, 'outside');
  for (const d of ['images', 'masks', 'runs/r1', 'masks-edited']) await mkdir(join(proj, d), { recursive: true });
  await mkdir(outside);
  await writeFile(join(proj, 'seglens.json'), '{}');
  await writeFile(join(proj, 'images', 'a.tif'), 'image');
  await writeFile(join(proj, 'masks', 'a.png'), 'mask');
  await writeFile(join(outside, 'precious.txt'), 'not yours');
  await symlink(outside, join(proj, 'runs', 'linked'));
  await symlink(join(proj, 'images'), join(tmp, 'images-link'));
  await symlink(join(outside, 'precious.txt'), join(proj, 'runs', 'r1', 'file-link.json'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const gateOf = (o: { roots?: { dir: string; what: string }[]; outsideOnly?: boolean; owns?: string[] } = {}) =>
  projectGate(proj, { images: join(proj, 'images'), masks: join(proj, 'masks') }, { who: 'the test', ...o });

async function refusal(p: Promise<unknown>): Promise<WriteRefusedError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(WriteRefusedError);
  return e as WriteRefusedError;
}

describe('the write gate', () => {
  it('writes inside the project, creating folders, and returns the real path', async () => {
    const g = await gateOf();
    await g.mkdir(join(proj, 'runs', 'r1', 'report', 'predictions'));
    await g.writeFile(join(proj, 'runs', 'r1', 'report', 'x.json'), '{}');
    expect(await readFile(join(proj, 'runs', 'r1', 'report', 'x.json'), 'utf8')).toBe('{}');
    // A subfolder of an input folder is not listed as input: writing there is allowed.
    await g.mkdir(join(proj, 'images', 'sub'));
    await g.writeFile(join(proj, 'images', 'sub', 'note.txt'), 'ok');
    expect(existsSync(join(proj, 'images', 'sub', 'note.txt'))).toBe(true);
  });

  it('refuses a path outside the project, naming it and what to do', async () => {
    const e = await refusal((await gateOf()).writeFile(join(outside, 'x.png'), 'x'));
    expect(e.message).toMatch(/the test: .*outside.x\.png is outside the project folder .*--out/);
    expect(existsSync(join(outside, 'x.png'))).toBe(false);
  });

  it('refuses writes through a link inside the project that leads out of it, naming the link', async () => {
    const e = await refusal((await gateOf()).writeFile(join(proj, 'runs', 'linked', 'x.json'), 'x'));
    expect(e.message).toMatch(/leads out of the project folder .* through the symbolic link .*runs.linked \(to .*outside\)/);
    expect(await readdir(outside)).toEqual(['precious.txt']);
  });

  it('refuses a run folder that is a link out of the project when the gate is made', async () => {
    const e = await refusal(gateOf({ roots: [{ dir: join(proj, 'runs', 'linked'), what: 'the run folder' }] }));
    expect(e.message).toMatch(/the run folder .*runs.linked is inside the project folder .* but really lies at .*outside/);
  });

  it('never writes through or over a symbolic link', async () => {
    const e = await refusal((await gateOf()).writeFile(join(proj, 'runs', 'r1', 'file-link.json'), 'x'));
    expect(e.message).toMatch(/is a symbolic link/);
    expect(await readFile(join(outside, 'precious.txt'), 'utf8')).toBe('not yours');
  });

  it('refuses files directly in an image or mask folder, and replacing the project file', async () => {
    const g = await gateOf();
    expect((await refusal(g.writeFile(join(proj, 'masks', 'b.png'), 'x'))).message).toMatch(/would be written into the mask folder/);
    expect((await refusal(g.writeFile(join(proj, 'images', 'a.png'), 'x'))).message).toMatch(/would be written into the image folder/);
    expect((await refusal(g.writeFile(join(proj, 'masks-edited', 'a.png'), 'x'))).message).toMatch(/edited-mask folder/);
    expect((await refusal(g.writeJson(join(proj, 'seglens.json'), {}))).message).toMatch(/is the project file, which the project reads: it is never replaced/);
    expect(await readdir(join(proj, 'masks'))).toEqual(['a.png']);
    expect(await readFile(join(proj, 'seglens.json'), 'utf8')).toBe('{}');
  });

  it('an output folder named by the user may lie outside the project, but not be an input folder through a link', async () => {
    const out = join(tmp, 'preds');
    const g = await gateOf({ roots: [{ dir: out, what: 'the --out folder' }], outsideOnly: true });
    await g.mkdir(out);
    await g.writeFile(join(out, 'a.png'), 'x');
    expect(existsSync(join(out, 'a.png'))).toBe(true);
    const viaLink = await gateOf({ roots: [{ dir: join(tmp, 'images-link'), what: 'the --out folder' }], outsideOnly: true });
    expect((await refusal(viaLink.writeFile(join(tmp, 'images-link', 'a.png'), 'x'))).message).toMatch(/would be written into the image folder/);
    expect(await readdir(join(proj, 'images'))).toEqual(['a.tif', 'sub']);
    // outsideOnly: the project folder itself is not a place to write.
    expect((await refusal(g.writeFile(join(proj, 'x.json'), 'x'))).message).toMatch(/is outside the --out folder/);
  });

  it('a writer owning an input may write it: the editor and masks-edited/', async () => {
    const g = await gateOf({ owns: [join(proj, 'masks-edited')] });
    await g.writeFile(join(proj, 'masks-edited', 'a.png'), 'edit');
    expect(await readFile(join(proj, 'masks-edited', 'a.png'), 'utf8')).toBe('edit');
  });

  it('a project whose images lie in its own folder keeps its JSON files there, but no image-like file', async () => {
    const flat = join(tmp, 'flat');
    await mkdir(flat);
    await writeFile(join(flat, 'x.tif'), 'image');
    const g = await projectGate(flat, { images: flat, masks: join(flat, 'labels') }, { who: 'the test', owns: [join(flat, 'seglens.json')] });
    await g.writeJson(join(flat, 'seglens.json'), {});
    await g.writeJson(join(flat, 'split.json'), {});
    expect((await refusal(g.writeFile(join(flat, 'x.png'), 'x'))).message).toMatch(/would be written into the image folder/);
  });

  it('renames and removes only inside its roots, never an input folder', async () => {
    const g = await gateOf();
    await g.mkdir(join(proj, 'runs', 'r1', 'best.tmp'));
    await g.rename(join(proj, 'runs', 'r1', 'best.tmp'), join(proj, 'runs', 'r1', 'best'));
    expect(existsSync(join(proj, 'runs', 'r1', 'best'))).toBe(true);
    await refusal(g.remove(join(proj, 'masks')));
    await refusal(g.remove(join(outside, 'precious.txt')));
    expect(existsSync(join(proj, 'masks', 'a.png'))).toBe(true);
    expect(existsSync(join(outside, 'precious.txt'))).toBe(true);
  });

  it('a dangling link inside the project is followed to where it points, and refused there', async () => {
    await symlink(join(outside, 'not-yet'), join(proj, 'dangling'));
    const g = await WriteGate.open({ who: 'the test', roots: [{ dir: proj, what: 'the project folder', project: true }] });
    await refusal(g.mkdir(join(proj, 'dangling', 'sub')));
    expect(existsSync(join(outside, 'not-yet'))).toBe(false);
  });
});
