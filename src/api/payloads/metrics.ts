// The per-image x per-class metrics table of a run (ground truth vs the run's stored predictions).
// Per-class figures follow the metric policy of src/seg/metrics: null = undefined (the class is in
// neither ground truth nor prediction of that image), skipped by every mean.
import { z } from 'zod';
import { ClassInfoSchema, FindingSchema, count, finite, imageName, metric, runId, splitName } from './common.ts';

export const CellSchema = z.object({
  dice: metric,
  iou: metric,
  precision: metric,
  recall: metric,
  tp: count,
  fp: count,
  fn: count,
  gtPixels: count,
  predPixels: count,
});
export type MetricCell = z.infer<typeof CellSchema>;

export const MetricRowSchema = z.object({
  name: imageName,
  split: splitName.nullable(),
  /** One cell per class id. */
  cells: z.array(CellSchema),
  /** Mean Dice over the foreground classes defined in this image: the honest headline. */
  meanForegroundDice: metric,
  /** Mean Dice with the background included: the figure that can look good while masks are bad. */
  meanDiceWithBackground: metric,
  pixelAccuracy: metric,
  /** Pixel accuracy of predicting everything as background: the baseline to beat. */
  allBackgroundAccuracy: metric,
  /** The background-inclusive figure a user would quote (the audit's: max of accuracy and Dice with background): the scatter's x. */
  inclusiveScore: metric,
});
export type MetricRow = z.infer<typeof MetricRowSchema>;

export const ClassSummarySchema = z.object({
  id: count,
  /** From counts summed over images. */
  dice: metric,
  iou: metric,
  precision: metric,
  recall: metric,
  /** Mean over images of the per-image Dice (undefined images skipped). */
  diceImageMean: metric,
  /** Images where the class's Dice is defined. */
  validImages: count,
});

export const MetricsTableParams = z.strictObject({
  runId,
  /** Only images of this split (default: every image with a prediction). */
  split: splitName.optional(),
});

export const MetricsTableResultSchema = z.object({
  runId,
  classes: z.array(ClassInfoSchema),
  rows: z.array(MetricRowSchema),
  summary: z.object({
    classes: z.array(ClassSummarySchema),
    meanForegroundDice: metric,
    meanDiceWithBackground: metric,
    channelSummedDice: metric,
    pixelAccuracy: metric,
    /** The same headline for the trivial all-background prediction. */
    baseline: z.object({ meanForegroundDice: metric, meanDiceWithBackground: metric, pixelAccuracy: metric }),
  }),
  /** One paragraph naming the reductions (micro vs macro, background in or out, NaN policy). */
  policy: z.string(),
  /** The audit's findings on these predictions (src/seg/audit), most serious first. */
  findings: z.array(FindingSchema),
  /** The audit's deceptive corner: background-inclusive score >= looksGood with foreground Dice < poorForegroundDice. */
  deceptiveCorner: z.object({ looksGood: finite, poorForegroundDice: finite }),
});
export type MetricsTableResult = z.infer<typeof MetricsTableResultSchema>;
