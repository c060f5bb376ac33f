// Issue 13: nothing lost, nothing overwritten. Through the real `seglens` binary on a real (tiny)
// training run of the demo project: predictions into the mask folder, into the image folder (TIFF
// images, PNG masks) or through a link to it are refused with nothing written; a report of a run
// folder that is a link out of the project is refused; a run whose `best` was lost between the two
// renames of a checkpoint swap predicts from `best.old`; two `train --resume` of one run at once:
// one trains, the other is told who holds the run, and the history has every epoch once.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistory } from '../../src/seg/history.ts';
import { tinyRun } from '../app/report-run.ts';
import { seglens } from '../helpers/cli.ts';

let tmp: string;
let project: string;
let runDir: string;

/** Every file under `dir` with a hash of its bytes: a folder's state, to compare before and after. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out[relative(dir, p)] = createHash('sha1').update(await readFile(p)).digest('hex');
    }
  };
  await walk(dir);
  return out;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-write-paths-'));
  const t = await tinyRun(tmp, { plantErrors: false });
  project = t.project;
  runDir = t.run.runDir;
}, 300_000);
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('seglens predict never writes among the project inputs', () => {
  it('--out MASKS (the ground truth): exit 2 naming the mask folder, nothing written', async () => {
    const before = await snapshot(project);
    const r = await seglens(['predict', runDir, join(project, 'images'), '--out', join(project, 'masks')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/seglens predict: .*masks.predict\.json would be written into the mask folder \(.*masks\)/);
    expect(r.stderr).toMatch(/Choose an output folder that holds no images or masks/);
    expect(await snapshot(project)).toEqual(before);
  });

  it('--out the image folder (TIFF images, PNG masks beside them): refused, nothing written', async () => {
    const before = await snapshot(project);
    const r = await seglens(['predict', runDir, join(project, 'images'), '--out', join(project, 'images')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/would be written into the image folder/);
    expect(await snapshot(project)).toEqual(before);
  });

  it('--out a symbolic link to the image folder: refused by its real path, nothing written', async () => {
    const link = join(tmp, 'looks-harmless');
    await symlink(join(project, 'images'), link);
    const before = await snapshot(project);
    const r = await seglens(['predict', runDir, join(project, 'images'), '--out', link]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/would be written into the image folder/);
    expect(await snapshot(project)).toEqual(before);
  });

  it('a new folder of the user\'s choice is written as before', { timeout: 120_000 }, async () => {
    const out = join(tmp, 'preds');
    const r = await seglens(['predict', runDir, join(project, 'images', 'demo_01.tif'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['demo_01.png', 'predict.json']);
  });
});

describe('run folders', () => {
  it('a report of a run folder that is a link out of the project is refused before anything is read or written', async () => {
    const away = join(tmp, 'elsewhere', 'moved-run');
    await mkdir(join(tmp, 'elsewhere'));
    await cp(runDir, away, { recursive: true });
    await symlink(away, join(project, 'runs', 'linked'));
    const before = await snapshot(join(tmp, 'elsewhere'));
    const r = await seglens(['report', join(project, 'runs', 'linked')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/the run folder .*runs.linked is inside the project folder .* but really lies at .*moved-run \(.*runs.linked is a symbolic link to .*moved-run\)/);
    expect(await snapshot(join(tmp, 'elsewhere'))).toEqual(before);
    await rm(join(project, 'runs', 'linked'));
  });

  it('a run left with best.old only (killed between the renames of a checkpoint swap) predicts from it', { timeout: 120_000 }, async () => {
    const copy = join(project, 'runs', 'swapped');
    await cp(runDir, copy, { recursive: true });
    await rename(join(copy, 'best'), join(copy, 'best.old'));
    const out = join(tmp, 'from-old');
    const r = await seglens(['predict', copy, join(project, 'images', 'demo_02.tif'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/model .*swapped.best\.old/);
    expect(existsSync(join(out, 'demo_02.png'))).toBe(true);
    await rm(copy, { recursive: true });
  });

  it('two `train --resume` of one run at once: one trains, the other names the holder and exits 2; every epoch once', { timeout: 300_000 }, async () => {
    const before = parseHistory(await readFile(join(runDir, 'metrics.jsonl'), 'utf8'));
    const args = ['train', project, '--resume', runDir, '--epochs', String(before.length + 2)];
    const [a, b] = await Promise.all([seglens(args), seglens(args)]);
    const [won, lost] = a.code === 0 ? [a, b] : [b, a];
    expect(won.code, `${a.stderr}\n${b.stderr}`).toBe(0);
    expect(lost.code, lost.stderr).toBe(2);
    expect(lost.stderr).toMatch(/seglens \(pid \d+, since .*\) is training the run .*Two trainings of one run would overwrite each other: wait for that one to finish, or stop it/);
    expect(lost.stderr).not.toMatch(/ENOENT/);
    const after = parseHistory(await readFile(join(runDir, 'metrics.jsonl'), 'utf8'));
    expect(after.map((e) => e.epoch)).toEqual(Array.from({ length: before.length + 2 }, (_, i) => i + 1));
    const info = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as { sessions: unknown[]; status: string };
    expect(info.sessions).toHaveLength(2);
    expect(info.status).toBe('finished');
    // The lock is gone with its holder.
    expect((await readdir(runDir)).filter((f) => f.includes('lock'))).toEqual([]);
    expect((await stat(join(runDir, 'last'))).isDirectory()).toBe(true);
  });

  it('a run lock left by a killed trainer is taken over, and the output says whose it was', { timeout: 300_000 }, async () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = { format: 'seglens-lock', pid: gone, host: hostname(), started: '2026-01-01T00:00:00.000Z', what: `training the run ${runDir}`, procStart: null, token: 'dead' };
    await writeFile(join(runDir, '.seglens-train.lock'), JSON.stringify(stale));
    const epochs = parseHistory(await readFile(join(runDir, 'metrics.jsonl'), 'utf8')).length;
    const r = await seglens(['train', project, '--resume', runDir, '--epochs', String(epochs + 1)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`note: the run's lock was left by seglens (pid ${gone}, since 2026-01-01T00:00:00.000Z), which is no longer running; taken over.`);
    expect(existsSync(join(runDir, '.seglens-train.lock'))).toBe(false);
  });
});
