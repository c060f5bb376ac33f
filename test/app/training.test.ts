// Training jobs run in a child process and their events reach the engine's sink as contract
// events. The plumbing (start, relay, one job at a time, stop, failure) is checked with a job
// double; one short real run checks the src/train adapter end to end (run folder, per-epoch
// preview, predictions of every image, metrics table).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent } from '../../src/api/index.ts';
import type { ContractEvent, ContractEvents } from '../../src/api/index.ts';
import { Workspace } from '../../src/app/workspace.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';

const FAKE = fileURLToPath(new URL('./fixtures/fake-train-job.ts', import.meta.url));
let tmp: string;
let proj: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-train-'));
  proj = join(tmp, 'p');
  await generateDemoProject(proj, { count: 6, size: 64, seed: 2 });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A workspace whose events are collected (and checked against the contract) and awaitable. */
function collecting(jobModule?: string) {
  const events: ContractEvent[] = [];
  const waiters: { type: string; resolve: (e: ContractEvent) => void }[] = [];
  const ws = new Workspace({
    demoDir: join(tmp, 'demo'),
    ...(jobModule ? { jobModule } : {}),
    stopGraceMs: 20_000,
    emit: (e) => {
      events.push(parseEvent(e)); // every relayed event must satisfy its schema
      for (const w of waiters.filter((w) => w.type === e.type)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    },
  });
  const next = <K extends ContractEvent['type']>(type: K) =>
    new Promise<ContractEvents[K]>((resolve) => waiters.push({ type, resolve: (e) => resolve(e.payload as ContractEvents[K]) }));
  return { ws, events, next };
}

describe('training jobs (job double)', () => {
  it('starts in a child process, relays its events as contract events, and finishes', async () => {
    const { ws, events, next } = collecting(FAKE);
    await ws.openProject({ dir: proj });
    const finished = next('training.finished');
    const { jobId, runId } = await ws.startTraining({ epochs: 3 });
    expect(runId).toBe('fake-run');
    const end = await finished;
    expect(end).toMatchObject({ jobId, runId, status: 'finished', epochs: 3, bestEpoch: 3, error: null });
    const types = events.filter((e) => e.type.startsWith('training.')).map((e) => e.type);
    expect(types).toEqual(['training.started', ...Array(3).fill(['training.step', 'training.epoch']).flat(), 'training.finished']);
    const step = events.find((e) => e.type === 'training.step')!.payload as ContractEvents['training.step'];
    expect(step.loss).toBeNull(); // NaN loss crosses as null, never as a number
    const status = (await ws.trainingStatus()).jobs[0];
    expect(status).toMatchObject({ jobId, runId, state: 'finished', epoch: 3, backend: { name: 'fake' } });
    await ws.close();
  });

  it('refuses a second training while one runs, and stops the running one on request', async () => {
    const { ws, next } = collecting(FAKE);
    await ws.openProject({ dir: proj });
    const { jobId } = await ws.startTraining({ epochs: 10_000 });
    await expect(ws.startTraining({ epochs: 1 })).rejects.toMatchObject({ name: 'BusyError' });
    await next('training.epoch');
    const finished = next('training.finished');
    expect(await ws.stopTraining({ jobId })).toEqual({ stopping: true });
    const end = await finished;
    expect(end.status).toBe('stopped');
    expect(end.epochs).toBeGreaterThanOrEqual(1);
    expect((await ws.trainingStatus()).jobs[0].state).toBe('stopped');
    expect(await ws.stopTraining({ jobId })).toEqual({ stopping: false });
    await expect(ws.stopTraining({ jobId: 'nope' })).rejects.toMatchObject({ name: 'NotFoundError' });
    await ws.close();
  });

  it('rejects the start with the job\'s own typed error when it fails before starting', async () => {
    const { ws, events } = collecting(FAKE);
    await ws.openProject({ dir: proj });
    await expect(ws.startTraining({ seed: 13 })).rejects.toMatchObject({ name: 'ConfigError', message: /masks\/a\.png is empty/ });
    const end = events.find((e) => e.type === 'training.finished')!.payload as ContractEvents['training.finished'];
    expect(end).toMatchObject({ status: 'failed', error: { name: 'ConfigError' } });
    // The engine is free for the next job.
    const { runId } = await ws.startTraining({ epochs: 1 });
    expect(runId).toBe('fake-run');
    await ws.close();
  });
});

describe('training jobs (src/train)', () => {
  it('trains a tiny U-Net, previews each epoch, predicts every image and tabulates the run', { timeout: 120_000 }, async () => {
    const { ws, events, next } = collecting();
    await ws.openProject({ dir: proj });
    const finished = next('training.finished');
    const { runId } = await ws.startTraining({ epochs: 2, stepsPerEpoch: 2, patch: 32, batchSize: 2, seed: 1 });
    const end = await finished;
    expect(end).toMatchObject({ runId, status: 'finished', epochs: 2, error: null });
    const started = events.find((e) => e.type === 'training.started')!.payload as ContractEvents['training.started'];
    expect(started.backend.reason.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'training.epoch')).toHaveLength(2);
    expect(events.some((e) => e.type === 'training.preview')).toBe(true);
    const run = (await ws.listRuns()).runs.find((r) => r.runId === runId)!;
    expect(run).toMatchObject({ status: 'finished', epochs: 2, predictions: 6, canResume: true });
    const preview = await ws.getPreviewPixels({ runId });
    expect([preview.width, preview.height]).toEqual([64, 64]);
    expect(preview.data.every((v) => v <= 2)).toBe(true);
    const table = await ws.metricsTable({ runId });
    expect(table.rows).toHaveLength(6);
    expect(existsSync(join(proj, 'runs', runId, 'predictions', 'index.json'))).toBe(true);
    await ws.close();
  });
});
