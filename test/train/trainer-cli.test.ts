// `seglens train` through the real binary: every bad argument and project problem refused before
// any work, a tiny run's output, and Ctrl-C (SIGINT) writing `last` with the resume command.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { seglens } from '../helpers/cli.ts';
import { REPO } from '../helpers/paths.ts';

let tmp: string;
let project: string;
const TINY = ['--epochs', '2', '--steps', '2', '--patch', '32', '--batch', '2', '--backend', 'wasm'];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-train-cli-'));
  project = join(tmp, 'demo');
  await generateDemoProject(project, { size: 64, count: 8, plantErrors: false, seed: 3 });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The command in this process (argument checks need no child process): exit code and stderr. */
async function inProcess(args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const code = await main(['node', 'seglens', ...args]);
    return { code, stderr: lines.join('\n') };
  } finally {
    err.mockRestore();
    write.mockRestore();
    log.mockRestore();
  }
}

describe('seglens train refuses bad input before any work', () => {
  it.each([
    [['--patch', '100'], /patch 100 is not a multiple of 16/],
    [['--lr', 'fast'], /--lr takes a number/],
    [['--epochs', '2.5'], /--epochs takes a whole number/],
    [['--loss', 'l2'], /Allowed choices are ce, weighted-ce, dice, dice-ce, focal/],
    [['--resume', 'runs/x', '--lr', '0.01'], /--resume continues a run with its own settings.*--lr/],
    // The flags are named as the API names the options (issue 14); the old names still work, not both.
    [['--learning-rate', 'fast'], /--learning-rate takes a number/],
    [['--resume', 'runs/x', '--batch-size', '2'], /--resume continues a run with its own settings.*--batch-size/],
    [['--batch-size', '2', '--batch', '4'], /Give --batch-size or --batch \(its old name\), not both/],
    [['--val-fraction', '0.95'], /--val-fraction/],
    [['--backend', 'gpu'], /Allowed choices are tensorflow-gpu, webgpu, native, tensorflow, wasm, cpu/],
  ])('%j', async (args, message) => {
    const r = await inProcess(['train', project, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(project, 'runs'))).toBe(false);
  });

  it('names its options as the API does (batchSize, stepsPerEpoch, learningRate, valFraction), the old flags hidden', async () => {
    const r = await seglens(['train', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--batch-size', '--steps-per-epoch', '--learning-rate', '--val-fraction']) expect(r.stdout).toContain(flag);
    for (const old of [/--batch </, /--steps </, /--lr </, /--val </]) expect(r.stdout).not.toMatch(old);
  });

  it('a folder that does not exist', async () => {
    const r = await inProcess(['train', join(tmp, 'nowhere')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nowhere does not exist/);
  });

  it('a project with a blocking problem: listed, exit 1, no run folder', async () => {
    const bad = join(tmp, 'bad');
    await generateDemoProject(bad, { size: 64, count: 4, plantErrors: false, seed: 3 });
    await copyFile(join(bad, 'masks', 'demo_01.png'), join(bad, 'masks', 'orphan.png'));
    const r = await inProcess(['train', bad, ...TINY]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot be trained on as it is/);
    expect(r.stderr).toMatch(/\[missing-partner\][^\n]*\n[\s\S]*?file: masks\/orphan\.png/);
    expect(existsSync(join(bad, 'runs'))).toBe(false);
  });
});

describe('critical findings gate training; seglens exclude lifts them (issue 11)', () => {
  it('names each blocking finding, says how to exclude, and trains once the images are excluded', { timeout: 120_000 }, async () => {
    const planted = join(tmp, 'planted');
    await generateDemoProject(planted, { size: 64, count: 8, seed: 3 });
    const refused = await inProcess(['train', planted, ...TINY]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toMatch(/no blocking problem/);
    const m = /CRITICAL \[pairing-suspect\] [^:]+: ([\w, ]+)/.exec(refused.stderr);
    expect(m, refused.stderr).not.toBeNull();
    const images = m![1].split(', ');
    expect(refused.stderr).toContain(`seglens exclude ${planted} ${images.join(' ')}`);
    expect(existsSync(join(planted, 'runs'))).toBe(false);

    const typo = await seglens(['exclude', planted, 'demo_99']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/demo_99: no image of the project/);
    const ex = await seglens(['exclude', planted, ...images, '--reason', 'mask belongs to another image']);
    expect(ex.code, ex.stderr).toBe(0);
    expect(ex.stdout).toContain(`${images[0]}: mask belongs to another image`);
    const inspect = await seglens(['inspect', planted]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/Excluded from training by the project file/);
    const r = await seglens(['train', planted, ...TINY]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${images.length} image\\(s\\) excluded by the project file`));
    const [run] = await readdir(join(planted, 'runs'));
    const split = JSON.parse(await readFile(join(planted, 'runs', run, 'split.json'), 'utf8')) as Record<'train' | 'val' | 'test', string[]>;
    for (const name of images) expect([...split.train, ...split.val, ...split.test]).not.toContain(name);
    const info = JSON.parse(await readFile(join(planted, 'runs', run, 'run.json'), 'utf8')) as { excluded: { image: string; reason: string }[] };
    expect(info.excluded.map((e) => e.image).sort()).toEqual([...images].sort());
    const back = await seglens(['exclude', planted, images[0], '--include', '--json']);
    expect(JSON.parse(back.stdout).exclude.map((e: { image: string }) => e.image)).not.toContain(images[0]);
  });
});

describe('seglens train on the demo', () => {
  it('prints the backend, the split, one line per epoch with every class, and the best model', async () => {
    const r = await seglens(['train', project, ...TINY, '--out', join(tmp, 'runs-cli')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend wasm: @tensorflow\/tfjs-backend-wasm/m);
    expect(r.stdout).toMatch(/split: \d+ train \/ \d+ val \/ 0 test images, made for this run \(seed 0\)/);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('epoch '));
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/train \d\.\d{4} {2}val \d\.\d{4} {2}\| Dice background\(bg\) \d\.\d{3} {2}nucleus \d\.\d{3} {2}boundary (\d\.\d{3}|n\/a) \| fg mean/);
    expect(r.stdout).toMatch(/finished: all 2 epochs done/);
    expect(r.stdout).toMatch(/model: .*best/);
    const runs = await readdir(join(tmp, 'runs-cli'));
    expect(runs).toHaveLength(1);
  });

  it('Ctrl-C finishes the step, writes last and prints how to resume; the resume then finishes', async () => {
    const out = join(tmp, 'runs-sigint');
    const child = spawn(process.execPath, [join(REPO, 'bin', 'seglens.js'), 'train', project, '--epochs', '50', '--steps', '3', '--patch', '32', '--batch', '2', '--backend', 'wasm', '--out', out], {
      cwd: tmp,
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number>((resolve) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (!sent && /^epoch +1\/50/m.test(stdout)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', (c) => resolve(c ?? -1));
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Stopping after the current step/);
    expect(stdout).toMatch(/stopped: stopped/);
    const resume = stdout.match(/Resume with: seglens train (\S+) --resume (\S+)/);
    expect(resume).not.toBeNull();
    const runDir = join(tmp, resume![2]);
    const state = JSON.parse(await readFile(join(runDir, 'last', 'state.json'), 'utf8'));
    expect(state.epoch).toBeGreaterThanOrEqual(1);
    const r = await seglens(['train', project, '--resume', runDir, '--epochs', String(state.epoch + 1)], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/resumed after epoch/);
    expect(r.stdout).toMatch(/finished: all \d+ epochs done/);
  });
});
