// Issue 13: the RunAsNode fuse is off, so the engine (an Electron utility process) cannot fork
// trainings or reports as Node children; the main process starts them as utility processes of
// their own and relays their messages (electron/job-relay.ts, engine-jobs.ts). Electron cannot run
// here, so, as in engine-process.test.ts, the real engine (out/node/engine.js) is a Node child with
// a parentPort shim, with child_process.fork and spawns of the Node binary made to fail as they
// would with the fuse off; the job processes are Node children of out/node/worker.js with the same shim,
// started by EngineHost's forkJob as main.ts starts them with utilityProcess.fork. A real training
// and a real report run through it.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContractEvent } from '../../src/api/contract.ts';
import { EngineHost } from '../../electron/engine-host.ts';
import type { UtilityProcessLike } from '../../electron/engine-host.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { REPO } from '../helpers/paths.ts';

const ENGINE = fileURLToPath(new URL('../../out/node/engine.js', import.meta.url));
const JOB = fileURLToPath(new URL('../../out/node/worker.js', import.meta.url));
const SHIM = new URL('./helpers/parent-port-shim.mjs', import.meta.url).href;
const NO_RUN_AS_NODE = new URL('./helpers/no-run-as-node.mjs', import.meta.url).href;

let tmp: string;
let host: EngineHost;
const children: ChildProcess[] = [];
const events: ContractEvent[] = [];
let jobsStarted = 0;

function utility(entry: string, imports: string[]): UtilityProcessLike {
  const child = fork(entry, [], { execArgv: imports.flatMap((i) => ['--import', i]), serialization: 'advanced', env: { ...process.env, SEGLENS_HOME: tmp }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return {
    postMessage: (m) => void child.send(m as never),
    on: ((ev: 'message' | 'exit', l: (x: unknown) => void) => {
      if (ev === 'message') child.on('message', l);
      else child.on('exit', (code) => l(code ?? 1));
      return child;
    }) as UtilityProcessLike['on'],
    kill: () => child.kill(),
  };
}

const call = async (method: string, params: unknown = {}) => {
  const r = await host.request({ kind: 'call', method, params });
  if (!r.ok) throw new Error(`${r.error.name}: ${r.error.message}`);
  return r.result as Record<string, unknown>;
};

function eventOf<T extends ContractEvent['type']>(type: T, timeoutMs: number): Promise<Extract<ContractEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms; events: ${events.map((e) => e.type).join(', ')}`)), timeoutMs);
    const check = setInterval(() => {
      const e = events.find((x) => x.type === type);
      if (e) {
        clearTimeout(timer);
        clearInterval(check);
        resolve(e as Extract<ContractEvent, { type: T }>);
      }
    }, 50);
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-job-relay-'));
  await generateDemoProject(join(tmp, 'proj'), { count: 6, size: 32, plantErrors: false });
  host = new EngineHost({
    fork: () => utility(ENGINE, [SHIM, NO_RUN_AS_NODE]),
    forkJob: () => {
      jobsStarted++;
      return utility(JOB, [SHIM, NO_RUN_AS_NODE]);
    },
    onEvent: (e) => events.push(e),
    log: () => {},
  });
  host.start();
}, 60_000);

afterAll(async () => {
  await host?.shutdown(5_000);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(tmp, { recursive: true, force: true });
});

describe('job processes with the RunAsNode fuse off', () => {
  it('electron-builder turns the fuse off and packages the job entry', async () => {
    const yml = await readFile(join(REPO, 'electron-builder.yml'), 'utf8');
    expect(yml).toMatch(/^electronFuses:\n(?: {2}.*\n|\s*#.*\n)*? {2}runAsNode: false$/m);
    expect(yml).toMatch(/^ {2}- out\/node\/\*\*$/m);
  });

  it('a training runs in a job process main started, and its events reach the page', { timeout: 240_000 }, async () => {
    await call('openProject', { dir: join(tmp, 'proj') });
    const started = await call('startTraining', { epochs: 1, patch: 32, batchSize: 2, stepsPerEpoch: 2, seed: 1 });
    const finished = await eventOf('training.finished', 200_000);
    expect(finished.payload.error, JSON.stringify(finished.payload.error)).toBeNull();
    expect(finished.payload.status).toBe('finished');
    expect(finished.payload.runId).toBe(started.runId);
    expect(events.some((e) => e.type === 'training.epoch')).toBe(true);
    expect(jobsStarted).toBe(1);
    expect(existsSync(join(tmp, 'proj', 'runs', String(started.runId), 'best', 'model.json'))).toBe(true);
  });

  it('a report is written by a job process main started too', { timeout: 240_000 }, async () => {
    const runs = (await call('listRuns')).runs as { runId: string }[];
    const before = jobsStarted;
    const r = await call('exportReport', { runId: runs[0].runId, format: 'html' });
    expect(jobsStarted).toBe(before + 1);
    expect(String(r.file)).toMatch(/report\.html$/);
    expect(await readFile(String(r.file), 'utf8')).toContain('<html');
  });
});
