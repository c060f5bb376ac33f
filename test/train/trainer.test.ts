// The trainer on the built-in demo project (64x64, clean masks), a tiny U-Net (depth 2, base 4),
// 32-pixel patches and a few steps per epoch, on the wasm backend with the project kernels.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset, readPairLabels } from '../../src/seg/dataset/index.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { EpochRecordSchema, parseHistory } from '../../src/seg/history.ts';
import type { EpochRecord } from '../../src/seg/history.ts';
import { readImage } from '../../src/seg/image-io.ts';
import { Accumulator } from '../../src/seg/metrics/index.ts';
import { normalize } from '../../src/seg/normalize.ts';
import { readManifest } from '../../src/seg/split/index.ts';
import { tf } from '../../src/train/tf.ts';
import { serializeWeights, unpackWeights } from '../../src/train/model/weights.ts';
import { loadModel } from '../../src/train/predict/model-io.ts';
import { predictImage } from '../../src/train/predict/tiled.ts';
import { checkpointDir, readCheckpoint, TrainStateSchema, writeCheckpoint } from '../../src/train/trainer/checkpoint.ts';
import { buildUNet } from '../../src/train/model/unet.ts';
import { makeModelMeta, parseUNetConfig } from '../../src/train/model/config.ts';
import { DEMO_CLASSES } from '../../src/seg/demo/index.ts';
import { DEFAULT_NORMALIZATION } from '../../src/seg/types.ts';
import { rename, mkdir } from 'node:fs/promises';
import { AUTO_STEPS, autoStepsPerEpoch, parseTrainConfig } from '../../src/train/trainer/config.ts';
import type { TrainConfigInput } from '../../src/train/trainer/config.ts';
import type { TrainEvent, TrainingWarning } from '../../src/train/trainer/events.ts';
import { RunInfoSchema } from '../../src/train/trainer/run-folder.ts';
import { Trainer } from '../../src/train/trainer/trainer.ts';
import type { TrainOptions } from '../../src/train/trainer/trainer.ts';
import { startWasmBackend } from '../../src/train/backend/wasm.ts';
import { testGate } from '../helpers/gate.ts';

let tmp: string;
let project: string;

const TINY: TrainConfigInput = {
  model: { depth: 2, baseFilters: 4 },
  patch: 32,
  batch: 2,
  stepsPerEpoch: 4,
  epochs: 3,
  validation: { tile: 32, overlap: 8, batch: 4 },
  seeds: { split: 1, init: 2, sampling: 3, augmentation: 4 },
};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-trainer-'));
  project = join(tmp, 'demo');
  await generateDemoProject(project, { size: 64, count: 8, plantErrors: false, seed: 5 });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Fitted {
  result: Awaited<ReturnType<Trainer['fit']>>;
  events: TrainEvent[];
  trainer: Trainer;
}

async function fit(opts: Partial<TrainOptions> & { config?: TrainConfigInput }, out: string, hook?: (e: TrainEvent, t: Trainer) => void, signal?: AbortSignal): Promise<Fitted> {
  const trainer = new Trainer({ project, out: join(tmp, out), backend: { prefer: 'wasm' }, ...opts, config: { ...TINY, ...opts.config } });
  const events: TrainEvent[] = [];
  const result = await trainer.fit({ signal, onEvent: (e) => (events.push(e), hook?.(e, trainer)) });
  return { result, events, trainer };
}

const floats = async (file: string) => {
  const w = unpackWeights(new Uint8Array(await readFile(file)));
  return new Float32Array(w.data.buffer, w.data.byteOffset, w.data.byteLength / 4);
};
const history = async (runDir: string) => parseHistory(await readFile(join(runDir, 'metrics.jsonl'), 'utf8'));
const state = async (dir: string) => TrainStateSchema.parse(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')));
const warningsOf = (events: TrainEvent[]): TrainingWarning[] => events.flatMap((e) => (e.type === 'warning' ? [e.warning] : []));

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('a run', () => {
  let run: Fitted;
  const tensorsAfterEpoch: number[] = [];
  let tensorsBefore = 0;

  beforeAll(async () => {
    await startWasmBackend();
    tensorsBefore = tf.memory().numTensors;
    run = await fit({}, 'runs-basic', (e) => {
      if (e.type === 'epoch') tensorsAfterEpoch.push(tf.memory().numTensors);
    });
  });

  it('ends with status finished after the planned epochs and reports the backend and split', () => {
    expect(run.result.status).toBe('finished');
    expect(run.result.epochs).toBe(3);
    const started = run.events[0];
    expect(started.type).toBe('started');
    if (started.type !== 'started') return;
    expect(started.backend.name).toBe('wasm');
    expect(started.backend.reason).toMatch(/wasm/);
    expect(started.split).toMatchObject({ source: 'made-for-run', seed: 1, train: expect.any(Number), val: expect.any(Number) });
    expect(started.split.train + started.split.val).toBe(8);
    expect(run.events.at(-1)?.type).toBe('finished');
    const steps = run.events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(12);
    for (const s of steps) if (s.type === 'step') expect(Number.isFinite(s.loss) && s.imagesPerSecond > 0 && s.etaSeconds! >= 0).toBe(true);
  });

  it('writes the run folder: split, resolved config with seeds, run.json, metrics.jsonl, best/ and last/', async () => {
    const dir = run.result.runDir;
    expect(readdirSync(dir).sort()).toEqual(['best', 'config.json', 'last', 'metrics.jsonl', 'run.json', 'split.json']);
    const manifest = await readManifest(join(dir, 'split.json'));
    expect(manifest.seed).toBe(1);
    const cfg = parseTrainConfig(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')));
    expect(cfg).toEqual(parseTrainConfig(TINY));
    expect(cfg.seeds).toEqual({ split: 1, init: 2, sampling: 3, augmentation: 4 });
    const info = RunInfoSchema.parse(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')));
    expect(info.status).toBe('finished');
    expect(info.sessions).toHaveLength(1);
    expect(info.sessions[0].backend.name).toBe('wasm');
    expect(Object.keys(info.versions)).toEqual(expect.arrayContaining(['node', 'seglens', 'tfjs-core', 'tfjs-layers', 'tfjs-backend-wasm']));
    for (const ck of ['best', 'last']) expect(readdirSync(join(dir, ck)).sort()).toEqual(['model.json', 'optimizer.bin', 'state.json', 'weights.bin']);
    const last = await state(join(dir, 'last'));
    expect(last).toMatchObject({ epoch: 3, step: 0 });
    expect(last.iterations).toBe(12);
    expect((await state(join(dir, 'best'))).epoch).toBe(run.result.bestEpoch);
  });

  it('metrics.jsonl has one schema-valid line per epoch with every class', async () => {
    const lines = (await readFile(join(run.result.runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
    const records = lines.map((l) => EpochRecordSchema.parse(JSON.parse(l)));
    expect(records.map((r) => r.epoch)).toEqual([1, 2, 3]);
    for (const r of records) {
      expect(r.val.classes.map((c) => c.name)).toEqual(['background', 'nucleus', 'boundary']);
      expect(r.steps).toBe(4);
      expect(r.trainLoss).toBeGreaterThan(0);
      expect(r.valLoss).toBeGreaterThan(0);
      expect(r.monitor.name).toBe('meanForegroundDice');
    }
    expect(records.filter((r) => r.monitor.best).at(-1)?.epoch).toBe(run.result.bestEpoch);
  });

  it('the validation figures equal predictImage + Accumulator recomputed from best/ afterwards', async () => {
    const dir = run.result.runDir;
    const best = (await history(dir)).find((r) => r.epoch === run.result.bestEpoch)!;
    const { model, meta } = await loadModel(dir);
    const ds = await openDataset(project);
    const manifest = await readManifest(join(dir, 'split.json'));
    const cfg = parseTrainConfig(TINY);
    const acc = new Accumulator(meta.classTable);
    try {
      for (const name of manifest.val) {
        const pair = ds.pairs.find((p) => p.name === name)!;
        const img = normalize(await readImage(pair.image), meta.normalization);
        const { labels } = await readPairLabels(ds.project, pair);
        const pred = await predictImage(model, img, { ...cfg.validation, head: meta.config.head, numClasses: meta.config.numClasses });
        acc.add(name, labels, pred.labels);
      }
    } finally {
      model.dispose();
    }
    const r = acc.result();
    expect(best.val.meanForegroundDice).toBe(r.meanForegroundDice);
    expect(best.val.pixelAccuracy).toBe(r.pixelAccuracy);
    expect(best.val.classes.map((c) => c.dice)).toEqual(r.classes.map((c) => (Number.isNaN(c.dice) ? null : c.dice)));
  });

  it('leaks no tensor across epochs, and none once the trainer is disposed', () => {
    expect(tensorsAfterEpoch).toHaveLength(3);
    expect(tensorsAfterEpoch[2]).toBe(tensorsAfterEpoch[0]);
    run.trainer.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('automatic epoch size (stepsPerEpoch "auto", the default)', () => {
  it('is about epochSeconds of steps, within the bounds', () => {
    expect(parseTrainConfig({}).stepsPerEpoch).toBe('auto');
    expect(autoStepsPerEpoch(0.25, 30)).toBe(120); // the native path on 2 cores, patch 128
    expect(autoStepsPerEpoch(1.1, 30)).toBe(AUTO_STEPS.min); // the wasm path: as before
    expect(autoStepsPerEpoch(0.001, 30)).toBe(AUTO_STEPS.max);
  });

  it('times the first steps, fixes the size in config.json and resumes with it', async () => {
    // A tiny model's steps take milliseconds: 3 s of steps is usually more than the minimum.
    const auto = { stepsPerEpoch: 'auto' as const, epochSeconds: 3, epochs: 1 };
    const first = await fit({ config: auto }, 'runs-auto');
    const started = first.events[0];
    expect(started.type === 'started' && started.stepsPerEpoch).toBe(null);
    const steps = first.events.filter((e) => e.type === 'step');
    const cfg = parseTrainConfig(JSON.parse(await readFile(join(first.result.runDir, 'config.json'), 'utf8')));
    expect(typeof cfg.stepsPerEpoch).toBe('number');
    const spe = cfg.stepsPerEpoch as number;
    expect(spe).toBeGreaterThanOrEqual(AUTO_STEPS.min);
    // Steps timed before the size was known emit no step event; the rest say the size.
    expect(steps.length).toBe(spe - AUTO_STEPS.timedSteps);
    for (const e of steps) if (e.type === 'step') expect(e.stepsPerEpoch).toBe(spe);
    expect((await history(first.result.runDir))[0].steps).toBe(spe);
    first.trainer.dispose();
    const resumed = await fit({ resume: first.result.runDir, epochs: 2, config: {} }, 'runs-auto');
    expect(resumed.events[0].type === 'started' && resumed.events[0].stepsPerEpoch).toBe(spe);
    expect((await history(resumed.result.runDir)).map((r) => r.steps)).toEqual([spe, spe]);
    resumed.trainer.dispose();
  });
});

describe('early stopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    // minDelta 1: no Dice can improve by more than 1, so epoch 1 stays the best. A learning rate of
    // 1e-9 keeps the loss flat, which must raise not-learning at epoch 3.
    const r = await fit({ config: { epochs: 10, earlyStopping: { patience: 2, minDelta: 1 }, optimizer: { lr: 1e-9 } } }, 'runs-early');
    try {
      expect(r.result.status).toBe('finished');
      expect(r.result.reason).toMatch(/early stopping/);
      expect(r.result.epochs).toBe(3);
      expect(r.result.bestEpoch).toBe(1);
      expect((await history(r.result.runDir)).map((h) => h.monitor.best)).toEqual([true, false, false]);
      const best = await floats(join(r.result.runDir, 'best', 'weights.bin'));
      const last = await floats(join(r.result.runDir, 'last', 'weights.bin'));
      const { serializeWeights } = await import('../../src/train/model/weights.ts');
      const w = serializeWeights(r.trainer.model!);
      const final = new Float32Array(w.data.buffer, w.data.byteOffset, w.data.byteLength / 4);
      expect(maxAbsDiff(final, best)).toBe(0);
      expect(maxAbsDiff(final, last)).toBeGreaterThan(0); // BatchNorm statistics moved after epoch 1
      const nl = warningsOf(r.events).filter((x) => x.kind === 'not-learning');
      expect(nl).toHaveLength(1);
      expect(nl[0].epoch).toBe(3);
      expect(nl[0].message).toMatch(/not learning/);
    } finally {
      r.trainer.dispose();
    }
    // Resuming a run that early stopping ended trains nothing more.
    const again = await fit({ resume: r.result.runDir }, 'runs-early');
    again.trainer.dispose();
    expect(again.result).toMatchObject({ status: 'finished', epochs: 3, bestEpoch: 1 });
    expect(again.result.reason).toMatch(/already ended/);
    expect(again.events.filter((e) => e.type === 'step')).toHaveLength(0);
    expect(await history(r.result.runDir)).toHaveLength(3);
  });
});

describe('resume', () => {
  const trainLosses = (h: EpochRecord[]) => h.map((r) => r.trainLoss!);

  it('2 epochs + resume to 4 equals 4 epochs straight; so does an abort mid-epoch + resume', async () => {
    const straight = await fit({ config: { epochs: 4 } }, 'runs-straight');
    straight.trainer.dispose();
    const twoFirst = await fit({ config: { epochs: 2 } }, 'runs-two');
    twoFirst.trainer.dispose();
    expect(twoFirst.result.status).toBe('finished');
    const resumed = await fit({ resume: twoFirst.result.runDir, epochs: 4 }, 'runs-two');
    resumed.trainer.dispose();
    expect(resumed.events[0]).toMatchObject({ type: 'started', resumedFrom: { epoch: 2, step: 0 } });
    expect(resumed.result.runDir).toBe(twoFirst.result.runDir);
    expect(resumed.result.epochs).toBe(4);

    // Abort at epoch 2, step 2: the step finishes, `last` holds epoch 1 + 2 steps.
    const controller = new AbortController();
    const aborted = await fit({ config: { epochs: 4 } }, 'runs-abort', (e) => {
      if (e.type === 'step' && e.epoch === 2 && e.step === 2) controller.abort();
    }, controller.signal);
    aborted.trainer.dispose();
    expect(aborted.result.status).toBe('stopped');
    const mid = await state(join(aborted.result.runDir, 'last'));
    expect(mid).toMatchObject({ epoch: 1, step: 2, epochLossCount: 2, iterations: 6 });
    expect(await history(aborted.result.runDir)).toHaveLength(1);
    expect(aborted.events.filter((e) => e.type === 'checkpoint' && e.which === 'last').at(-1)).toMatchObject({ epoch: 1, step: 2 });
    const info = RunInfoSchema.parse(JSON.parse(await readFile(join(aborted.result.runDir, 'run.json'), 'utf8')));
    expect(info.status).toBe('stopped');
    const afterAbort = await fit({ resume: aborted.result.runDir }, 'runs-abort');
    afterAbort.trainer.dispose();
    expect(afterAbort.result.status).toBe('finished');

    const ref = await history(straight.result.runDir);
    const refWeights = await floats(join(straight.result.runDir, 'last', 'weights.bin'));
    const refOpt = await floats(join(straight.result.runDir, 'last', 'optimizer.bin'));
    for (const dir of [twoFirst.result.runDir, aborted.result.runDir]) {
      const h = await history(dir);
      expect(h.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
      trainLosses(h).forEach((l, i) => expect(l).toBeCloseTo(trainLosses(ref)[i], 5));
      h.forEach((r, i) => expect(r.val.meanForegroundDice!).toBeCloseTo(ref[i].val.meanForegroundDice!, 5));
      expect(maxAbsDiff(await floats(join(dir, 'last', 'weights.bin')), refWeights)).toBeLessThan(1e-5);
      expect(maxAbsDiff(await floats(join(dir, 'last', 'optimizer.bin')), refOpt)).toBeLessThan(1e-5);
      const info2 = RunInfoSchema.parse(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')));
      expect(info2.sessions.map((s) => s.status)).toEqual([dir === aborted.result.runDir ? 'stopped' : 'finished', 'finished']);
    }
  });
});

describe('divergence', () => {
  it('a huge learning rate: the loss explodes in epoch 1, training stops with status diverged and no checkpoint', async () => {
    const r = await fit({ config: { optimizer: { lr: 1000 }, schedule: { kind: 'constant' } } }, 'runs-diverge');
    r.trainer.dispose();
    expect(r.result.status).toBe('diverged');
    const w = warningsOf(r.events);
    expect(w.map((x) => x.kind)).toEqual(['diverged']);
    expect(w[0].message).toMatch(/diverged/);
    expect(r.result.bestEpoch).toBeNull();
    expect(existsSync(join(r.result.runDir, 'last'))).toBe(false);
    const info = RunInfoSchema.parse(JSON.parse(await readFile(join(r.result.runDir, 'run.json'), 'utf8')));
    expect(info.status).toBe('diverged');
  });

  it('a NaN loss after epoch 1 stops the run and keeps best/ and last/ of epoch 1; the final model is finite', async () => {
    const r = await fit({ config: { epochs: 3 } }, 'runs-nan', (e, t) => {
      // Poison the weights once epoch 1 is checkpointed: the next step's loss is NaN.
      if (e.type === 'checkpoint' && e.which === 'last' && e.epoch === 1) {
        const ws = t.model!.getWeights();
        t.model!.setWeights(ws.map((x) => tf.fill(x.shape, NaN)));
      }
    });
    try {
      expect(r.result.status).toBe('diverged');
      expect(warningsOf(r.events)[0]).toMatchObject({ kind: 'diverged', epoch: 2 });
      expect(warningsOf(r.events)[0].message).toMatch(/NaN/);
      expect(r.result.bestEpoch).toBe(1);
      expect((await state(join(r.result.runDir, 'last'))).epoch).toBe(1);
      const final = r.trainer.model!.getWeights().map((x) => x.dataSync());
      expect(final.every((a) => a.every(Number.isFinite))).toBe(true);
    } finally {
      r.trainer.dispose();
    }
  });
});

describe('guards', () => {
  it('refuses a second concurrent fit, on the same trainer and on another one', async () => {
    const t = new Trainer({ project, out: join(tmp, 'runs-guard'), backend: { prefer: 'wasm' }, config: { ...TINY, epochs: 1 } });
    const first = t.fit();
    await expect(t.fit()).rejects.toThrow(/already training/);
    expect(() => t.dispose()).toThrow(/abort its signal/);
    const other = new Trainer({ project, out: join(tmp, 'runs-guard'), backend: { prefer: 'wasm' }, config: TINY });
    await expect(other.fit()).rejects.toThrow(/Another training/);
    expect((await first).status).toBe('finished');
    t.dispose();
  });

  it('refuses a patch that is not a multiple of 2^depth before creating a run folder', async () => {
    const t = new Trainer({ project, out: join(tmp, 'runs-bad'), backend: { prefer: 'wasm' }, config: { ...TINY, patch: 30 } });
    await expect(t.fit()).rejects.toThrow(/patch 30 is not a multiple of 4/);
    expect(existsSync(join(tmp, 'runs-bad'))).toBe(false);
  });

  it("the project's wasm OneHot kernel gives the float one-hot the cpu backend gives", async () => {
    await startWasmBackend();
    const labels = [0, 2, 1, 5, -1, 2];
    const onWasm = tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d(labels, 'int32'), 3, 1, 0, 'float32').dataSync()));
    const onWasmInt = tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d(labels, 'int32'), 3, 7, -2, 'int32').dataSync()));
    await tf.setBackend('cpu');
    const onCpu = tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d(labels, 'int32'), 3, 1, 0, 'float32').dataSync()));
    const onCpuInt = tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d(labels, 'int32'), 3, 7, -2, 'int32').dataSync()));
    await tf.setBackend('wasm');
    expect(onWasm).toEqual(onCpu);
    expect(onWasmInt).toEqual(onCpuInt);
  });
});

describe('checkpoint directories', () => {
  it('are replaced whole; after a crash between the two renames the .old copy is read, and the next write cleans up', async () => {
    const parent = join(tmp, 'ck');
    await mkdir(parent);
    const model = buildUNet({ depth: 1, baseFilters: 2, inputChannels: 1, numClasses: 3 });
    const meta = makeModelMeta(parseUNetConfig({ depth: 1, baseFilters: 2, inputChannels: 1, numClasses: 3 }), DEFAULT_NORMALIZATION, DEMO_CLASSES);
    const rng = { algorithm: 'alea' as const, c: 1, s0: 0.1, s1: 0.2, s2: 0.3 };
    const base = TrainStateSchema.parse({
      format: 'seglens-train-state', version: 1, epoch: 0, step: 0, epochLossSum: 0, epochLossCount: 0, epochSeconds: 0, iterations: 0, lr: 1e-3,
      rng: { sampling: rng, augmentation: rng }, initialLosses: [], best: { epoch: null, value: null }, epochsWithoutImprovement: 0, plateauEpochs: 0,
      activeWarnings: [], elapsedSeconds: 0,
    });
    try {
      await writeCheckpoint(await testGate(tmp), parent, 'best', { weights: serializeWeights(model), meta, optimizer: { specs: [], data: new Uint8Array() }, state: { ...base, epoch: 7 } });
      expect(readdirSync(parent)).toEqual(['best']);
      await rename(join(parent, 'best'), join(parent, 'best.old')); // the crash window
      await mkdir(join(parent, 'best.tmp')); // a half-written new one is never read
      expect(checkpointDir(parent, 'best')).toBe(join(parent, 'best.old'));
      expect((await readCheckpoint(parent, 'best')).state.epoch).toBe(7);
      await writeCheckpoint(await testGate(tmp), parent, 'best', { weights: serializeWeights(model), meta, optimizer: { specs: [], data: new Uint8Array() }, state: { ...base, epoch: 8 } });
      expect(readdirSync(parent)).toEqual(['best']);
      expect((await readCheckpoint(parent, 'best')).state.epoch).toBe(8);
      await expect(readCheckpoint(parent, 'last')).rejects.toThrow(/no "last" checkpoint/);
    } finally {
      model.dispose();
    }
  });
});
