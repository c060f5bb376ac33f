// The application's state: the contract client, the open project, its images and runs, the view
// shown and the error on screen. One instance, given to every view through context (context.ts).
import type { AppInfo, ClassInfo, ImageEntry, InspectResult, ListImagesResult, PredictRunResult, ProjectSummary, RunSummary, SplitName } from '../../../../src/api/index.ts';
import type { ContractClient } from '../api.ts';
import { describeError } from '../errors.ts';
import type { ShownError } from '../errors.ts';
import { formatRoute, parseRoute } from '../router.ts';
import type { Route, ViewName } from '../router.ts';
import { markStep } from '../view/perf.ts';

export interface Progress {
  task: string;
  done: number;
  total: number;
  item: string | null;
}

/** Longest a page opened at an image holds its lists back for that image (see start). */
const FIRST_IMAGE_WAIT_MS = 5000;

const TASK_LABEL: Record<string, string> = {
  'generate-demo': 'Generating the demo project',
  'list-images': 'Reading masks',
  inspect: 'Inspecting images and masks',
  'split-preview': 'Computing the split',
  predict: 'Predicting',
  'scan-masks': 'Reading every mask',
};

/** Why the image view was opened: from a finding or the scatter, it shows the class at fault. */
export interface ReviewRequest {
  name: string;
  runId: string | null;
  /** Bumped for every request, so opening the same image again applies it again. */
  seq: number;
}

const OPEN_TODO =
  'Check the path: a project is a folder holding seglens.json. For a folder of images and masks, use "New project from a folder of images and masks" below (or `seglens init DIR`), or open the demo project.';

export class AppState {
  readonly client: ContractClient;
  view = $state<ViewName>('project');
  info = $state.raw<AppInfo | null>(null);
  project = $state.raw<ProjectSummary | null>(null);
  classes = $state.raw<ClassInfo[]>([]);
  images = $state.raw<ImageEntry[]>([]);
  /** Where the images' split sides come from (the project's manifest, the selected run's split). */
  splitSource = $state.raw<ListImagesResult['splitSource']>({ kind: 'none' });
  /** The image view applies this (error map of the class at fault) when it shows that image. */
  review = $state.raw<ReviewRequest | null>(null);
  private reviewSeq = 0;
  inspect = $state.raw<InspectResult | null>(null);
  runs = $state.raw<RunSummary[]>([]);
  /** The run whose predictions the image and metrics views show. */
  runId = $state<string | null>(null);
  /** The image the image view shows. */
  imageName = $state<string | null>(null);
  error = $state.raw<ShownError | null>(null);
  progress = $state.raw<Progress | null>(null);
  /** What the UI is waiting for, shown beside a spinner; null when idle. */
  busy = $state<string | null>(null);
  private readonly abort = new AbortController();

  constructor(client: ContractClient) {
    this.client = client;
    const signal = this.abort.signal;
    client.on('task.progress', (p) => (this.progress = p.done >= p.total ? null : p), { signal });
    client.on('project.opened', (p) => {
      if (p.dir !== this.project?.dir) void this.loaded(p);
    }, { signal });
    client.on('mask.saved', () => void this.refreshImages(), { signal });
  }

  taskLabel(task: string): string {
    return TASK_LABEL[task] ?? task;
  }

  /**
   * Run `f`, showing `what` while it runs and its error (as the engine sent it) if it fails;
   * `todo` replaces the generic advice for that error's name when the context knows better.
   */
  async run<T>(what: string, f: () => Promise<T>, todo?: string): Promise<T | undefined> {
    this.busy = what;
    try {
      const r = await f();
      return r;
    } catch (e) {
      const d = describeError(e, what);
      this.error = todo && d.name !== 'TransportError' ? { ...d, todo } : d;
      return undefined;
    } finally {
      if (this.busy === what) this.busy = null;
    }
  }

  /**
   * First load: the engine's info, the project it already has open (seglens serve PROJECT), the
   * route. `imageShown` resolves when a page opened at an image has it on screen (or failed to).
   */
  async start(route: Route, imageShown?: Promise<void>): Promise<void> {
    const info = await this.run('Connecting to the engine', () => this.client.appInfo());
    markStep('info-in');
    if (!info) return;
    this.info = info;
    if (!info.project) return;
    this.setProject(info.project);
    // Follow the route first: an image view starts fetching its pixels before the lists load.
    this.go(route);
    // Opened at an image (issue 14, launch to first image): the lists wait until it is on screen,
    // so that the engine decodes it first, not beside every mask the image list reads. Capped, so
    // that an image that never arrives does not hold the lists.
    if (imageShown && route.view === 'image' && route.image) await Promise.race([imageShown, new Promise((r) => setTimeout(r, FIRST_IMAGE_WAIT_MS))]);
    await this.loadLists();
  }

  async openDemo(): Promise<void> {
    const r = await this.run('Opening the demo project', () => this.client.openDemo());
    if (r) await this.loaded(r.project);
  }

  async openFolder(dir: string): Promise<void> {
    const p = await this.run(`Opening ${dir}`, () => this.client.openProject({ dir: dir.trim() }), OPEN_TODO);
    if (p) await this.loaded(p);
  }

  private async loaded(p: ProjectSummary): Promise<void> {
    this.setProject(p);
    await this.loadLists();
  }

  private setProject(p: ProjectSummary): void {
    this.project = p;
    this.classes = p.classes;
    this.images = [];
    this.inspect = null;
    this.runs = [];
    this.runId = null;
    this.imageName = null;
    this.error = null;
  }

  /**
   * Runs, then images (a project without a split of its own lists the selected run's sides, so the
   * run must be chosen first); the inspection (it reads every file) follows without holding anything up.
   */
  private async loadLists(): Promise<void> {
    await this.refreshRuns();
    await this.refreshImages();
    void this.refreshInspect();
  }

  async refreshImages(): Promise<void> {
    const runId = this.runId;
    const r = await this.run('Listing images', () => this.client.listImages(runId ? { runId } : {}));
    if (r) {
      this.images = r.images;
      this.classes = r.classes;
      this.splitSource = r.splitSource;
    }
  }

  /** The inspection; then the image list again, whose problem counts include what it found. */
  async refreshInspect(): Promise<void> {
    const r = await this.run('Inspecting the project', () => this.client.inspectProject());
    if (r) {
      this.inspect = r;
      await this.refreshImages();
    }
  }

  async refreshRuns(): Promise<void> {
    const r = await this.run('Listing runs', () => this.client.listRuns());
    if (!r) return;
    this.runs = r.runs;
    if (!this.runId || !r.runs.some((x) => x.runId === this.runId)) {
      // The newest run with predictions, else the newest run.
      const newest = [...r.runs].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
      this.runId = (newest.find((x) => x.predictions > 0) ?? newest[0])?.runId ?? null;
    }
  }

  /** Another run chosen: the image list shows its split when the project has none of its own. */
  selectRun(runId: string | null): void {
    if (runId === this.runId) return;
    this.runId = runId;
    void this.refreshImages();
  }

  get currentRun(): RunSummary | null {
    return this.runs.find((r) => r.runId === this.runId) ?? null;
  }

  /** Excludes images from training (with why), or brings them back; the lists follow. */
  async setExcluded(names: string[], excluded: boolean, reason?: string): Promise<boolean> {
    const r = await this.run(excluded ? 'Excluding images from training' : 'Bringing images back', () =>
      this.client.setExclusions(excluded ? { exclude: names.map((name) => ({ name, ...(reason ? { reason } : {}) })) } : { include: names }),
    );
    if (!r) return false;
    await this.refreshInspect();
    return true;
  }

  /** Predicts a run's images (all, one side of its split, or one image); the lists follow. */
  async predict(runId: string, what: { images?: 'all' | SplitName; name?: string }): Promise<PredictRunResult | undefined> {
    const r = await this.run(`Predicting with run ${runId}`, () => this.client.predictRun({ runId, ...what }));
    if (r) await Promise.all([this.refreshRuns(), this.refreshImages()]);
    return r;
  }

  /** Runs holding a prediction for `name`. */
  runsFor(name: string): string[] {
    return this.images.find((i) => i.name === name)?.predictions ?? [];
  }

  show(view: ViewName): void {
    this.view = view;
    this.syncHash();
  }

  /**
   * Shows an image. `review`: opened from a finding or the scatter, so the image view turns on the
   * error map of the class at fault and offers side by side.
   */
  openImage(name: string, runId?: string | null, opts: { review?: boolean } = {}): void {
    this.imageName = name;
    if (runId) this.selectRun(runId);
    if (opts.review) this.review = { name, runId: runId ?? this.runId, seq: ++this.reviewSeq };
    this.show('image');
  }

  /** Follow a route (#hash). */
  go(r: Route): void {
    if (r.run) this.runId = r.run;
    if (r.image) this.imageName = r.image;
    this.view = r.view;
  }

  route(): Route {
    return { view: this.view, image: this.view === 'image' ? this.imageName : null, run: this.runId };
  }

  private syncHash(): void {
    const h = formatRoute(this.route());
    if (typeof location !== 'undefined' && location.hash !== h) history.replaceState(null, '', h);
  }

  hashChanged(hash: string): void {
    this.go(parseRoute(hash));
  }

  dismissError(): void {
    this.error = null;
  }

  dispose(): void {
    this.abort.abort();
  }
}
