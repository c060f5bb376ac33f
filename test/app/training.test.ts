// Training jobs run in a child process and their events reach the engine's sink as contract
// events. The plumbing (start, relay, one job at a time, stop, failure) is checked with a job
// double; one short real run checks the src/train adapter end to end (run folder, per-epoch
// preview, predictions of every image, metrics table). The data gate (issue 11): a critical
// finding refuses training as `seglens train` does, until the images are excluded (an edit of the
// project: only the window holding its edit lock makes it); a run trained outside the app is
// predicted on demand, through the run's write gate, and scored like an app run.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rename, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvent } from '../../src/api/index.ts';
import type { ContractEvent, ContractEvents } from '../../src/api/index.ts';
import { Workspace } from '../../src/app/workspace.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { Trainer } from '../../src/train/trainer/trainer.ts';

const FAKE = fileURLToPath(new URL('./fixtures/fake-train-job.ts', import.meta.url));
let tmp: string;
let proj: string;
/** The same demo with its planted annotation errors (demo_02's mask shifted: a critical finding). */
let planted: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-train-'));
  proj = join(tmp, 'p');
  planted = join(tmp, 'planted');
  await generateDemoProject(proj, { count: 6, size: 64, seed: 2, plantErrors: false });
  await generateDemoProject(planted, { count: 6, size: 64, seed: 2 });
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

  it('checks every message of the job against the contract: an invalid one fails the job, naming the field', async () => {
    const { ws, events, next } = collecting(FAKE);
    await ws.openProject({ dir: proj });
    const finished = next('training.finished');
    await ws.startTraining({ epochs: 3, seed: 14 });
    const end = await finished;
    expect(end).toMatchObject({ status: 'failed', error: { name: 'ValidationError', message: /invalid message \(step: /, details: { where: 'training process message' } } });
    // Nothing of the bad message reached the page.
    expect(events.filter((e) => e.type === 'training.step')).toEqual([]);
    expect((await ws.trainingStatus()).jobs[0].state).toBe('failed');
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

describe('the data gate and exclusions', () => {
  it('refuses training on a critical finding, names it, and starts once the images are excluded', { timeout: 60_000 }, async () => {
    const { ws } = collecting(FAKE);
    await ws.openProject({ dir: planted });
    const inspect = await ws.inspectProject();
    expect(inspect.blocking).toBe(true);
    const blocking = inspect.findings.filter((f) => f.blocking);
    const pairing = blocking.find((f) => f.id === 'pairing-suspect')!;
    expect(pairing.severity).toBe('critical');
    expect(pairing.images).toContain('demo_02');
    const err = (await ws.startTraining({ epochs: 1 }).then(
      () => null,
      (e: unknown) => e,
    )) as { name: string; message: string; details: { blockers: { id: string; images: string[] }[] } };
    expect(err).toMatchObject({ name: 'BlockedError' });
    expect(err.message).toContain('pairing-suspect (demo_02');
    expect(err.details.blockers.map((b) => b.id)).toEqual(blocking.map((f) => f.id));
    // The image list counts the finding as a problem of that image.
    const row = (await ws.listImages()).images.find((i) => i.name === 'demo_02')!;
    expect(row.problemCount).toBeGreaterThan(0);

    const images = [...new Set(blocking.flatMap((f) => f.images))];
    const r = await ws.setExclusions({ exclude: images.map((name) => ({ name, reason: 'pairing-suspect' })) });
    expect(r.excluded.map((e) => e.name).sort()).toEqual([...images].sort());
    const file = JSON.parse(readFileSync(join(planted, 'seglens.json'), 'utf8')) as { exclude: { image: string; reason: string }[] };
    expect(file.exclude.map((e) => e.image).sort()).toEqual([...images].sort());
    const again = await ws.inspectProject();
    expect(again.blocking).toBe(false);
    expect(again.findings.some((f) => f.id === 'pairing-suspect')).toBe(true); // still reported, no longer blocking
    const split = await ws.previewSplit({ valFraction: 0.34, seed: 1 });
    expect(split.excluded.map((e) => e.name).sort()).toEqual([...images].sort());
    expect(split.assignments.some((a) => images.includes(a.name))).toBe(false);
    const listed = await ws.listImages();
    expect(listed.images.find((i) => i.name === 'demo_02')!.excluded).toEqual({ reason: 'pairing-suspect' });
    const { runId } = await ws.startTraining({ epochs: 1 });
    expect(runId).toBe('fake-run');
    // Brought back, the image blocks again.
    await ws.setExclusions({ include: ['demo_02'] });
    expect((await ws.inspectProject()).blocking).toBe(true);
    await expect(ws.setExclusions({ exclude: [{ name: 'no-such-image' }] })).rejects.toMatchObject({ name: 'ConfigError', message: /no-such-image/ });
    await ws.close();
  });

  it('are an edit of the project: a window without the edit lock refuses them and writes nothing', { timeout: 60_000 }, async () => {
    const first = collecting(FAKE).ws;
    const second = collecting(FAKE).ws;
    await first.openProject({ dir: planted });
    const summary = await second.openProject({ dir: planted });
    expect(summary.readOnly).toMatch(/editing the masks/);
    const before = readFileSync(join(planted, 'seglens.json'), 'utf8');
    await expect(second.setExclusions({ exclude: [{ name: 'demo_01', reason: 'test' }] })).rejects.toMatchObject({ name: 'LockedError', message: /^Not changed/ });
    expect(readFileSync(join(planted, 'seglens.json'), 'utf8')).toBe(before);
    // Once the first window closes, the second takes the lock and may change the list.
    await first.close();
    expect((await second.setExclusions({ exclude: [{ name: 'demo_01', reason: 'test' }] })).excluded.map((e) => e.name)).toContain('demo_01');
    await second.setExclusions({ include: ['demo_01'] });
    await second.close();
  });
});

describe('a run trained outside the app', () => {
  it('is predicted on demand (cached, with progress), split-aware, and its validation headline is the figure training recorded', { timeout: 180_000 }, async () => {
    const trainer = new Trainer({ project: proj, config: { epochs: 2, stepsPerEpoch: 3, patch: 32, batch: 2, seeds: { split: 1, init: 1, sampling: 1, augmentation: 1 } } });
    const result = await trainer.fit();
    trainer.dispose();
    const { ws, events } = collecting();
    await ws.openProject({ dir: proj });
    const runId = result.runId;
    const before = (await ws.listRuns()).runs.find((r) => r.runId === runId)!;
    expect(before).toMatchObject({ predictions: 0, hasBest: true });
    expect(before.split!.val).toBeGreaterThan(0);
    const empty = await ws.metricsTable({ runId, split: 'val' });
    expect(empty.rows).toHaveLength(0);
    expect(empty.scope.unpredicted).toHaveLength(before.split!.val);

    const first = await ws.predictRun({ runId, images: 'val' });
    expect(first).toMatchObject({ runId, predicted: before.split!.val, cached: 0, problems: [] });
    expect(first.epoch).toBe(result.bestEpoch);
    expect(first.backend?.name).toBeTruthy();
    expect(events.some((e) => e.type === 'task.progress' && e.payload.task === 'predict')).toBe(true);
    const second = await ws.predictRun({ runId, images: 'val' });
    expect(second).toMatchObject({ predicted: 0, cached: before.split!.val, backend: null });

    const table = await ws.metricsTable({ runId, split: 'val' });
    expect(table.scope).toMatchObject({ split: 'val', splitSource: 'run', scored: before.split!.val, unpredicted: [] });
    expect(table.rows.every((r) => r.split === 'val')).toBe(true);
    const best = result.best!;
    expect(table.summary.meanForegroundDice).toBeCloseTo(best.val.meanForegroundDice as number, 9);
    // The project has no split manifest: the image list shows the run's sides when asked.
    const listed = await ws.listImages({ runId });
    expect(listed.splitSource).toEqual({ kind: 'run', runId });
    expect(listed.images.filter((i) => i.split === 'val').map((i) => i.name).sort()).toEqual(table.rows.map((r) => r.name).sort());
    expect((await ws.listImages()).splitSource).toEqual({ kind: 'none' });
    const one = await ws.imageMetrics({ runId, name: table.rows[0].name });
    expect(one.row).toEqual(table.rows[0]);
    const train = listed.images.find((i) => i.split === 'train')!.name;
    expect((await ws.imageMetrics({ runId, name: train })).note).toMatch(/predict it/);
    const single = await ws.predictRun({ runId, name: train });
    expect(single.predicted).toBe(1);
    expect((await ws.imageMetrics({ runId, name: train })).row?.split).toBe('train');

    // Stored predictions are written through the run's write gate: a predictions folder replaced by
    // a link that leads out of the run and the project is refused, and nothing is written there.
    const preds = join(result.runDir, 'predictions');
    const outside = await mkdtemp(join(tmpdir(), 'seglens-outside-'));
    await rename(preds, `${preds}.kept`);
    await symlink(outside, preds);
    await expect(ws.predictRun({ runId, images: 'all' })).rejects.toMatchObject({ name: 'WriteRefusedError' });
    expect(readdirSync(outside)).toEqual([]);
    await rm(preds);
    await rename(`${preds}.kept`, preds);
    await rm(outside, { recursive: true, force: true });
    await ws.close();
  });
});
