// THE contract between UI and engine: every method (Promise-returning) and every event, with the
// zod schema of each payload. The engine (src/app/workspace.ts) implements `Contract`; the UI gets
// one from `createClient(transport)` (client.ts). Transports (transports/web.ts for the browser,
// the Electron preload) carry it and validate on both sides with the schemas in METHODS/EVENTS.
//
// Method kinds: `json` params and result travel as JSON; `download` returns pixels as a binary
// frame (frame.ts) whose header is `result`; `upload` sends a frame whose header is `params` and
// whose data is the pixel array, and gets a JSON result. Download params are flat string fields
// so that they fit in a URL query.
//
// No imports of ours outside src/api and no node imports: this is bundled into the browser.
import type { z } from 'zod';
import { NoParams } from './payloads/common.ts';
import { EVENT_SCHEMAS } from './payloads/events.ts';
import type { EventName } from './payloads/events.ts';
import { ImageMetricsParams, ImageMetricsResultSchema, MetricsTableParams, MetricsTableResultSchema } from './payloads/metrics.ts';
import { PredictRunParams, PredictRunResultSchema } from './payloads/predict.ts';
import type { PredictRunResult } from './payloads/predict.ts';
import type { ImageMetricsResult, MetricsTableResult } from './payloads/metrics.ts';
import {
  ClassPredictionHeaderSchema,
  ImageHeaderSchema,
  ImageOverviewHeaderSchema,
  MaskHeaderSchema,
  MaskOverviewHeaderSchema,
  OverviewParams,
  PixelNameParams,
  PredictionHeaderSchema,
  PredictionPixelsParams,
  PreviewPixelsParams,
  PrefetchImageResultSchema,
  SaveMaskParams,
  SaveMaskResultSchema,
} from './payloads/pixels.ts';
import type { ClassPredictionPixels, ImageOverview, ImagePixels, MaskOverview, MaskPixels, PredictionPixels, SaveMaskResult } from './payloads/pixels.ts';
import type { SaveMaskParams as SaveMaskInput } from './payloads/pixels.ts';
import {
  BrowseFoldersParams,
  BrowseFoldersResultSchema,
  CreateProjectParams,
  PickFolderResultSchema,
  ProposeProjectParams,
  ProposeProjectResultSchema,
} from './payloads/new-project.ts';
import type { BrowseFoldersResult, PickFolderResult, ProposeProjectResult } from './payloads/new-project.ts';
import {
  AppInfoSchema,
  InspectResultSchema,
  ListImagesParams,
  ListImagesResultSchema,
  OpenDemoResultSchema,
  OpenProjectParams,
  ProjectSummarySchema,
  SetExclusionsParams,
  SetExclusionsResultSchema,
  SplitPreviewParams,
  SplitPreviewResultSchema,
} from './payloads/project.ts';
import type { AppInfo, InspectResult, ListImagesResult, OpenDemoResult, ProjectSummary, SplitPreviewResult } from './payloads/project.ts';
import {
  ExportReportParams,
  ExportReportResultSchema,
  GetReportParams,
  GetReportResultSchema,
  ListRunsResultSchema,
  ResumeTrainingParams,
  RunDetailSchema,
  RunThresholdsSchema,
  SetThresholdsParams,
  RunParams,
  StartTrainingResultSchema,
  StopTrainingParams,
  StopTrainingResultSchema,
  TrainingOptionsSchema,
  TrainingStatusResultSchema,
} from './payloads/training.ts';
import type { RunDetail, StartTrainingResult, TrainingOptions } from './payloads/training.ts';
import { PredictImageParams, PredictImageResultSchema } from './payloads/loop.ts';
import type { PredictImageResult } from './payloads/loop.ts';

type In<S extends z.ZodType> = z.input<S>;
type Out<S extends z.ZodType> = z.output<S>;

export interface Contract {
  // ------------------------------------------------------------------ project
  /** Version, the open project (if any) and where the demo lives. */
  appInfo(): Promise<AppInfo>;
  /** Open a project folder (one with seglens.json). */
  openProject(p: In<typeof OpenProjectParams>): Promise<ProjectSummary>;
  /** Open the generated demo project; it is generated (deterministically) only if absent. */
  openDemo(): Promise<OpenDemoResult>;
  /**
   * Images with class presence, split side (the project's split, else the split of `runId`),
   * exclusion, annotation and prediction status.
   */
  listImages(p?: In<typeof ListImagesParams>): Promise<ListImagesResult>;
  /** Every problem with the data (file names, what to do), what blocks training, the class distribution. */
  inspectProject(): Promise<InspectResult>;
  /** Excludes images from training, splits and scores (with why), or brings them back; writes seglens.json. */
  setExclusions(p: In<typeof SetExclusionsParams>): Promise<Out<typeof SetExclusionsResultSchema>>;
  /** A native folder dialog where the host has one (Electron); elsewhere `supported: false`. */
  pickFolder(): Promise<PickFolderResult>;
  /** Sub-folders of a folder inside the user's home (the folder browser of browser mode). */
  browseFolders(p: In<typeof BrowseFoldersParams>): Promise<BrowseFoldersResult>;
  /** What `seglens init` would write for a folder of images and masks, writing nothing. */
  proposeProject(p: In<typeof ProposeProjectParams>): Promise<ProposeProjectResult>;
  /** Writes seglens.json (never over an existing one) with the class table given, and opens the project. */
  createProject(p: In<typeof CreateProjectParams>): Promise<ProjectSummary>;
  /** What a stratified split with these settings would give, per class and side; writes nothing. */
  previewSplit(p: In<typeof SplitPreviewParams>): Promise<SplitPreviewResult>;
  // ------------------------------------------------------------------ pixels (binary)
  getImagePixels(p: In<typeof PixelNameParams>): Promise<ImagePixels>;
  /** The current mask as class ids: edited if saved by the editor, else imported, else all IGNORE. */
  getMaskPixels(p: In<typeof PixelNameParams>): Promise<MaskPixels>;
  /**
   * The image reduced to at most about `maxSide` pixels a side (a whole factor), to draw before
   * the full resolution arrives; the full-resolution decode is kept a short while for the
   * getImagePixels that follows.
   */
  getImageOverview(p: In<typeof OverviewParams>): Promise<ImageOverview>;
  /** The current mask reduced as getImageOverview reduces the image (the same factor for the same maxSide). */
  getMaskOverview(p: In<typeof OverviewParams>): Promise<MaskOverview>;
  /**
   * Starts reading an image and its current mask and answers at once, so that the overviews or
   * pixels asked for next find them decoded (or under way): a page opened at an image sends it
   * before its own code has loaded (issue 14, launch to first image). Kept as the overviews keep
   * a decode (for the request that follows, a short while).
   */
  prefetchImage(p: In<typeof PixelNameParams>): Promise<Out<typeof PrefetchImageResultSchema>>;
  getPredictionPixels(p: In<typeof PredictionPixelsParams>): Promise<PredictionPixels>;
  /** The latest per-epoch preview prediction of a (running) run. */
  getPreviewPixels(p: In<typeof PreviewPixelsParams>): Promise<PredictionPixels>;
  /**
   * Overlapping classes: one image's per-class probabilities, stored per-class masks and per-class
   * ground truth of a run (ClassPredictionHeaderSchema says the layout). NotFound when the run holds
   * no current prediction of it; a ConfigError for a run that is not on overlapping classes.
   */
  getClassPredictionPixels(p: In<typeof PredictionPixelsParams>): Promise<ClassPredictionPixels>;
  /**
   * Save an edited mask (class ids) atomically into the edited-masks folder. Refused with a
   * ConflictError when the mask on disk is no longer `baseVersion` (unless `overwrite`).
   */
  saveMask(p: SaveMaskInput): Promise<SaveMaskResult>;
  // ------------------------------------------------------------------ runs and training
  listRuns(): Promise<Out<typeof ListRunsResultSchema>>;
  getRun(p: In<typeof RunParams>): Promise<RunDetail>;
  /** The per-image x per-class metrics table of a run's predictions against the current masks. */
  metricsTable(p: In<typeof MetricsTableParams>): Promise<MetricsTableResult>;
  /** One image's row of the metrics table: its scores and the class at fault, for the image view. */
  imageMetrics(p: In<typeof ImageMetricsParams>): Promise<ImageMetricsResult>;
  /**
   * Predicts a run's images with its best checkpoint into the run folder (cached there), with
   * `task.progress` events (task "predict"); resolves when they are stored.
   */
  predictRun(p: In<typeof PredictRunParams>): Promise<PredictRunResult>;
  startTraining(p: TrainingOptions): Promise<StartTrainingResult>;
  stopTraining(p: In<typeof StopTrainingParams>): Promise<Out<typeof StopTrainingResultSchema>>;
  resumeTraining(p: In<typeof ResumeTrainingParams>): Promise<StartTrainingResult>;
  trainingStatus(): Promise<Out<typeof TrainingStatusResultSchema>>;
  exportReport(p: In<typeof ExportReportParams>): Promise<Out<typeof ExportReportResultSchema>>;
  /** The HTML report exportReport wrote for a run, to open from the UI. */
  getReport(p: In<typeof GetReportParams>): Promise<Out<typeof GetReportResultSchema>>;
  /** Predict one image with a run's best weights into the run's predictions (the correction loop). */
  predictImage(p: In<typeof PredictImageParams>): Promise<PredictImageResult>;
  /**
   * Overlapping classes: saves per-class thresholds (the sliders) into the run's best weights and
   * removes the stored predictions made at the old ones; returns the run's thresholds as getRun does.
   */
  setThresholds(p: In<typeof SetThresholdsParams>): Promise<Out<typeof RunThresholdsSchema>>;
}

export type MethodName = keyof Contract;

export interface MethodSpec {
  kind: 'json' | 'download' | 'upload';
  params: z.ZodType;
  /** For `download` the frame header; for the others the JSON result. */
  result: z.ZodType;
}

export const METHODS = {
  appInfo: { kind: 'json', params: NoParams, result: AppInfoSchema },
  openProject: { kind: 'json', params: OpenProjectParams, result: ProjectSummarySchema },
  openDemo: { kind: 'json', params: NoParams, result: OpenDemoResultSchema },
  listImages: { kind: 'json', params: ListImagesParams, result: ListImagesResultSchema },
  inspectProject: { kind: 'json', params: NoParams, result: InspectResultSchema },
  setExclusions: { kind: 'json', params: SetExclusionsParams, result: SetExclusionsResultSchema },
  pickFolder: { kind: 'json', params: NoParams, result: PickFolderResultSchema },
  browseFolders: { kind: 'json', params: BrowseFoldersParams, result: BrowseFoldersResultSchema },
  proposeProject: { kind: 'json', params: ProposeProjectParams, result: ProposeProjectResultSchema },
  createProject: { kind: 'json', params: CreateProjectParams, result: ProjectSummarySchema },
  previewSplit: { kind: 'json', params: SplitPreviewParams, result: SplitPreviewResultSchema },
  getImagePixels: { kind: 'download', params: PixelNameParams, result: ImageHeaderSchema },
  getMaskPixels: { kind: 'download', params: PixelNameParams, result: MaskHeaderSchema },
  getImageOverview: { kind: 'download', params: OverviewParams, result: ImageOverviewHeaderSchema },
  getMaskOverview: { kind: 'download', params: OverviewParams, result: MaskOverviewHeaderSchema },
  prefetchImage: { kind: 'json', params: PixelNameParams, result: PrefetchImageResultSchema },
  getPredictionPixels: { kind: 'download', params: PredictionPixelsParams, result: PredictionHeaderSchema },
  getPreviewPixels: { kind: 'download', params: PreviewPixelsParams, result: PredictionHeaderSchema },
  getClassPredictionPixels: { kind: 'download', params: PredictionPixelsParams, result: ClassPredictionHeaderSchema },
  saveMask: { kind: 'upload', params: SaveMaskParams, result: SaveMaskResultSchema },
  listRuns: { kind: 'json', params: NoParams, result: ListRunsResultSchema },
  getRun: { kind: 'json', params: RunParams, result: RunDetailSchema },
  setThresholds: { kind: 'json', params: SetThresholdsParams, result: RunThresholdsSchema },
  metricsTable: { kind: 'json', params: MetricsTableParams, result: MetricsTableResultSchema },
  imageMetrics: { kind: 'json', params: ImageMetricsParams, result: ImageMetricsResultSchema },
  predictRun: { kind: 'json', params: PredictRunParams, result: PredictRunResultSchema },
  startTraining: { kind: 'json', params: TrainingOptionsSchema, result: StartTrainingResultSchema },
  stopTraining: { kind: 'json', params: StopTrainingParams, result: StopTrainingResultSchema },
  resumeTraining: { kind: 'json', params: ResumeTrainingParams, result: StartTrainingResultSchema },
  trainingStatus: { kind: 'json', params: NoParams, result: TrainingStatusResultSchema },
  exportReport: { kind: 'json', params: ExportReportParams, result: ExportReportResultSchema },
  getReport: { kind: 'json', params: GetReportParams, result: GetReportResultSchema },
  predictImage: { kind: 'json', params: PredictImageParams, result: PredictImageResultSchema },
} as const satisfies Record<MethodName, MethodSpec>;

export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

type KindOf<K extends MethodName> = (typeof METHODS)[K]['kind'];
export type JsonMethod = { [K in MethodName]: KindOf<K> extends 'json' ? K : never }[MethodName];
export type DownloadMethod = { [K in MethodName]: KindOf<K> extends 'download' ? K : never }[MethodName];
export type UploadMethod = { [K in MethodName]: KindOf<K> extends 'upload' ? K : never }[MethodName];

export function isMethodName(s: string): s is MethodName {
  return Object.prototype.hasOwnProperty.call(METHODS, s);
}

// ------------------------------------------------------------------ events
export const EVENTS = EVENT_SCHEMAS;
export type { EventName };
export { EVENT_NAMES } from './payloads/events.ts';
export type ContractEvents = { [K in EventName]: z.output<(typeof EVENT_SCHEMAS)[K]> };
/** One event as it travels: the name and its payload. */
export type ContractEvent = { [K in EventName]: { type: K; payload: ContractEvents[K] } }[EventName];

export function isEventName(s: string): s is EventName {
  return Object.prototype.hasOwnProperty.call(EVENT_SCHEMAS, s);
}

/** Where the engine side sends events; the workspace calls it, transports deliver it. */
export type EventSink = (event: ContractEvent) => void;
