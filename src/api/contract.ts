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
import { MetricsTableParams, MetricsTableResultSchema } from './payloads/metrics.ts';
import type { MetricsTableResult } from './payloads/metrics.ts';
import {
  ImageHeaderSchema,
  MaskHeaderSchema,
  PixelNameParams,
  PredictionHeaderSchema,
  PredictionPixelsParams,
  PreviewPixelsParams,
  SaveMaskParams,
  SaveMaskResultSchema,
} from './payloads/pixels.ts';
import type { ImagePixels, MaskPixels, PredictionPixels, SaveMaskResult } from './payloads/pixels.ts';
import type { SaveMaskParams as SaveMaskInput } from './payloads/pixels.ts';
import {
  AppInfoSchema,
  InspectResultSchema,
  ListImagesResultSchema,
  OpenDemoResultSchema,
  OpenProjectParams,
  ProjectSummarySchema,
  SplitPreviewParams,
  SplitPreviewResultSchema,
} from './payloads/project.ts';
import type { AppInfo, InspectResult, ListImagesResult, OpenDemoResult, ProjectSummary, SplitPreviewResult } from './payloads/project.ts';
import {
  ExportReportParams,
  ExportReportResultSchema,
  ListRunsResultSchema,
  ResumeTrainingParams,
  RunDetailSchema,
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
  /** Images with class presence, split membership, annotation and prediction status. */
  listImages(): Promise<ListImagesResult>;
  /** Every problem with the data (file names, what to do) and the class distribution. */
  inspectProject(): Promise<InspectResult>;
  /** What a stratified split with these settings would give, per class and side; writes nothing. */
  previewSplit(p: In<typeof SplitPreviewParams>): Promise<SplitPreviewResult>;
  // ------------------------------------------------------------------ pixels (binary)
  getImagePixels(p: In<typeof PixelNameParams>): Promise<ImagePixels>;
  /** The current mask as class ids: edited if saved by the editor, else imported, else all IGNORE. */
  getMaskPixels(p: In<typeof PixelNameParams>): Promise<MaskPixels>;
  getPredictionPixels(p: In<typeof PredictionPixelsParams>): Promise<PredictionPixels>;
  /** The latest per-epoch preview prediction of a (running) run. */
  getPreviewPixels(p: In<typeof PreviewPixelsParams>): Promise<PredictionPixels>;
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
  startTraining(p: TrainingOptions): Promise<StartTrainingResult>;
  stopTraining(p: In<typeof StopTrainingParams>): Promise<Out<typeof StopTrainingResultSchema>>;
  resumeTraining(p: In<typeof ResumeTrainingParams>): Promise<StartTrainingResult>;
  trainingStatus(): Promise<Out<typeof TrainingStatusResultSchema>>;
  exportReport(p: In<typeof ExportReportParams>): Promise<Out<typeof ExportReportResultSchema>>;
  /** Predict one image with a run's best weights into the run's predictions (the correction loop). */
  predictImage(p: In<typeof PredictImageParams>): Promise<PredictImageResult>;
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
  listImages: { kind: 'json', params: NoParams, result: ListImagesResultSchema },
  inspectProject: { kind: 'json', params: NoParams, result: InspectResultSchema },
  previewSplit: { kind: 'json', params: SplitPreviewParams, result: SplitPreviewResultSchema },
  getImagePixels: { kind: 'download', params: PixelNameParams, result: ImageHeaderSchema },
  getMaskPixels: { kind: 'download', params: PixelNameParams, result: MaskHeaderSchema },
  getPredictionPixels: { kind: 'download', params: PredictionPixelsParams, result: PredictionHeaderSchema },
  getPreviewPixels: { kind: 'download', params: PreviewPixelsParams, result: PredictionHeaderSchema },
  saveMask: { kind: 'upload', params: SaveMaskParams, result: SaveMaskResultSchema },
  listRuns: { kind: 'json', params: NoParams, result: ListRunsResultSchema },
  getRun: { kind: 'json', params: RunParams, result: RunDetailSchema },
  metricsTable: { kind: 'json', params: MetricsTableParams, result: MetricsTableResultSchema },
  startTraining: { kind: 'json', params: TrainingOptionsSchema, result: StartTrainingResultSchema },
  stopTraining: { kind: 'json', params: StopTrainingParams, result: StopTrainingResultSchema },
  resumeTraining: { kind: 'json', params: ResumeTrainingParams, result: StartTrainingResultSchema },
  trainingStatus: { kind: 'json', params: NoParams, result: TrainingStatusResultSchema },
  exportReport: { kind: 'json', params: ExportReportParams, result: ExportReportResultSchema },
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
