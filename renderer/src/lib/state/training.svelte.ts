// State of the training view: the options form, the split preview, and the live job (its events
// turned into curves, the backend and why, ETA, warnings, the per-epoch preview). It listens from
// the start of the app, so a training keeps being followed while another view is shown.
import type { BackendInfo, BackendPreference, EpochRecord, JobStatus, PredictionPixels, RunThresholds, SplitPreviewResult, TrainingOptions, TrainingStatusResult } from '../../../../src/api/index.ts';
import type { ContractClient } from '../api.ts';
import { describeError } from '../errors.ts';
import type { ShownError } from '../errors.ts';

export interface TrainingForm {
  valFraction: number;
  testFraction: number;
  seed: number;
  patch: number;
  epochs: number;
  patience: number;
  /** null (the field left empty): about 30 s of steps, sized by the trainer. */
  stepsPerEpoch: number | null;
  batchSize: number;
  learningRate: number;
  loss: NonNullable<TrainingOptions['loss']>;
  backend: NonNullable<TrainingOptions['backend']>;
}

export const DEFAULT_FORM: TrainingForm = {
  valFraction: 0.2,
  testFraction: 0,
  seed: 1,
  patch: 128,
  epochs: 30,
  patience: 8,
  stepsPerEpoch: null,
  batchSize: 4,
  learningRate: 0.001,
  loss: 'dice-ce',
  backend: 'auto',
};

/** One point of the step-loss curve: x in epochs (epoch 3, step 5 of 10 = 2.5). */
export interface StepPoint {
  x: number;
  loss: number;
}

export interface TrainingWarning {
  code: string;
  message: string;
  hint: string;
  epoch: number | null;
}

const ACTIVE = new Set(['starting', 'running', 'stopping']);

export class TrainingState {
  form = $state<TrainingForm>({ ...DEFAULT_FORM });
  split = $state.raw<SplitPreviewResult | null>(null);
  splitError = $state.raw<ShownError | null>(null);
  splitLoading = $state(false);
  job = $state.raw<JobStatus | null>(null);
  jobId = $state<string | null>(null);
  runId = $state<string | null>(null);
  state = $state<string>('idle');
  backend = $state.raw<BackendInfo | null>(null);
  epochs = $state(0);
  history = $state.raw<EpochRecord[]>([]);
  /** Overlapping classes: the best epoch's thresholds and validation curves (null otherwise). */
  thresholds = $state.raw<RunThresholds | null>(null);
  thresholdsError = $state.raw<ShownError | null>(null);
  steps = $state.raw<StepPoint[]>([]);
  etaSeconds = $state<number | null>(null);
  warnings = $state.raw<TrainingWarning[]>([]);
  splitNote = $state.raw<{ source: string; train: number; val: number; test: number; warnings: string[]; excluded: { name: string; reason: string | null }[] } | null>(null);
  /** What "best" follows in this run (from its start): the figure, the improvement it must exceed. */
  monitor = $state.raw<{ name: string; minDelta: number; patience: number } | null>(null);
  /** The exported HTML report as a page the browser can open (a blob: URL), and its file. */
  reportUrl = $state<string | null>(null);
  finished = $state.raw<{ status: string; reason: string; bestEpoch: number | null; resumeOn: 'native' | 'wasm' | null; error: ShownError | null } | null>(null);
  /** The GPU compute worker the engine can lend a training (the page's or the compute window's), as trainingStatus says. */
  gpu = $state.raw<TrainingStatusResult['gpu']>(null);
  preview = $state.raw<PredictionPixels | null>(null);
  previewEpoch = $state<number | null>(null);
  error = $state.raw<ShownError | null>(null);
  exported = $state<string | null>(null);
  exportError = $state.raw<ShownError | null>(null);
  private readonly abort = new AbortController();
  /** Called when a run ends (the app refreshes its run list). */
  onRunEnded: (() => void) | null = null;

  constructor(private readonly client: ContractClient) {
    const signal = this.abort.signal;
    const mine = (p: { jobId: string }) => p.jobId === this.jobId || this.jobId === null;
    client.on('training.started', (p) => {
      if (!mine(p)) return;
      this.jobId = p.jobId;
      this.runId = p.runId;
      this.state = 'running';
      this.backend = p.backend;
      this.epochs = p.epochs;
      this.splitNote = p.split;
      this.monitor = p.monitor;
      if (p.resumedAfter === 0) this.resetCurves();
    }, { signal });
    client.on('training.step', (p) => {
      if (!mine(p) || p.loss === null) return;
      this.steps = [...this.steps, { x: p.epoch - 1 + p.step / Math.max(1, p.stepsPerEpoch), loss: p.loss }];
      this.etaSeconds = p.etaSeconds;
    }, { signal });
    client.on('training.epoch', (p) => {
      if (!mine(p)) return;
      this.history = [...this.history.filter((r) => r.epoch < p.record.epoch), p.record];
      this.etaSeconds = p.etaSeconds;
    }, { signal });
    client.on('training.warning', (p) => {
      if (!mine(p)) return;
      this.warnings = [...this.warnings, { code: p.code, message: p.message, hint: p.hint, epoch: p.epoch }];
    }, { signal });
    client.on('training.preview', (p) => {
      if (mine(p)) void this.loadPreview(p.runId, p.epoch);
    }, { signal });
    client.on('training.finished', (p) => {
      if (!mine(p)) return;
      // A page that was not watching this job (opened during it) adopts it: its run is the one ended.
      if (this.jobId === null) {
        this.jobId = p.jobId;
        this.runId = p.runId;
        if (this.history.length === 0) void this.loadHistory(p.runId).catch(() => undefined);
      }
      this.state = p.status;
      this.etaSeconds = null;
      this.finished = { status: p.status, reason: p.reason, bestEpoch: p.bestEpoch, resumeOn: p.resumeOn, error: p.error ? describeError(p.error, 'Training') : null };
      void this.refreshGpu();
      this.onRunEnded?.();
      if (p.runId) void this.loadHistory(p.runId).catch(() => undefined);
    }, { signal });
  }

  get active(): boolean {
    return ACTIVE.has(this.state);
  }

  private resetCurves(): void {
    this.history = [];
    this.thresholds = null;
    this.steps = [];
    this.warnings = [];
    this.finished = null;
    this.preview = null;
    this.previewEpoch = null;
    this.exported = null;
    this.exportError = null;
    this.setReportUrl(null);
  }

  /** Pick up a job already running in the engine (page reloaded during training). */
  async attach(): Promise<void> {
    try {
      const { jobs, gpu } = await this.client.trainingStatus();
      this.gpu = gpu;
      const live = jobs.find((j) => ACTIVE.has(j.state)) ?? jobs.at(-1);
      if (!live) return;
      this.job = live;
      this.jobId = live.jobId;
      this.runId = live.runId;
      this.state = live.state;
      this.backend = live.backend;
      this.epochs = live.epochs;
      this.etaSeconds = live.etaSeconds;
      // A run that ended while no page watched it (e.g. its GPU went away): say how it ended.
      if (!ACTIVE.has(live.state) && live.reason) {
        this.finished = { status: live.state, reason: live.reason, bestEpoch: null, resumeOn: live.resumeOn, error: live.error ? describeError(live.error, 'Training') : null };
        // The run list this page holds may predate the end (the run then showed as running).
        this.onRunEnded?.();
      }
      if (live.runId && live.runId !== 'pending') await this.loadHistory(live.runId);
    } catch (e) {
      this.error = describeError(e, 'Reading the training status');
    }
  }

  async loadHistory(runId: string): Promise<void> {
    const d = await this.client.getRun({ runId });
    this.history = d.history;
    this.thresholds = d.thresholds ?? null;
    this.backend ??= d.summary.backend;
  }

  /** Overlapping classes: saves the thresholds moved with the sliders into the run's best weights. */
  async saveThresholds(values: number[]): Promise<void> {
    if (!this.runId) return;
    this.thresholdsError = null;
    try {
      this.thresholds = await this.client.setThresholds({ runId: this.runId, values });
    } catch (e) {
      this.thresholdsError = describeError(e, 'Saving the thresholds');
    }
  }

  /** Per-class distribution of the split these settings would give (writes nothing). */
  async previewSplit(): Promise<void> {
    this.splitLoading = true;
    this.splitError = null;
    try {
      const f = this.form;
      this.split = await this.client.previewSplit({ valFraction: f.valFraction, testFraction: f.testFraction, seed: f.seed });
    } catch (e) {
      this.split = null;
      this.splitError = describeError(e, 'Previewing the split');
    } finally {
      this.splitLoading = false;
    }
  }

  options(): TrainingOptions {
    const f = this.form;
    return {
      epochs: f.epochs,
      patience: f.patience,
      ...(f.stepsPerEpoch ? { stepsPerEpoch: f.stepsPerEpoch } : {}),
      valFraction: f.valFraction,
      patch: f.patch,
      batchSize: f.batchSize,
      learningRate: f.learningRate,
      loss: f.loss,
      seed: f.seed,
      backend: f.backend,
    };
  }

  async start(): Promise<void> {
    this.error = null;
    this.resetCurves();
    this.state = 'starting';
    this.jobId = null;
    try {
      const r = await this.client.startTraining(this.options());
      this.jobId = r.jobId;
      this.runId = r.runId;
      if (this.state === 'starting') this.state = 'running';
    } catch (e) {
      this.state = 'idle';
      this.error = describeError(e, 'Starting the training');
    }
  }

  /**
   * A new run from `fromRun`'s best weights (fine-tuning): that run's settings, a tenth of its
   * learning rate and a short schedule, unless `overrides` says otherwise; the form is not used.
   */
  async startFrom(fromRun: string, overrides: Omit<TrainingOptions, 'fromRun'> = {}): Promise<boolean> {
    this.error = null;
    this.resetCurves();
    this.state = 'starting';
    this.jobId = null;
    try {
      const r = await this.client.startTraining({ ...overrides, fromRun, backend: this.form.backend });
      this.jobId = r.jobId;
      this.runId = r.runId;
      if (this.state === 'starting') this.state = 'running';
      return true;
    } catch (e) {
      this.state = 'idle';
      this.error = describeError(e, `Starting a training from run ${fromRun}`);
      return false;
    }
  }

  async stop(): Promise<void> {
    if (!this.jobId) return;
    try {
      const r = await this.client.stopTraining({ jobId: this.jobId });
      if (r.stopping && this.active) this.state = 'stopping';
    } catch (e) {
      this.error = describeError(e, 'Stopping the training');
    }
  }

  /** What GPU the engine could lend a training now (the worker connects a moment after the page loads). */
  async refreshGpu(): Promise<void> {
    try {
      this.gpu = (await this.client.trainingStatus()).gpu;
    } catch {
      // The status line is informative only; a failing call shows up in the next action's error.
    }
  }

  async resume(runId: string, epochs?: number, backend?: BackendPreference): Promise<void> {
    this.error = null;
    this.state = 'starting';
    this.jobId = null;
    this.finished = null;
    this.warnings = [];
    this.exported = null;
    this.exportError = null;
    try {
      await this.loadHistory(runId);
      this.steps = [];
      const r = await this.client.resumeTraining({ runId, ...(epochs ? { epochs } : {}), ...(backend ? { backend } : {}) });
      this.jobId = r.jobId;
      this.runId = r.runId;
      if (this.state === 'starting') this.state = 'running';
    } catch (e) {
      this.state = 'idle';
      this.error = describeError(e, 'Resuming the training');
    }
  }

  private async loadPreview(runId: string, epoch: number): Promise<void> {
    try {
      this.preview = await this.client.getPreviewPixels({ runId });
      this.previewEpoch = epoch;
    } catch (e) {
      this.error = describeError(e, 'Loading the preview prediction');
    }
  }

  async exportReport(runId: string, format: 'html' | 'json' | 'pdf' = 'html'): Promise<void> {
    this.exported = null;
    this.exportError = null;
    this.setReportUrl(null);
    try {
      this.exported = (await this.client.exportReport({ runId, format })).file;
      // Every format writes the HTML report too: it opens from a link.
      const r = await this.client.getReport({ runId });
      this.setReportUrl(URL.createObjectURL(new Blob([r.html], { type: 'text/html' })));
    } catch (e) {
      this.exportError = describeError(e, 'Exporting the report');
    }
  }

  private setReportUrl(url: string | null): void {
    if (this.reportUrl) URL.revokeObjectURL(this.reportUrl);
    this.reportUrl = url;
  }

  dispose(): void {
    this.abort.abort();
  }
}
