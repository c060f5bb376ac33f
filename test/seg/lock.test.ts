// Single writer (src/seg/lock.ts): a live holder is named with what to do; a holder that is gone
// (its pid no longer runs, or runs a newer process) is taken over and reported; a holder on another
// host cannot be checked and is respected. And the history a run's writers leave must be one run's:
// a repeated or missing epoch in metrics.jsonl is an error when read.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistory } from '../../src/seg/history.ts';
import { FileLock, LockedError } from '../../src/seg/lock.ts';
import type { LockHolder } from '../../src/seg/lock.ts';
import { testGate } from '../helpers/gate.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-lock-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const opts = { what: 'training the run r1', advice: 'Wait for it.' };
const holder = (o: Partial<LockHolder>): LockHolder => ({ format: 'seglens-lock', pid: 1, host: hostname(), started: '2026-01-01T00:00:00Z', what: 'editing', procStart: null, token: 'abc', ...o });

describe('FileLock', () => {
  it('one holder at a time; the second is told who holds it, since when, what to do and which file to delete', async () => {
    const gate = await testGate(dir);
    const file = join(dir, 'a.lock');
    const first = await FileLock.acquire(gate, file, opts);
    const e = await FileLock.acquire(gate, file, { what: 'x', advice: 'Wait for it.' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LockedError);
    expect((e as Error).message).toBe(`seglens (pid ${process.pid}, since ${first.holder.started}) is training the run r1. Wait for it. If no seglens is running there any more, delete ${file}.`);
    await first.release();
    const again = await FileLock.acquire(gate, file, opts);
    expect(again.tookOver).toBeNull();
    await again.release();
    expect((await readdir(dir)).filter((f) => f.startsWith('a.lock'))).toEqual([]);
  });

  it('a lock left by a process that is gone is taken over, and says whose it was', async () => {
    const gate = await testGate(dir);
    const file = join(dir, 'dead.lock');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    await writeFile(file, JSON.stringify(holder({ pid: gone, what: 'training the run r0' })));
    const lock = await FileLock.acquire(gate, file, opts);
    expect(lock.tookOver).toMatchObject({ pid: gone, what: 'training the run r0' });
    expect(await lock.held()).toBe(true);
    await lock.release();
  });

  it('a reused pid is not the holder (Linux: the process start differs)', async () => {
    const gate = await testGate(dir);
    const file = join(dir, 'reused.lock');
    await writeFile(file, JSON.stringify(holder({ pid: process.pid, procStart: 1 })));
    const lock = await FileLock.acquire(gate, file, opts);
    expect(lock.tookOver?.pid).toBe(process.pid);
    await lock.release();
  });

  it('a holder on another host is respected, and named with its host', async () => {
    const gate = await testGate(dir);
    const file = join(dir, 'remote.lock');
    await writeFile(file, JSON.stringify(holder({ pid: 4242, host: 'other-machine' })));
    await expect(FileLock.acquire(gate, file, opts)).rejects.toThrow(/seglens \(pid 4242 on other-machine, since 2026-01-01T00:00:00Z\) is editing/);
  });

  it('a damaged lock file (not a lock) is taken over once it is old enough not to be one being written', async () => {
    const gate = await testGate(dir);
    const file = join(dir, 'damaged.lock');
    await writeFile(file, '{"form');
    await utimes(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const lock = await FileLock.acquire(gate, file, opts);
    expect(await lock.held()).toBe(true);
    await lock.release();
  });
});

describe('metrics.jsonl', () => {
  const line = (epoch: number) =>
    JSON.stringify({
      epoch,
      trainLoss: 1,
      valLoss: null,
      lr: 0.001,
      seconds: 1,
      steps: 2,
      val: { meanForegroundDice: 0.5, meanForegroundIoU: 0.4, meanDiceWithBackground: 0.7, channelSummedDice: 0.9, pixelAccuracy: 0.9, allBackgroundAccuracy: 0.8, classes: [] },
      monitor: { name: 'meanForegroundDice', value: 0.5, best: true },
    });

  it('reads epochs 1, 2, 3; a torn last line is dropped', () => {
    expect(parseHistory([line(1), line(2), line(3), '{"epo'].join('\n')).map((e) => e.epoch)).toEqual([1, 2, 3]);
  });

  it('an epoch written twice (two trainings at once) is an error naming the line', () => {
    expect(() => parseHistory([line(1), line(2), line(2), line(3)].join('\n'), 'runs/r1/metrics.jsonl')).toThrow(
      /runs\/r1\/metrics\.jsonl line 3 holds epoch 2 again \(line 2 has it already\): the history is not one run's/,
    );
  });

  it('a missing epoch is an error naming it', () => {
    expect(() => parseHistory([line(1), line(3)].join('\n'))).toThrow(/line 2 holds epoch 3 where epoch 2 should come \(epoch 2 is missing\)/);
    expect(() => parseHistory([line(2)].join('\n'))).toThrow(/epoch 1 is missing/);
  });
});
