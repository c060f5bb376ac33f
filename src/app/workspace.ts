// The workspace service: the engine side of the contract (src/api/contract.ts). It holds the open
// project and the training jobs and pushes events to whatever transport hosts it (the web server,
// the Electron utility process). Each method is a few lines over the modules beside it.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { INSTALL_ROOT } from '../seg/runtime.ts';
import type {
  BrowseFoldersResult,
  CreateProjectParams,
  ImageMetricsResult,
  PickFolderResult,
  PredictRunResult,
  ProposeProjectParams,
  ProposeProjectResult,
  AppInfo,
  Contract,
  ContractEvent,
  EventSink,
  ImageOverview,
  ImagePixels,
  InspectResult,
  ListImagesResult,
  MaskOverview,
  MaskPixels,
  MetricsTableResult,
  OpenDemoResult,
  PredictImageResult,
  PredictionPixels,
  ClassPredictionPixels,
  ProjectSummary,
  RunDetail,
  RunThresholds,
  SaveMaskParams,
  SaveMaskResult,
  SplitName,
  SplitPreviewParams,
  SplitPreviewResult,
  StartTrainingResult,
  TrainingOptions,
} from '../api/index.ts';
import { ContractError, IGNORE } from '../api/index.ts';
import { describeIgnored } from '../seg/audit/index.ts';
import { ConfigError } from '../seg/errors.ts';
import { LockedError } from '../seg/lock.ts';
import { WriteGate } from '../seg/write-gate.ts';
import { inspectDataset } from '../seg/dataset/index.ts';
import { updateExclusions } from '../seg/project/index.ts';
import { DEMO_TRUTH_FILE, generateDemoProject } from '../seg/demo/index.ts';
import { imageInfo, preloadDecoder } from '../seg/image-io.ts';
import { writeLabelMask } from '../seg/mask-write.ts';
import { PROJECT_FILE } from '../seg/project/index.ts';
import { confined } from './confine.ts';
import { conflict, invalid, noProject, notFound } from './errors.ts';
import { demoDir } from './home.ts';
import { ImageListCache, listImageEntries } from './image-list.ts';
import { currentMask, shownPath } from './mask-source.ts';
import { imageMetrics, metricsTable, runSides } from './metrics-table.ts';
import { browseFolders, createNewProject, proposeNewProject } from './new-project.ts';
import { PredictRunner } from './predict/predict-runner.ts';
import { openProjectFolder, summarize, takeEditLock } from './open-project.ts';
import type { ImageRecord, OpenProject } from './open-project.ts';
import { classPredictionPixels, imagePixels, maskPixels, predictionPixels, previewPixels } from './pixels.ts';
import { RecentPixels, imageOverview, maskOverview } from './overview.ts';
import { runReportJob } from './report-job.ts';
import { checkFineTunable } from './fine-tune-check.ts';
import { runDir } from './run-files.ts';
import { listRuns, runDetail, runSplit } from './runs.ts';
import { previewSplit } from './split-preview.ts';
import { refuseBlocked, wireInspectFinding } from './training-gate.ts';
import { JobManager } from './training/jobs.ts';
import { ComputeHub } from './compute-hub.ts';
import { fromMainPort } from './compute-ports.ts';
import type { MessagePortMainLike } from './compute-ports.ts';
import type { ComputePort } from '../train/compute/rpc.ts';
import { fromWebSocket } from '../train/compute/node-ports.ts';
import type { WebSocket } from 'ws';
import type { JobLauncher } from './training/launcher.ts';
import { maskVersion } from '../seg/project/edits.ts';
import { predictionFile } from '../train/trainer/run-outputs.ts';
import { parseTrainConfig } from '../train/trainer/config.ts';
import { RUN_FILES } from '../train/trainer/run-folder.ts';
import { REPORT_FILES } from './report-files.ts';

export interface WorkspaceOptions {
  /** Where events go (the transport's broadcast). */
  emit?: EventSink;
  /** Folder of the demo project (default <seglens home>/demo). */
  demoDir?: string;
  /** Job module the training child runs (tests pass a double). */
  jobModule?: string;
  /** Grace time of a stopped training before its process is killed, ms. */
  stopGraceMs?: number;
  /** How job processes (trainings, reports) start; the desktop app passes its own (training/launcher.ts). */
  launcher?: JobLauncher;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(INSTALL_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export class Workspace implements Contract {
  private project: OpenProject | null = null;
  private readonly listCache = new ImageListCache();
  /** Images and masks decoded for an overview, kept for the full-resolution request that follows (overview.ts). */
  private readonly recentImages = new RecentPixels<ImagePixels>();
  private readonly recentMasks = new RecentPixels<MaskPixels>();
  private saving: Promise<unknown> = Promise.resolve();
  private demoOpening: Promise<OpenDemoResult> | null = null;
  private readonly emitTo: EventSink;
  private readonly launcher: JobLauncher | undefined;
  readonly demoDir: string;
  readonly jobs: JobManager;
  readonly predictions: PredictRunner;
  /** The GPU compute worker (page or compute window) that training jobs may borrow. */
  readonly computeHub = new ComputeHub();

  constructor(opts: WorkspaceOptions = {}) {
    this.emitTo = opts.emit ?? (() => {});
    this.demoDir = opts.demoDir ?? demoDir();
    this.launcher = opts.launcher;
    this.jobs = new JobManager({
      ...(opts.launcher ? { launcher: opts.launcher } : {}),
      emit: (e) => this.emit(e),
      computeHub: this.computeHub,
      ...(opts.jobModule ? { jobModule: opts.jobModule } : {}),
      ...(opts.stopGraceMs !== undefined ? { stopGraceMs: opts.stopGraceMs } : {}),
    });
    this.predictions = new PredictRunner({
      ...(opts.launcher ? { launcher: opts.launcher } : {}),
      onProgress: (done, total, item) => this.emit({ type: 'task.progress', payload: { task: 'predict', done, total, item } }),
    });
  }

  /** The first image of a page opened now need not wait for the image decoder's load (browser mode calls this once it serves). */
  preloadDecoder(): void {
    preloadDecoder();
  }

  private emit(e: ContractEvent): void {
    this.emitTo(e);
  }

  private open(): OpenProject {
    if (!this.project) throw noProject();
    return this.project;
  }

  private image(p: OpenProject, name: string): ImageRecord {
    const rec = p.byName.get(name);
    if (!rec) throw notFound('image', name, 'Image names are listed by listImages.');
    return rec;
  }

  // ---------------------------------------------------------------- project
  async appInfo(): Promise<AppInfo> {
    const es = parseTrainConfig({}).earlyStopping;
    return {
      version: packageVersion(),
      project: this.project ? summarize(this.project) : null,
      demoDir: this.demoDir,
      training: { monitor: es.monitor, minDelta: es.minDelta, patience: es.patience },
    };
  }

  async openProject({ dir }: { dir: string }): Promise<ProjectSummary> {
    // The open project's lock goes first: reopening it must not find this window's own lock. (Should
    // the new one fail to open, the old project takes its lock again at its next save.)
    await this.project?.editLock?.release();
    const p = await openProjectFolder(dir, { edit: true });
    this.project = p;
    this.recentImages.forget(() => true);
    this.recentMasks.forget(() => true);
    const s = summarize(p);
    this.emit({ type: 'project.opened', payload: s });
    return s;
  }

  openDemo(): Promise<OpenDemoResult> {
    // One generation even if the UI asks twice while the first is still writing.
    this.demoOpening ??= this.openDemoOnce().finally(() => (this.demoOpening = null));
    return this.demoOpening;
  }

  private async openDemoOnce(): Promise<OpenDemoResult> {
    const dir = this.demoDir;
    // demo-truth.json is written last: its presence means a complete demo.
    const complete = existsSync(join(dir, PROJECT_FILE)) && existsSync(join(dir, DEMO_TRUTH_FILE));
    if (!complete) {
      this.emit({ type: 'task.progress', payload: { task: 'generate-demo', done: 0, total: 1, item: dir } });
      await generateDemoProject(dir, { seed: 1 });
      this.emit({ type: 'task.progress', payload: { task: 'generate-demo', done: 1, total: 1, item: dir } });
    }
    return { project: await this.openProject({ dir }), generated: !complete };
  }

  async listImages({ runId }: { runId?: string } = {}): Promise<ListImagesResult> {
    const p = this.open();
    // The project's own split first; without one, the split the run asked for trained on.
    let sides: ReadonlyMap<string, SplitName> = p.splitOf;
    let splitSource: ListImagesResult['splitSource'] = p.manifest ? { kind: 'project', file: relative(p.dir, p.manifest.file) || p.manifest.file } : { kind: 'none' };
    if (!p.manifest && runId) {
      const run = await runSides(p, runDir(p, runId));
      if (run.source === 'run') {
        sides = run.sides;
        splitSource = { kind: 'run', runId };
      }
    }
    const images = await listImageEntries(p, this.listCache, sides, (done, total, item) =>
      this.emit({ type: 'task.progress', payload: { task: 'list-images', done, total, item: item || null } }),
    );
    return { classes: p.classes, images, splitSource };
  }

  async inspectProject(): Promise<InspectResult> {
    const p = this.open();
    const r = await inspectDataset(p.ds, { onProgress: (done, total, item) => this.emit({ type: 'task.progress', payload: { task: 'inspect', done, total, item } }) });
    p.inspected = { findings: r.findings };
    return {
      classes: r.classes.map((c, id) => ({ id, name: c.name, color: c.color, isBackground: c.isBackground, pixels: c.pixels, fraction: Number.isFinite(c.fraction) ? c.fraction : 0, images: c.images })),
      findings: r.findings.map(wireInspectFinding),
      ignored: { pixels: r.ignored.ignored, share: r.ignored.share, text: describeIgnored(r.ignored) },
      unreadable: r.unreadable,
      blocking: r.blocking,
      excluded: r.excluded,
    };
  }

  async setExclusions({ exclude = [], include = [] }: { exclude?: { name: string; reason?: string }[]; include?: string[] }) {
    const p = this.open();
    // The project file is edited: only the window holding the project's edit lock writes it.
    if (!(await takeEditLock(p))) throw new LockedError(`Not changed: ${p.readOnly}`, {});
    const gate = await WriteGate.extend(p.gate, { owns: [join(p.dir, PROJECT_FILE)] });
    await updateExclusions(gate, p.dir, { exclude: exclude.map((e) => ({ image: e.name, ...(e.reason ? { reason: e.reason } : {}) })), include }, new Set(p.byName.keys()));
    // Reopened so that every view (split, training, scores) sees the new list.
    const again = await this.openProject({ dir: p.dir });
    void again;
    return { excluded: [...this.open().ds.excluded].map(([name, reason]) => ({ name, reason })) };
  }

  async pickFolder(): Promise<PickFolderResult> {
    // The engine has no window: the Electron main process answers this call with its dialog.
    return { supported: false, dir: null };
  }

  browseFolders({ dir }: { dir?: string }): Promise<BrowseFoldersResult> {
    return browseFolders(dir);
  }

  proposeProject(params: ProposeProjectParams): Promise<ProposeProjectResult> {
    return proposeNewProject(params, (done, total) => this.emit({ type: 'task.progress', payload: { task: 'scan-masks', done, total, item: params.dir } }));
  }

  async createProject(params: CreateProjectParams): Promise<ProjectSummary> {
    return this.openProject({ dir: await createNewProject(params) });
  }

  async previewSplit(params: SplitPreviewParams): Promise<SplitPreviewResult> {
    const p = this.open();
    return previewSplit(p, params, (done, total) => this.emit({ type: 'task.progress', payload: { task: 'split-preview', done, total, item: null } }));
  }

  // ---------------------------------------------------------------- pixels
  async getImagePixels({ name }: { name: string }): Promise<ImagePixels> {
    const p = this.open();
    const rec = this.image(p, name);
    return (await this.recentImages.take(rec.name)) ?? imagePixels(p, rec);
  }

  async getMaskPixels({ name }: { name: string }): Promise<MaskPixels> {
    const p = this.open();
    const rec = this.image(p, name);
    return (await this.recentMasks.take(rec.name)) ?? maskPixels(p, rec);
  }

  async getImageOverview({ name, maxSide }: { name: string; maxSide: string }): Promise<ImageOverview> {
    const p = this.open();
    const rec = this.image(p, name);
    return imageOverview(await this.recentImages.get(rec.name, () => imagePixels(p, rec)), Number(maxSide));
  }

  async getMaskOverview({ name, maxSide }: { name: string; maxSide: string }): Promise<MaskOverview> {
    const p = this.open();
    const rec = this.image(p, name);
    return maskOverview(await this.recentMasks.get(rec.name, () => maskPixels(p, rec)), Number(maxSide));
  }

  async prefetchImage({ name }: { name: string }): Promise<Record<string, never>> {
    const p = this.open();
    const rec = this.image(p, name);
    // Failures are not kept (RecentPixels) and are reported by the request that follows.
    this.recentImages.get(rec.name, () => imagePixels(p, rec)).catch(() => {});
    this.recentMasks.get(rec.name, () => maskPixels(p, rec)).catch(() => {});
    return {};
  }

  async getPredictionPixels({ runId, name }: { runId: string; name: string }): Promise<PredictionPixels> {
    const p = this.open();
    return predictionPixels(p, runId, this.image(p, name));
  }

  async getClassPredictionPixels({ runId, name }: { runId: string; name: string }): Promise<ClassPredictionPixels> {
    const p = this.open();
    return classPredictionPixels(p, runId, this.image(p, name));
  }

  async getPreviewPixels({ runId }: { runId: string }): Promise<PredictionPixels> {
    return previewPixels(this.open(), runId);
  }

  saveMask(params: SaveMaskParams): Promise<SaveMaskResult> {
    // Saves run one after another: a version check and the write it guards must not interleave.
    const next = this.saving.then(() => this.saveMaskNow(params));
    this.saving = next.catch(() => undefined);
    return next;
  }

  private async saveMaskNow(params: SaveMaskParams): Promise<SaveMaskResult> {
    const p = this.open();
    const rec = this.image(p, params.name);
    // A mask decoded for an overview before this save must not be handed out after it.
    this.recentMasks.forget((key) => key === rec.name);
    if (p.ds.project.overlapping) {
      // The editor paints one class per pixel; an overlapping project trains on its per-class files,
      // so a saved edit would be ignored. Refused rather than kept and never used.
      throw new ConfigError(`Not saved: ${p.ds.dir} has overlapping classes, which the editor cannot paint yet (one class per pixel). Edit the per-class mask files of ${rec.name} instead.`, { name: rec.name });
    }
    // One window saves at a time (the edit lock); a read-only one tries again, in case the other closed.
    if (!(await takeEditLock(p))) throw new LockedError(`Not saved: ${p.readOnly}`, { name: rec.name });
    const where = 'params of saveMask';
    const info = await imageInfo(await confined(rec.image, p.roots, shownPath(p, rec.image)), { page: p.ds.project.imagePage });
    if (params.width !== info.width) throw invalid(where, 'width', `${params.width} but the image ${rec.name} is ${info.width} pixels wide`);
    if (params.height !== info.height) throw invalid(where, 'height', `${params.height} but the image ${rec.name} is ${info.height} pixels high`);
    const K = p.classes.length;
    const d = params.data;
    for (let i = 0; i < d.length; i++) {
      if (d[i] >= K && d[i] !== IGNORE) throw invalid(where, `data[${i}]`, `class id ${d[i]} at pixel (${i % params.width}, ${Math.floor(i / params.width)}); the project has ${K} classes (0-${K - 1}) and ${IGNORE} = unlabelled`);
    }
    // The version on disk, not a cached one: the index is read again (another process may have
    // saved this image since), then the current mask's bytes are hashed.
    await p.edits.reload();
    const cur = await currentMask(p, rec);
    if (!params.overwrite && cur.version !== params.baseVersion) {
      throw conflict({ name: rec.name, file: cur.shown, expectedVersion: params.baseVersion, actualVersion: cur.version });
    }
    const file = await p.edits.pathFor(p.gate, rec.name);
    await writeLabelMask(p.gate, file, { width: params.width, height: params.height, data: d });
    const replaces = cur.source === 'imported' && cur.files[0] ? basename(cur.files[0]) : null;
    await p.edits.record(p.gate, rec.name, file, replaces);
    this.listCache.forget(rec.name);
    const result = { name: rec.name, file: shownPath(p, file), version: await maskVersion('edited', [file]) };
    this.emit({ type: 'mask.saved', payload: result });
    return result;
  }

  // ---------------------------------------------------------------- runs and training
  async listRuns() {
    return { runs: await listRuns(this.open(), this.jobs.liveRunIds()) };
  }

  async getRun({ runId }: { runId: string }): Promise<RunDetail> {
    return runDetail(this.open(), runId, this.jobs.liveRunIds());
  }

  async metricsTable({ runId, split }: { runId: string; split?: SplitName }): Promise<MetricsTableResult> {
    return metricsTable(this.open(), runId, split);
  }

  async imageMetrics({ runId, name }: { runId: string; name: string }): Promise<ImageMetricsResult> {
    const p = this.open();
    return imageMetrics(p, runId, this.image(p, name));
  }

  async setThresholds({ runId, values }: { runId: string; values: number[] }): Promise<RunThresholds> {
    const p = this.open();
    const dir = runDir(p, runId);
    if (this.jobs.liveRunIds().has(runId)) throw invalid('params of setThresholds', 'runId', `run ${runId} is still training; set its thresholds when it ends`);
    // Loaded here, not at start-up: it brings TensorFlow.js (issue 14, launch to first image).
    const { setRunThresholds } = await import('../train/trainer/set-thresholds.ts');
    await setRunThresholds(p.gate, dir, values);
    const d = await runDetail(p, runId, this.jobs.liveRunIds());
    if (!d.thresholds) throw invalid('params of setThresholds', 'runId', `run ${runId} has no validation curves (thresholds.json): it has not validated overlapping classes`);
    return d.thresholds;
  }

  async predictRun({ runId, images = 'all', name }: { runId: string; images?: 'all' | SplitName; name?: string }): Promise<PredictRunResult> {
    const p = this.open();
    const dir = runDir(p, runId);
    if (this.jobs.liveRunIds().has(runId)) throw invalid('params of predictRun', 'runId', `run ${runId} is still training; its images are predicted when it ends`);
    let recs = p.images;
    if (name) recs = [this.image(p, name)];
    else if (images !== 'all') {
      const split = await runSplit(dir);
      if (!split) throw invalid('params of predictRun', 'images', `run ${runId} has no split of its own (no split.json), so it has no ${images} images; predict "all"`);
      const wanted = new Set(split[images]);
      recs = p.images.filter((r) => wanted.has(r.name));
    }
    const project = p.ds.project;
    const out = await this.predictions.run({
      runDir: dir,
      items: recs.map((r) => ({ name: r.name, image: r.image })),
      page: project.imagePage,
      ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}),
    });
    return {
      runId,
      epoch: out.epoch,
      predicted: out.predicted.length,
      cached: out.cached.length,
      problems: out.problems,
      backend: out.predicted.length || out.problems.length ? out.backend : null,
    };
  }

  async startTraining(options: TrainingOptions): Promise<StartTrainingResult> {
    const p = this.open();
    await this.refuseBlocked(p);
    if (options.fromRun) checkFineTunable(p, options.fromRun, this.jobs.liveRunIds());
    return this.jobs.start({ projectDir: p.dir, options });
  }

  /** The same gate as `seglens train` (training-gate.ts). */
  private refuseBlocked(p: OpenProject): Promise<void> {
    return refuseBlocked(p, (done, total, item) => this.emit({ type: 'task.progress', payload: { task: 'inspect', done, total, item } }));
  }

  /** The correction loop's "predict this image": predictRun for one image, said as the file it wrote. */
  async predictImage({ runId, name }: { runId: string; name: string }): Promise<PredictImageResult> {
    const p = this.open();
    const rec = this.image(p, name);
    const t0 = performance.now();
    const r = await this.predictRun({ runId, name: rec.name });
    if (r.problems.length) throw invalid('params of predictImage', 'name', `${rec.name} could not be predicted: ${r.problems[0].file}: ${r.problems[0].message}`);
    this.listCache.forget(rec.name);
    return { runId, name: rec.name, file: relative(p.dir, predictionFile(runDir(p, runId), rec.image)), epoch: r.epoch, seconds: (performance.now() - t0) / 1000 };
  }

  async stopTraining({ jobId }: { jobId: string }) {
    return { stopping: this.jobs.stop(jobId) };
  }

  /**
   * A GPU compute worker connected (browser mode: the page's worker on /compute/socket; Electron:
   * the compute window's port). Not part of the contract: the hosts call it.
   */
  attachCompute(port: ComputePort, source: string): void {
    this.computeHub.attach(port, source);
  }

  /** Desktop app: the hidden compute window's worker, through the port main handed over. */
  attachComputeMainPort(port: MessagePortMainLike): void {
    this.attachCompute(fromMainPort(port), 'compute window');
  }

  /** Browser mode: the page's compute worker on its WebSocket. */
  attachComputeSocket(ws: WebSocket): void {
    this.attachCompute(fromWebSocket(ws), 'browser page');
  }

  async resumeTraining({ runId, epochs, backend }: { runId: string; epochs?: number; backend?: TrainingOptions['backend'] }): Promise<StartTrainingResult> {
    const p = this.open();
    const dir = runDir(p, runId);
    if (this.jobs.liveRunIds().has(runId)) throw invalid('params of resumeTraining', 'runId', `run ${runId} is still training`);
    if (this.predictions.busyWith === dir) throw invalid('params of resumeTraining', 'runId', `run ${runId} is being predicted; resume it when the predictions are done`);
    await this.refuseBlocked(p);
    if (!existsSync(join(dir, 'last'))) throw notFound('resumable checkpoint of run', runId, 'Only a run with a `last` checkpoint can be resumed.');
    return this.jobs.start({ projectDir: p.dir, options: backend ? { backend } : {}, resume: { runId, ...(epochs !== undefined ? { epochs } : {}) } });
  }

  async trainingStatus() {
    return { jobs: this.jobs.status(), gpu: this.computeHub.status() };
  }

  async exportReport({ runId, format = 'html' }: { runId: string; format?: 'html' | 'json' | 'pdf' }): Promise<{ file: string }> {
    const dir = runDir(this.open(), runId);
    const files = await runReportJob(dir, { pdf: format === 'pdf', ...(this.launcher ? { launcher: this.launcher } : {}) });
    if (format === 'pdf' && !files.pdf) {
      throw new ContractError('ReportError', `No PDF could be made (${files.pdfError ?? 'headless Chromium was not found'}). The HTML report was written to ${files.html}: open it in a browser and print it to PDF.`, { html: files.html });
    }
    return { file: format === 'json' ? files.json : format === 'pdf' ? files.pdf! : files.html };
  }

  async getReport({ runId }: { runId: string }): Promise<{ file: string; html: string }> {
    const p = this.open();
    const file = join(runDir(p, runId), RUN_FILES.report, REPORT_FILES.html);
    if (!existsSync(file)) throw notFound('report of run', runId, 'Export the report first (exportReport); it is written into the run folder.');
    const real = await confined(file, p.roots, shownPath(p, file));
    return { file: real, html: await readFile(real, 'utf8') };
  }

  /** Ends the training processes; call when the host shuts down. */
  async close(): Promise<void> {
    await Promise.all([this.jobs.shutdown(), this.predictions.shutdown()]);
    await this.project?.editLock?.release();
  }
}
