// Per-class reports: report.json, the self-contained HTML, per_image_class.csv and thumbnails.
export type {
  EvalSplit,
  FindingScope,
  ScopedFinding,
  ReportEvaluationInput,
  RunInfo,
  SplitSummaryInput,
  ReportInput,
  ReportClass,
  GalleryEntry,
  ReportEvaluation,
  ExplainItem,
  ExplainSection,
  ReportData,
} from './types.ts';
export { SPLIT_LABELS } from './types.ts';
export { buildReportData, reportJson, normalizeRows, bestEpoch } from './report-json.ts';
export { rankGallery, deceptiveByGap, inclusiveScore, imageGap, DEFAULT_GALLERY_LIMIT } from './gallery.ts';
export type { GalleryOrder } from './gallery.ts';
export { perImageClassCsv, csvCell, CSV_COLUMNS } from './csv.ts';
export { explainSections, policyItems } from './explain.ts';
export type { ExplainContext } from './explain.ts';
export { imageThumbnails, errorMap, resampleRgb, thumbnailSize, DEFAULT_THUMBNAIL_SIZE } from './thumbnails.ts';
export type { ImageThumbnails, ErrorThumbnail, ThumbnailInput } from './thumbnails.ts';
export { renderReportHtml, anchor, flatten, fig } from './html.ts';
export type { ThumbnailSet } from './html.ts';
export { lineChart, lossCurveSvg, diceCurveSvg, confusionSvg, barChartSvg, niceTicks, esc } from './svg-plots.ts';
export type { Series, LineChartOptions, BarRow, BarGroup } from './svg-plots.ts';
export { ERROR_COLORS, ERROR_MAP_DIM, seriesColor, heatColor } from './palette.ts';
export { auditEvaluation } from './eval-audit.ts';
