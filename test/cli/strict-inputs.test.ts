// Issue 13, through the real binary: a class table with a misspelt key is refused (exit 2) naming
// the key's path, as seglens.json is; `split --out` is a path from the current folder, recorded so
// that the project still opens, and never onto an input.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/app/workspace.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { seglens } from '../helpers/cli.ts';

let tmp: string;
let proj: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-strict-'));
  proj = join(tmp, 'proj');
  await generateDemoProject(proj, { count: 6, size: 32, plantErrors: false });
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('class tables are strict', () => {
  it('a misspelt key ("valeus", "ignroe") exits 2 naming each, with its path', async () => {
    const table = join(tmp, 'typo.json');
    await writeFile(
      table,
      JSON.stringify({
        classes: [
          { name: 'background', values: [0], color: '#000000' },
          { name: 'nucleus', valeus: [1], color: '#3cb44b' },
          { name: 'boundary', values: [2], color: '#e6194b' },
        ],
        background: 'background',
        ignroe: [255],
      }),
    );
    const r = await seglens(['inspect', proj, '--classes', table]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toContain(`seglens: ${table} is not valid:`);
    expect(r.stderr).toContain('classes.1.valeus: unknown key (a typo?)');
    expect(r.stderr).toContain('ignroe: unknown key (a typo?)');
  });

  it('inside seglens.json too', async () => {
    const file = join(proj, 'seglens.json');
    const good = await readFile(file, 'utf8');
    const p = JSON.parse(good);
    p.classes.classes[2].colour = '#ffffff';
    await writeFile(file, JSON.stringify(p));
    try {
      const r = await seglens(['inspect', proj]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('classes.classes.2.colour: unknown key (a typo?)');
    } finally {
      await writeFile(file, good);
    }
  });
});

describe('seglens split --out', () => {
  it('is resolved against the current folder and recorded so that the project still opens', { timeout: 60_000 }, async () => {
    const cwd = join(tmp, 'elsewhere');
    await mkdir(cwd);
    const r = await seglens(['split', proj, '--seed', '1', '--out', 'mysplit.json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const written = join(cwd, 'mysplit.json');
    expect(JSON.parse(await readFile(written, 'utf8')).version).toBe(1);
    expect(JSON.parse(await readFile(join(proj, 'seglens.json'), 'utf8')).split).toBe(written);
    const ws = new Workspace({ demoDir: join(tmp, 'demo') });
    try {
      expect(resolve(proj, (await ws.openProject({ dir: proj })).splitFile!)).toBe(written);
    } finally {
      await ws.close();
    }
  });

  it('onto a mask (or the project file) exits 2 and replaces nothing', { timeout: 60_000 }, async () => {
    const mask = join(proj, 'masks', 'demo_01.png');
    const before = await readFile(mask);
    const project = await readFile(join(proj, 'seglens.json'), 'utf8');
    const r = await seglens(['split', proj, '--seed', '1', '--out', mask]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/seglens split: .*demo_01\.png is the mask of demo_01, which the project reads: it is never replaced/);
    const r2 = await seglens(['split', proj, '--seed', '1', '--out', join(proj, 'seglens.json')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/is the project file, which the project reads/);
    expect(await readFile(mask)).toEqual(before);
    expect(await readFile(join(proj, 'seglens.json'), 'utf8')).toBe(project);
  });
});
