// Issue 13: the edited-mask index is user-editable JSON and masks-edited/ a folder a user could
// replace by a link. A crafted index (an entry pointing at ../../elsewhere/x) is refused when read,
// naming the entry, so no save can follow it; a masks-edited/ that links out of the project is
// refused on save with the link named. Either way nothing outside the project is written.
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/app/workspace.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { seglens } from '../helpers/cli.ts';

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-edits-index-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

async function project(name: string): Promise<string> {
  const dir = join(tmp, name, 'proj');
  await generateDemoProject(dir, { count: 2, size: 32, plantErrors: false });
  await mkdir(join(tmp, name, 'elsewhere'));
  await writeFile(join(tmp, name, 'elsewhere', 'x'), 'precious');
  return dir;
}

const entry = (file: string) => ({ file, savedAt: '2026-01-01T00:00:00Z', replaces: null, encoding: 'class-ids' });

describe('the edited-mask index', () => {
  it('an entry that is not a base name is refused when read, naming it; nothing is written outside', async () => {
    const dir = await project('crafted');
    await mkdir(join(dir, 'masks-edited'));
    const index = { format: 'seglens-edited-masks', version: 1, masks: { demo_01: entry('../../elsewhere/x') } };
    await writeFile(join(dir, 'masks-edited', 'edits.json'), JSON.stringify(index));
    const ws = new Workspace({ demoDir: join(tmp, 'demo') });
    try {
      const e = await ws.openProject({ dir }).catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'ConfigError' });
      expect((e as Error).message).toMatch(/edits\.json is not valid:\n {2}- masks\.demo_01\.file: must be a PNG file name inside masks-edited\/ \(no folders, no "\.\.", no leading dot\)/);
      expect((e as Error).message).toMatch(/move .*edits\.json away to open the project/);
      // No project is open, so no save can go anywhere.
      await expect(ws.saveMask({ name: 'demo_01', width: 32, height: 32, baseVersion: null, data: new Uint8Array(1024) })).rejects.toMatchObject({ name: 'NoProjectError' });
    } finally {
      await ws.close();
    }
    expect(await readFile(join(tmp, 'crafted', 'elsewhere', 'x'), 'utf8')).toBe('precious');
    // The command line reads the same index and refuses the same way.
    const r = await seglens(['inspect', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/masks\.demo_01\.file: must be a PNG file name inside masks-edited/);
  });

  it('an absolute path, a hidden name and a key with a slash are refused too', async () => {
    const dir = await project('others');
    await mkdir(join(dir, 'masks-edited'));
    for (const masks of [{ demo_01: entry('/etc/passwd') }, { demo_01: entry('.hidden.png') }, { 'a/b': entry('demo_01.png') }]) {
      await writeFile(join(dir, 'masks-edited', 'edits.json'), JSON.stringify({ format: 'seglens-edited-masks', version: 1, masks }));
      const ws = new Workspace({ demoDir: join(tmp, 'demo') });
      await expect(ws.openProject({ dir })).rejects.toMatchObject({ name: 'ConfigError', message: expect.stringMatching(/edits\.json is not valid/) });
      await ws.close();
    }
  });

  it('a masks-edited/ that is a link out of the project: the save is refused naming the link, nothing written outside', async () => {
    const dir = await project('linked');
    const outside = join(tmp, 'linked', 'elsewhere');
    await symlink(outside, join(dir, 'masks-edited'));
    const ws = new Workspace({ demoDir: join(tmp, 'demo') });
    try {
      await ws.openProject({ dir });
      const m = await ws.getMaskPixels({ name: 'demo_01' });
      const e = await ws.saveMask({ name: 'demo_01', width: 32, height: 32, baseVersion: m.version, data: Uint8Array.from(m.data).fill(1) }).catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'WriteRefusedError' });
      expect((e as Error).message).toMatch(/leads out of the project folder .* through the symbolic link .*masks-edited \(to .*elsewhere\)/);
    } finally {
      await ws.close();
    }
    expect(await readdir(outside)).toEqual(['x']);
  });
});
