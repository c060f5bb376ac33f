// The training loop. One Trainer trains one run (new, or resumed from its `last` checkpoint):
// patches from the sampler -> Adam step on the U-Net's logits -> every `stepsPerEpoch` steps a
// validation of the full validation images through the tiled predictor -> metrics.jsonl line,
// checkpoints, warnings, early stopping. The network itself lives in a Compute (compute/): in
// this thread by default (LocalCompute on the backend selectBackend picks), or in a WebGPU
// worker elsewhere (RemoteCompute); files, data and metrics stay here either way. Hygiene after tfjs-layers' training.ts: a second
// concurrent fit is refused, each step runs in tf.tidy, the event loop gets a turn after every
// step (the host's UI and Ctrl-C stay responsive), tensors are disposed in `finally`, and an
// AbortSignal stops the run after the current step with `last` written.
//
// Determinism: every random draw comes from two seeded Rngs (sampling, augmentation) whose states
// are saved with the weights, Adam's moments and the schedule's counters, so `--resume` continues
// with exactly the numbers an uninterrupted run would have used.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INSTALL_ROOT } from '../../seg/runtime.ts';
import { backgroundId } from '../../seg/classes.ts';
import { openDataset } from '../../seg/dataset/index.ts';
import type { Dataset, DatasetOverrides } from '../../seg/dataset/index.ts';
import { ConfigError, SeglensError } from '../../seg/errors.ts';
import type { SerializedWeights } from '../model/weights.ts';
import type { EpochRecord } from '../../seg/history.ts';
import type { SplitManifest } from '../../seg/split/index.ts';
import { formatProblem, isBlocking } from '../../seg/problems.ts';
import { FileLock, holderName } from '../../seg/lock.ts';
import { foldersOf, projectGate } from '../../seg/project/gate.ts';
import type { WriteGate } from '../../seg/write-gate.ts';
import { tf, tfl } from '../tf.ts';
import { selectBackend } from '../backend/select.ts';
import type { SelectBackendOptions } from '../backend/select.ts';
import { LocalCompute } from '../compute/local.ts';
import { ComputeLostError } from '../compute/protocol.ts';
import { nativeBuilt } from '../backend/native.ts';
import type { BackendReport, Compute } from '../compute/types.ts';
import { classWeightsFromCounts } from '../data/class-weights.ts';
import { Rng } from '../data/rng.ts';
import { PatchSampler } from '../data/sampler.ts';
import { chanceLossOf } from '../losses/cross-entropy.ts';
import type { LossOptions } from '../losses/loss.ts';
import { makeModelMeta, parseUNetConfig } from '../model/config.ts';
import type { ModelMeta } from '../model/config.ts';
import { readModelWeights } from '../predict/model-io.ts';
import type { PredictInput } from '../predict/tiled.ts';
import { checkpointDir, readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import type { SavedCheckpoint, TrainState } from './checkpoint.ts';
import { AUTO_STEPS, autoStepsPerEpoch, monitorMaximises, parseTrainConfig } from './config.ts';
import type { TrainConfig, TrainConfigInput } from './config.ts';
import { loadSplitData } from './data.ts';
import type { SplitData } from './data.ts';
import type { RunStatus, SplitSummary, TrainEvent, TrainEventListener, TrainResult, TrainingWarning } from './events.ts';
import { RUNS_FOLDER, RUN_FILES, RunFolder } from './run-folder.ts';
import type { RunInfo, RunSession } from './run-folder.ts';
import { resolveSplit } from './split.ts';
import { valRecord, validate } from './validate.ts';
import { fineTuneConfig, readParentRun, startingWeights } from './fine-tune.ts';
import type { Lineage, ParentRun } from './fine-tune.ts';
import { epochWarnings, stepWarning } from './warnings.ts';
import { drawBatch } from './step.ts';
import { overlapClassWeights, overlapConfig, thresholdsFile, withThresholds } from './overlap.ts';

/** The mean loss of this many first steps is the run's initial loss (one step is too noisy). */
export const INITIAL_LOSS_STEPS = 5;

export interface TrainOptions {
  /** The project folder. */
  project: string;
  /** Overrides of the project file (class table, pairing...), as `seglens inspect` takes them. */
  dataset?: DatasetOverrides;
  /** Any subset of TrainConfig; ignored when resuming (the run's config.json is used). */
  config?: TrainConfigInput;
  /** Parent folder of run folders (default PROJECT/runs). */
  out?: string;
  /** Continue this run from its `last` checkpoint: a run folder, or a run id under `out`. */
  resume?: string;
  /** When resuming: a new maximum number of epochs (the only setting a resume may change). */
  epochs?: number;
  /** A split manifest to use instead of the project's own (new runs only). */
  splitFile?: string;
  /**
   * Start from this run's best weights (a run folder, or a run id under `out`): fine-tuning
   * (fine-tune.ts). `config` then overrides that run's settings and the fine-tuning defaults.
   */
  from?: string;
  backend?: SelectBackendOptions;
  /**
   * Where the network runs. Default: a LocalCompute in this thread on the backend selectBackend
   * picks with `backend`. The trainer owns it (disposes it with itself).
   */
  compute?: Compute;
}

/** A prediction with the weights as they stand after an epoch (the app's preview image). */
export type EpochPredict = (image: PredictInput) => Promise<{ probs: Float32Array }>;

export interface FitOptions {
  signal?: AbortSignal;
  onEvent?: TrainEventListener;
  /**
   * Awaited after each epoch's checkpoints, before the next step, with a predictor that uses the
   * weights of that epoch (validation tiling).
   */
  afterEpoch?: (epoch: number, predict: EpochPredict, thresholds?: readonly number[]) => Promise<void>;
}

/** Only one training at a time per process: the tfjs backend and its memory are process-wide. */
let processBusy = false;

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));
const now = () => performance.now() / 1000;
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function seglensVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(INSTALL_ROOT, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The lock file of a run being trained (src/seg/lock.ts): one trainer per run. */
export const RUN_LOCK = '.seglens-train.lock';

/** Everything one session of training works with. */
interface Session {
  run: RunFolder;
  /** Held from before the `last` checkpoint is read (resume) or right after the folder is made, until the session ends. */
  lock: FileLock;
  info: RunInfo;
  cfg: TrainConfig;
  backend: BackendReport;
  split: SplitSummary;
  data: SplitData;
  meta: ModelMeta;
  compute: Compute;
  chanceLoss: number | null;
  sampler: PatchSampler;
  samplingRng: Rng;
  augRng: Rng;
  state: TrainState;
  history: EpochRecord[];
  resumedFrom?: { epoch: number; step: number };
  lineage?: Lineage;
}

/** Why a session ends, as run.json and the result say it. */
interface Stop {
  status: RunStatus;
  reason: string;
}

/** One session's own running figures (what `fit` keeps beside the run's checkpointed state). */
interface Pass {
  s: Session;
  fit: FitOptions;
  emit: (e: TrainEvent) => void;
  /** The warnings raised in this session, for the result. */
  warnings: TrainingWarning[];
  raise: (w: TrainingWarning) => void;
  /** When this session started (now()); the time limit counts from it. */
  t0: number;
  /** Wall seconds of all sessions of the run. */
  elapsed: () => number;
  /** The time limit in seconds (Infinity without one). */
  limit: number;
  /** Steps per epoch; null while an automatic epoch size is being timed (AUTO_STEPS). */
  spe: number | null;
  timedSteps: number[];
  sessionSteps: number;
  sessionStepSeconds: number;
  /** Seconds of the last validation, for the ETA. */
  lastValSeconds: number | null;
}

export class Trainer {
  readonly options: TrainOptions;
  private running = false;
  private compute: Compute | null = null;

  constructor(options: TrainOptions) {
    this.options = options;
  }

  /**
   * The trained model (best weights once fit resolves) when it runs in this thread; null for a
   * remote compute. Owned by the trainer until dispose().
   */
  get model(): tfl.LayersModel | null {
    return this.compute instanceof LocalCompute ? this.compute.model : null;
  }

  /** Trains until the last epoch, early stopping, divergence, the time limit or the signal. */
  async fit(fit: FitOptions = {}): Promise<TrainResult> {
    if (this.running) throw new SeglensError('This trainer is already training; wait for fit() to finish before calling it again.');
    if (processBusy) throw new SeglensError('Another training is running in this process; only one can run at a time.');
    this.running = true;
    processBusy = true;
    try {
      return await this.run(fit);
    } finally {
      this.running = false;
      processBusy = false;
    }
  }

  /** Frees the model's tensors. Refused while training (abort the fit's signal first). */
  dispose(): void {
    if (this.running) throw new SeglensError('The trainer is training: abort its signal and wait for fit() to resolve before disposing it.');
    this.freeModel();
  }

  private freeModel(): void {
    void this.compute?.dispose();
    this.compute = null;
  }

  private async run(fit: FitOptions): Promise<TrainResult> {
    const emit = (e: TrainEvent) => fit.onEvent?.(e);
    const s = await this.prepare();
    try {
      return await this.runSession(s, fit, emit);
    } finally {
      await s.lock.release();
    }
  }

  /**
   * One session of a run, as named steps: announce it, then epochs (training steps, validation,
   * bookkeeping) until a stop, then the end (the last checkpoint when cut short, the best weights
   * loaded, run.json closed). Each step says why it is a step in its own comment.
   */
  private async runSession(s: Session, fit: FitOptions, emit: (e: TrainEvent) => void): Promise<TrainResult> {
    const p = this.startPass(s, fit, emit);
    try {
      this.announce(p);
      let stop = this.alreadyStopped(s);
      while (s.state.epoch < s.cfg.epochs && !stop) {
        const epoch = s.state.epoch + 1;
        const epochT0 = now();
        const secondsBefore = s.state.epochSeconds;
        const steps = await this.trainSteps(p, epoch);
        s.state.epochSeconds = secondsBefore + (now() - epochT0);
        if (steps.stop) {
          stop = steps.stop;
          break;
        }
        stop = await this.validateAndRecord(p, epoch, secondsBefore + steps.seconds);
      }
      return await this.finish(p, stop ?? { status: 'finished', reason: `all ${s.cfg.epochs} epochs done (best ${fmtValue(s.state.best.value)} at epoch ${s.state.best.epoch})` });
    } catch (e) {
      if (e instanceof ComputeLostError) return this.computeLost(s, e, p.elapsed(), p.warnings, emit);
      await this.endSession(s, 'failed', e instanceof Error ? e.message : String(e)).catch(() => undefined);
      throw e;
    }
  }

  /** This session's clock, step timings and warnings, beside the run's state (which checkpoints keep). */
  private startPass(s: Session, fit: FitOptions, emit: (e: TrainEvent) => void): Pass {
    const warnings: TrainingWarning[] = [];
    const t0 = now();
    const elapsedBefore = s.state.elapsedSeconds;
    return {
      s,
      fit,
      emit,
      warnings,
      raise: (w) => {
        warnings.push(w);
        emit({ type: 'warning', warning: w });
      },
      t0,
      elapsed: () => elapsedBefore + (now() - t0),
      // The time limit counts this session only, so a run stopped by it can be resumed.
      limit: s.cfg.maxMinutes === null ? Infinity : s.cfg.maxMinutes * 60,
      spe: s.cfg.stepsPerEpoch === 'auto' ? null : s.cfg.stepsPerEpoch,
      timedSteps: [],
      sessionSteps: 0,
      sessionStepSeconds: 0,
      lastValSeconds: null,
    };
  }

  /** The `started` event: what the UI and the CLI show before the first step (backend, split, resume, lineage). */
  private announce(p: Pass): void {
    const { s, emit } = p;
    const cfg = s.cfg;
    emit({
      type: 'started',
      runDir: s.run.dir,
      runId: s.run.id,
      backend: { name: s.backend.name, package: s.backend.package, reason: s.backend.reason },
      split: s.split,
      ...(s.resumedFrom ? { resumedFrom: s.resumedFrom } : {}),
      ...(s.lineage ? { fineTunedFrom: s.lineage } : {}),
      ...(s.lock.tookOver ? { lockTakenOver: holderName(s.lock.tookOver) } : {}),
      epochs: cfg.epochs,
      stepsPerEpoch: p.spe,
      monitor: { name: cfg.earlyStopping.monitor, minDelta: cfg.earlyStopping.minDelta, patience: cfg.earlyStopping.patience },
    });
  }

  /** A resumed run that early stopping had already ended: nothing more to train. */
  private alreadyStopped(s: Session): Stop | null {
    const st = s.state;
    if (st.epochsWithoutImprovement < s.cfg.earlyStopping.patience) return null;
    return { status: 'finished', reason: `early stopping had already ended this run at epoch ${st.epoch} (best ${fmtValue(st.best.value)} at epoch ${st.best.epoch})` };
  }

  /**
   * The training steps of one epoch, from where the state stands (a resumed run may start mid-epoch)
   * to the epoch's size; a stop (signal, time limit, divergence) ends them after the current step.
   * Returns the seconds spent in steps (the epoch record's time) and the stop, if any.
   */
  private async trainSteps(p: Pass, epoch: number): Promise<{ seconds: number; stop: Stop | null }> {
    const { s, fit } = p;
    const st = s.state;
    let seconds = 0;
    while (p.spe === null || st.step < p.spe) {
      const of = p.spe ?? 'auto';
      if (fit.signal?.aborted) return { seconds, stop: { status: 'stopped', reason: `stopped at epoch ${epoch}, step ${st.step} of ${of}` } };
      if (now() - p.t0 >= p.limit) return { seconds, stop: { status: 'time-limit', reason: `time limit of ${s.cfg.maxMinutes} min reached at epoch ${epoch}, step ${st.step} of ${of}` } };
      const ts = now();
      const loss = await s.compute.step(drawBatch({ ...s, batch: s.cfg.batch, augment: s.cfg.augment }));
      const dt = now() - ts;
      const diverged = stepWarning({ epoch, step: st.step + 1, loss, initialLoss: mean(st.initialLosses), lr: st.lr });
      if (diverged) {
        p.raise(diverged);
        return { seconds, stop: { status: 'diverged', reason: `the loss diverged at epoch ${epoch}, step ${st.step + 1}` } };
      }
      if (st.initialLosses.length < INITIAL_LOSS_STEPS) st.initialLosses.push(loss);
      st.step++;
      st.epochLossSum += loss;
      st.epochLossCount++;
      p.sessionSteps++;
      p.sessionStepSeconds += dt;
      seconds += dt;
      if (p.spe === null && !(await this.sizeEpoch(p, dt))) continue;
      this.emitStep(p, epoch, loss);
      await yieldToEventLoop();
    }
    return { seconds, stop: null };
  }

  /**
   * `stepsPerEpoch: 'auto'`: times the first steps (AUTO_STEPS), then fixes the epoch's size from
   * their median and writes it to config.json, so a resume trains epochs of the same size. Returns
   * whether the size is known now (until then no step event: it would have no epoch size or ETA).
   */
  private async sizeEpoch(p: Pass, dt: number): Promise<boolean> {
    const s = p.s;
    // The session's first step builds the backend's kernels: not timed.
    if (p.sessionSteps > 1) p.timedSteps.push(dt);
    if (p.timedSteps.length < AUTO_STEPS.timedSteps) return false;
    p.spe = Math.max(s.state.step, autoStepsPerEpoch(median(p.timedSteps), s.cfg.epochSeconds));
    s.cfg = { ...s.cfg, stepsPerEpoch: p.spe };
    await s.run.writeConfig(s.cfg);
    return true;
  }

  /** The `step` event, with the speed and an ETA that counts the validations still to come at the last one's duration. */
  private emitStep(p: Pass, epoch: number, loss: number): void {
    const { s } = p;
    const st = s.state;
    const spe = p.spe!;
    const perStep = p.sessionStepSeconds / p.sessionSteps;
    const stepsLeft = (s.cfg.epochs - epoch) * spe + (spe - st.step);
    const valsLeft = s.cfg.epochs - epoch + 1;
    p.emit({
      type: 'step',
      epoch,
      step: st.step,
      stepsPerEpoch: spe,
      loss,
      epochLoss: st.epochLossSum / st.epochLossCount,
      imagesPerSecond: (s.cfg.batch * p.sessionSteps) / p.sessionStepSeconds,
      etaSeconds: stepsLeft * perStep + valsLeft * (p.lastValSeconds ?? 0),
    });
  }

  /**
   * The end of an epoch: validation on the full validation images, the epoch record, early stopping
   * and the schedule's counters, metrics.jsonl, warnings, the checkpoints (best when it improved,
   * last always), the host's preview. Returns the stop that validation or early stopping made.
   */
  private async validateAndRecord(p: Pass, epoch: number, trainedSeconds: number): Promise<Stop | null> {
    const { s, fit } = p;
    const cfg = s.cfg;
    const v0 = now();
    const val = await validate(s.compute, s.data.val, {
      table: s.meta.classTable,
      tile: cfg.validation.tile,
      overlap: cfg.validation.overlap,
      batch: cfg.validation.batch,
      signal: fit.signal,
      overlapping: s.meta.overlapping,
    });
    if (!val) return { status: 'stopped', reason: `stopped during the validation of epoch ${epoch} (its training steps are saved)` };
    p.lastValSeconds = now() - v0;
    s.meta = withThresholds(s.meta, val.thresholds);
    const record = this.epochRecord(s, epoch, val.result, val.valLoss, trainedSeconds + p.lastValSeconds);
    const improved = record.monitor.best;
    await this.countEpoch(s, epoch, record);
    s.history.push(record);
    const st = s.state;
    const found = epochWarnings({ history: s.history, initialLoss: mean(st.initialLosses), chanceLoss: s.chanceLoss }, new Set(st.activeWarnings));
    st.activeWarnings = [...found.active];
    st.elapsedSeconds = p.elapsed();
    await s.run.appendEpoch(record);
    p.emit({ type: 'epoch', record });
    found.raise.forEach(p.raise);
    await this.epochCheckpoints(p, epoch, improved, val.result);
    // Overlapping classes: this validation's thresholds, so a preview cuts each class where the figures do.
    if (fit.afterEpoch) await fit.afterEpoch(epoch, async (image) => s.compute.predict(image, cfg.validation), s.meta.thresholds?.values);
    if (st.epochsWithoutImprovement < cfg.earlyStopping.patience) return null;
    return {
      status: 'finished',
      reason: `early stopping: ${record.monitor.name} did not improve by more than ${cfg.earlyStopping.minDelta} for ${cfg.earlyStopping.patience} epochs (best ${fmtValue(st.best.value)} at epoch ${st.best.epoch})`,
    };
  }

  /**
   * The state's counters after an epoch: best epoch, epochs without improvement (early stopping),
   * the plateau schedule (the record keeps the lr this epoch trained with, so it changes after),
   * and the next epoch starting at step 0.
   */
  private async countEpoch(s: Session, epoch: number, record: EpochRecord): Promise<void> {
    const st = s.state;
    const cfg = s.cfg;
    if (record.monitor.best) {
      st.best = { epoch, value: record.monitor.value };
      st.epochsWithoutImprovement = 0;
      st.plateauEpochs = 0;
    } else {
      st.epochsWithoutImprovement++;
      st.plateauEpochs++;
    }
    if (cfg.schedule.kind === 'plateau' && st.plateauEpochs >= cfg.schedule.patience) {
      const next = Math.max(cfg.schedule.minLr, st.lr * cfg.schedule.factor);
      if (next < st.lr) {
        st.lr = next;
        await s.compute.setLearningRate(next);
      }
      st.plateauEpochs = 0;
    }
    st.epoch = epoch;
    st.step = 0;
    st.epochLossSum = 0;
    st.epochLossCount = 0;
    st.epochSeconds = 0;
  }

  /** best/ (with the overlapping thresholds' curves) when the epoch improved, then last/ always: a resume starts after this epoch. */
  private async epochCheckpoints(p: Pass, epoch: number, improved: boolean, result: Parameters<typeof thresholdsFile>[1]): Promise<void> {
    const s = p.s;
    if (improved) {
      const curves = thresholdsFile(epoch, result);
      if (curves) await s.run.writeThresholds(curves);
      const dir = await this.checkpoint(s, RUN_FILES.best);
      p.emit({ type: 'checkpoint', which: 'best', dir, epoch, step: 0 });
    }
    const dir = await this.checkpoint(s, RUN_FILES.last);
    p.emit({ type: 'checkpoint', which: 'last', dir, epoch, step: 0 });
  }

  /**
   * The session's end: cut short (stop, time limit), last/ is written mid-epoch so a resume goes on
   * from this step; the model is left holding the best weights (best/, as `seglens predict` loads
   * it); run.json records the session; the `finished` event carries the result.
   */
  private async finish(p: Pass, stop: Stop): Promise<TrainResult> {
    const { s, emit } = p;
    const st = s.state;
    if (stop.status === 'stopped' || stop.status === 'time-limit') {
      st.elapsedSeconds = p.elapsed();
      const dir = await this.checkpoint(s, RUN_FILES.last);
      emit({ type: 'checkpoint', which: 'last', dir, epoch: st.epoch, step: st.step });
    }
    const bestDir = checkpointDir(s.run.dir, RUN_FILES.best);
    if (bestDir) await s.compute.setWeights((await readModelWeights(bestDir)).weights);
    const result: TrainResult = {
      status: stop.status,
      runDir: s.run.dir,
      runId: s.run.id,
      epochs: st.epoch,
      reason: stop.reason,
      bestEpoch: st.best.epoch,
      monitor: s.cfg.earlyStopping.monitor,
      bestValue: st.best.value,
      best: s.history.find((r) => r.epoch === st.best.epoch) ?? null,
      warnings: p.warnings,
      seconds: p.elapsed(),
    };
    await this.endSession(s, stop.status, stop.reason);
    emit({ type: 'finished', result });
    return result;
  }

  /**
   * The compute went away mid-run (GPU device lost, compute window or page closed): its weights
   * since the last checkpoint are gone, the checkpoints on disk are whole. The run ends as
   * stopped, saying why and how to go on, so it can be resumed on another backend.
   */
  private async computeLost(s: Session, e: ComputeLostError, seconds: number, warnings: TrainingWarning[], emit: (e: TrainEvent) => void): Promise<TrainResult> {
    const st = s.state;
    const last = checkpointDir(s.run.dir, RUN_FILES.last);
    const resumeOn = nativeBuilt() ? 'native' : 'wasm';
    const reason =
      `the ${s.backend.name} compute stopped working: ${e.message}. ` +
      (last
        ? `The last checkpoint (end of epoch ${st.epoch}) is kept; resume on the CPU path with \`seglens train PROJECT --resume ${s.run.id} --backend ${resumeOn}\` (or "Resume on the CPU" in the app).`
        : 'No epoch had finished, so there is no checkpoint to resume from: start the run again.');
    const result: TrainResult = {
      status: 'stopped',
      runDir: s.run.dir,
      runId: s.run.id,
      epochs: st.epoch,
      reason,
      bestEpoch: st.best.epoch,
      monitor: s.cfg.earlyStopping.monitor,
      bestValue: st.best.value,
      best: s.history.find((r) => r.epoch === st.best.epoch) ?? null,
      warnings,
      seconds,
      ...(last ? { resumeOn } : {}),
    };
    await this.endSession(s, 'stopped', reason);
    emit({ type: 'finished', result });
    return result;
  }

  private epochRecord(s: Session, epoch: number, result: Parameters<typeof valRecord>[0], valLoss: number | null, seconds: number): EpochRecord {
    const st = s.state;
    const val = valRecord(result);
    const name = s.cfg.earlyStopping.monitor;
    const value = name === 'valLoss' ? valLoss : val[name];
    const max = monitorMaximises(name);
    const bestValue = st.best.value;
    const delta = s.cfg.earlyStopping.minDelta;
    const better = value !== null && (bestValue === null || (max ? value > bestValue + delta : value < bestValue - delta));
    // The first epoch is always "best" so a run always has a best/ checkpoint to predict with.
    const best = better || st.best.epoch === null;
    const trainLoss = st.epochLossCount ? st.epochLossSum / st.epochLossCount : null;
    return {
      epoch,
      trainLoss: trainLoss !== null && Number.isFinite(trainLoss) ? trainLoss : null,
      valLoss,
      lr: st.lr,
      seconds,
      steps: st.epochLossCount,
      val,
      monitor: { name, value, best },
    };
  }

  private async checkpoint(s: Session, which: string): Promise<string> {
    s.state.rng = { sampling: s.samplingRng.state(), augmentation: s.augRng.state() };
    const snap = await s.compute.snapshot();
    s.state.iterations = snap.optimizer.iterations;
    return writeCheckpoint(s.run.writer(), s.run.dir, which, { weights: snap.weights, meta: s.meta, optimizer: snap.optimizer.moments, state: { ...s.state } });
  }

  private async endSession(s: Session, status: RunInfo['status'], reason: string): Promise<void> {
    const sessions = [...s.info.sessions];
    const last = sessions[sessions.length - 1];
    sessions[sessions.length - 1] = { ...last, ended: new Date().toISOString(), status, reason };
    s.info = { ...s.info, status, sessions, bestEpoch: s.state.best.epoch, bestValue: s.state.best.value };
    await s.run.writeInfo(s.info);
  }

  /** Reads and checks everything before the first step; creates the run folder last. */
  private async prepare(): Promise<Session> {
    const o = this.options;
    const ds = await openDataset(o.project, o.dataset ?? {});
    const blocking = ds.problems.filter(isBlocking);
    if (blocking.length) {
      throw new ConfigError(`The project cannot be trained on as it is:\n${blocking.map((p) => '  ' + formatProblem(p)).join('\n')}`, { problems: blocking });
    }
    const runsDir = o.out ?? join(ds.dir, RUNS_FOLDER);
    const resumedRun = o.resume ? RunFolder.open(o.resume, runsDir) : null;
    // Runs are written inside the project, in the --out folder the user named, or in the run
    // folder the user named to resume; never through a link out of them, never among the inputs.
    const gate = await projectGate(ds.dir, foldersOf(ds.dir, ds.project), {
      who: 'seglens train',
      roots: [...(o.out ? [{ dir: o.out, what: 'the --out folder' }] : []), ...(resumedRun ? [{ dir: resumedRun.dir, what: 'the run folder' }] : [])],
      pairs: ds.pairs,
    });
    // A resumed run is locked before its checkpoint is read: a second trainer stops here.
    const lock = resumedRun ? await lockRun(gate, resumedRun) : null;
    try {
      return await this.prepareLocked(o, ds, gate, runsDir, resumedRun, lock);
    } catch (e) {
      await lock?.release();
      throw e;
    }
  }

  private async prepareLocked(o: TrainOptions, ds: Dataset, gate: WriteGate, runsDir: string, resumedRun: RunFolder | null, lock: FileLock | null): Promise<Session> {
    let resumed: { run: RunFolder; ck: SavedCheckpoint; info: RunInfo } | null = null;
    let parent: ParentRun | null = null;
    let cfg: TrainConfig;
    let split: { manifest: SplitManifest; summary: SplitSummary };
    if (resumedRun) {
      const run = resumedRun.withGate(gate);
      cfg = await run.readConfig();
      if (o.epochs !== undefined) cfg = parseTrainConfig({ ...cfg, epochs: o.epochs });
      const ck = await readCheckpoint(run.dir, RUN_FILES.last);
      split = await resolveSplit(ds, { manifest: await run.readSplit(), val: cfg.split.val, seed: cfg.seeds.split });
      resumed = { run, ck, info: await run.readInfo() };
    } else {
      if (o.epochs !== undefined) throw new ConfigError('`epochs` outside a resume belongs in the config.');
      parent = o.from ? await readParentRun(o.from, runsDir) : null;
      cfg = parent ? fineTuneConfig(parent.config, o.config) : parseTrainConfig(o.config ?? {});
      const inherit = parent && !o.splitFile ? { inherit: { manifest: parent.manifest, file: parent.run.path(RUN_FILES.split), runId: parent.run.id } } : {};
      split = await resolveSplit(ds, { file: o.splitFile, val: cfg.split.val, seed: cfg.seeds.split, ...inherit });
    }
    const overlapping = ds.project.overlapping === true;
    cfg = overlapConfig(cfg, overlapping);
    const data = await loadSplitData(ds, split.manifest);
    const table = ds.project.classes;
    const K = table.classes.length;
    const bg = backgroundId(table);
    const unet = parseUNetConfig({ ...cfg.model, inputChannels: data.channels, numClasses: K, seed: cfg.seeds.init }, 'model settings');
    const meta = makeModelMeta(unet, ds.project.normalization, table, data.datasetRange, overlapping);

    const sampler = new PatchSampler(data.train, { patchSize: cfg.patch, numClasses: K, backgroundId: bg, foregroundRatio: cfg.sampling.foregroundRatio, multiLabel: overlapping });
    const weighted = cfg.classWeights || cfg.loss === 'weighted-ce';
    const loss: LossOptions = {
      kind: cfg.loss,
      numClasses: K,
      backgroundId: bg,
      head: cfg.model.head,
      ...(weighted ? { classWeights: overlapping ? overlapClassWeights(sampler.classCounts, data.train) : classWeightsFromCounts(sampler.classCounts) } : {}),
      ...(overlapping ? { multiLabel: true } : {}),
    };
    const chanceLoss = chanceLossOf(cfg.loss, K, cfg.model.head);

    const state: TrainState = resumed
      ? { ...resumed.ck.state }
      : {
          format: 'seglens-train-state',
          version: 1,
          epoch: 0,
          step: 0,
          epochLossSum: 0,
          epochLossCount: 0,
          epochSeconds: 0,
          iterations: 0,
          lr: cfg.optimizer.lr,
          // Distinct streams even when both seeds are equal (`--seed N` sets all of them).
          rng: { sampling: Rng.fromSeed(`sampling:${cfg.seeds.sampling}`).state(), augmentation: Rng.fromSeed(`augmentation:${cfg.seeds.augmentation}`).state() },
          initialLosses: [],
          best: { epoch: null, value: null },
          epochsWithoutImprovement: 0,
          plateauEpochs: 0,
          activeWarnings: [],
          elapsedSeconds: 0,
        };

    this.freeModel();
    let weights: SerializedWeights | undefined;
    let lineage: Lineage | undefined;
    if (parent) ({ weights, lineage } = startingWeights(parent, unet, meta, cfg.optimizer.lr));
    if (resumed) {
      const saved = await readModelWeights(resumed.ck.dir);
      checkSameModel(saved.info.meta, meta, resumed.run.dir);
      weights = saved.weights;
    }
    const compute = o.compute ?? new LocalCompute(() => selectBackend(o.backend ?? {}));
    this.compute = compute;
    const backend = await compute.init({
      model: unet,
      ...(weights ? { weights } : {}),
      optimizer: {
        beta1: cfg.optimizer.beta1,
        beta2: cfg.optimizer.beta2,
        epsilon: cfg.optimizer.epsilon,
        lr: state.lr,
        ...(resumed ? { state: { iterations: state.iterations, moments: resumed.ck.optimizer } } : {}),
      },
      loss,
      // A remote compute chooses its own backend, with these preferences.
      backend: { ...(o.backend?.prefer ? { prefer: o.backend.prefer } : {}), ...(o.backend?.allowSoftwareGpu ? { allowSoftwareGpu: true } : {}) },
    });
    return this.openRun(o, ds.dir, gate, runsDir, resumed, lock, cfg, backend, split, { data, meta, compute, chanceLoss, sampler, state, ...(lineage ? { lineage } : {}) });
  }

  /** Creates (or reopens) the run folder and writes what a run starts with. */
  private async openRun(
    o: TrainOptions,
    projectDir: string,
    gate: WriteGate,
    runsDir: string,
    resumed: { run: RunFolder; info: RunInfo } | null,
    resumedLock: FileLock | null,
    cfg: TrainConfig,
    backend: BackendReport,
    split: { manifest: SplitManifest; summary: SplitSummary },
    parts: Pick<Session, 'data' | 'meta' | 'compute' | 'chanceLoss' | 'sampler' | 'state' | 'lineage'>,
  ): Promise<Session> {
    const run = resumed ? resumed.run : await RunFolder.create(gate, runsDir);
    // A new run is locked as soon as its folder exists, so that resuming it meanwhile is refused.
    const lock = resumedLock ?? (await lockRun(gate, run));
    try {
      return await this.startRun(o, projectDir, run, lock, resumed, cfg, backend, split, parts);
    } catch (e) {
      if (!resumedLock) await lock.release();
      throw e;
    }
  }

  private async startRun(
    o: TrainOptions,
    projectDir: string,
    run: RunFolder,
    lock: FileLock,
    resumed: { run: RunFolder; info: RunInfo } | null,
    cfg: TrainConfig,
    backend: BackendReport,
    split: { manifest: SplitManifest; summary: SplitSummary },
    parts: Pick<Session, 'data' | 'meta' | 'compute' | 'chanceLoss' | 'sampler' | 'state' | 'lineage'>,
  ): Promise<Session> {
    const { state } = parts;
    const session: RunSession = {
      started: new Date().toISOString(),
      ended: null,
      status: 'running',
      fromEpoch: state.epoch,
      fromStep: state.step,
      backend: { name: backend.name, package: backend.package, reason: backend.reason, tried: backend.tried, ...(backend.adapter ? { adapter: backend.adapter } : {}) },
      reason: null,
    };
    let info: RunInfo;
    let history: EpochRecord[] = [];
    if (resumed) {
      history = await run.truncateHistory(state.epoch);
      info = { ...resumed.info, status: 'running', sessions: [...resumed.info.sessions, session] };
      if (o.epochs !== undefined) await run.writeConfig(cfg);
    } else {
      await run.writeSplit(split.manifest);
      await run.writeConfig(cfg);
      info = {
        format: 'seglens-run',
        version: 1,
        id: run.id,
        created: session.started,
        project: projectDir,
        status: 'running',
        versions: {
          node: process.versions.node,
          seglens: await seglensVersion(),
          'tfjs-core': tf.version_core,
          'tfjs-layers': tfl.version_layers,
          ...backend.versions,
        },
        sessions: [session],
        bestEpoch: null,
        bestValue: null,
        monitor: cfg.earlyStopping.monitor,
        excluded: split.summary.excluded,
        ...(parts.lineage ? { parent: parts.lineage } : {}),
      };
    }
    await run.writeInfo(info);
    return {
      ...parts,
      run,
      lock,
      info,
      cfg,
      backend,
      split: split.summary,
      samplingRng: Rng.fromState(state.rng.sampling, 'sampling RNG state'),
      augRng: Rng.fromState(state.rng.augmentation, 'augmentation RNG state'),
      history,
      ...(resumed ? { resumedFrom: { epoch: state.epoch, step: state.step } } : {}),
    };
  }
}

/** Takes the run's lock, or says who is training it and what to do. */
function lockRun(gate: WriteGate, run: RunFolder): Promise<FileLock> {
  return FileLock.acquire(gate, join(run.dir, RUN_LOCK), {
    what: `training the run ${run.dir}`,
    advice: 'Two trainings of one run would overwrite each other: wait for that one to finish, or stop it (Ctrl-C, or Stop in the app), then resume again.',
  });
}

function fmtValue(v: number | null): string {
  return v === null ? 'n/a' : v.toFixed(4);
}

/** A resumed run must rebuild the model it saved: same architecture, classes and normalisation. */
function checkSameModel(saved: ModelMeta, now: ModelMeta, runDir: string): void {
  const a = JSON.stringify({ c: saved.config, t: saved.classTable.classes.map((c) => c.name), n: saved.normalization, r: saved.datasetRange ?? null });
  const b = JSON.stringify({ c: now.config, t: now.classTable.classes.map((c) => c.name), n: now.normalization, r: now.datasetRange ?? null });
  if (a !== b) {
    throw new ConfigError(
      `The run ${runDir} was trained with another model, class table or normalisation than the project now gives (its model.json differs). Start a new run instead of resuming.`,
      { runDir },
    );
  }
}

/** Trains one run; see Trainer. The model is disposed before returning (the result is on disk). */
export async function train(options: TrainOptions, fit: FitOptions = {}): Promise<TrainResult> {
  const t = new Trainer(options);
  try {
    return await t.fit(fit);
  } finally {
    t.dispose();
  }
}
