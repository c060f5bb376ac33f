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

/** How the class at fault fails in an image (src/seg/audit/image-verdict.ts). */
export const FAULT_KINDS = ['missed', 'spurious', 'partial'] as const;

export const MetricRowSchema = z.object({
  name: imageName,
  /** The image's side in the split the run trained on (else the project's split); null if in none. */
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
  /** In the deceptive corner: the inclusive figure looks good, the foreground Dice is poor (the audit's rule). */
  deceptive: z.boolean(),
  /** The foreground class whose error explains the image's score (lowest Dice); null if none is defined. */
  fault: z.object({ classId: count, dice: metric, kind: z.enum(FAULT_KINDS) }).nullable(),
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
  /** Only images of this side of the run's split (default: every image with a prediction). */
  split: splitName.optional(),
});

/** Which images a table's headline counts, said in words by the views. */
export const MetricsScopeSchema = z.object({
  /** The side asked for; null = every image with a prediction. */
  split: splitName.nullable(),
  /** Where sides come from: the run's own split.json, the project's manifest, or none. */
  splitSource: z.enum(['run', 'project']).nullable(),
  /** Images scored (the rows). */
  scored: count,
  /** Images of the scope without a current prediction of the run (predictRun makes them). */
  unpredicted: z.array(imageName),
  /** Images of the scope without a mask (nothing to score against). */
  unannotated: count,
  /** Images excluded from training in the project file: never scored. */
  excluded: count,
});
export type MetricsScope = z.infer<typeof MetricsScopeSchema>;

export const MetricsTableResultSchema = z.object({
  runId,
  classes: z.array(ClassInfoSchema),
  scope: MetricsScopeSchema,
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
  /**
   * The audit's deceptive corner (src/seg/audit/scores.ts): an inclusive figure at or above
   * `looksGood` with a foreground Dice below `poorForegroundDice`. For drawing it; rows carry the verdict.
   */
  deceptiveCorner: z.object({ looksGood: finite, poorForegroundDice: finite }),
});
export type MetricsTableResult = z.infer<typeof MetricsTableResultSchema>;

export const ImageMetricsParams = z.strictObject({ runId, name: imageName });

export const ImageMetricsResultSchema = z.object({
  runId,
  name: imageName,
  /** The image's row (as in metricsTable); null when it cannot be scored (`note` says why). */
  row: MetricRowSchema.nullable(),
  note: z.string().nullable(),
});
export type ImageMetricsResult = z.infer<typeof ImageMetricsResultSchema>;
