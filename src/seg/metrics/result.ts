// The shape of an evaluation: what `seglens eval --json`, the trainer's validation, the audit and
// the report all read. Per-class figures come from counts summed over images unless the field name
// says otherwise (…ImageMean). NaN means "undefined" (see METRIC_POLICY) and becomes null in JSON.

export interface ClassResult {
  id: number;
  name: string;
  isBackground: boolean;
  /** Summed-count ("micro" over images) figures. */
  dice: number;
  iou: number;
  precision: number;
  recall: number;
  /** Mean over images of the per-image value, NaN images skipped. */
  diceImageMean: number;
  iouImageMean: number;
  /** Images in which Dice (and IoU) is defined: the class is in the ground truth or the prediction. */
  validImages: number;
  /** Images whose ground truth contains the class. */
  imagesWithClass: number;
  gtPixels: number;
  predPixels: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Overlapping classes only (multilabel.ts): the threshold these figures are at. */
  threshold?: number;
  /** Overlapping classes only: pixel ROC-AUC and average precision from the probabilities. */
  auc?: number;
  averagePrecision?: number;
}

export interface ImageClassResult {
  name: string;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  gtPixels: number;
  predPixels: number;
  dice: number;
  iou: number;
  precision: number;
  recall: number;
}

export interface ImageResult {
  name: string;
  /** Pixels with a ground-truth class (IGNORE excluded). */
  labelledPixels: number;
  ignoredPixels: number;
  classes: ImageClassResult[];
  /** Mean over the foreground classes defined in this image (NaN if none). */
  meanForegroundDice: number;
  validForegroundClasses: number;
  meanDiceWithBackground: number;
  pixelAccuracy: number;
  allBackgroundAccuracy: number;
  /** K x K pixel counts of this image, rows = ground truth, columns = prediction. */
  confusion: number[][];
}

/** The same headline figures for the trivial prediction "every labelled pixel is background". */
export interface BaselineResult {
  classes: { name: string; dice: number; iou: number; diceImageMean: number }[];
  meanForegroundDice: number;
  validForegroundClasses: number;
  meanForegroundIoU: number;
  meanDiceWithBackground: number;
  channelSummedDice: number;
  pixelAccuracy: number;
}

/** Names of the reductions behind each figure, so a reader of the JSON need not guess. */
export interface PolicyNames {
  version: 1;
  ignore: string;
  undefinedValues: string;
  perClass: string;
  imageMean: string;
  headline: string;
  withBackground: string;
  channelSummedDice: string;
  baseline: string;
}

export interface EvalResult {
  classes: ClassResult[];
  backgroundClass: string;
  /** HEADLINE: mean over foreground classes of the summed-count Dice, NaN classes skipped. */
  meanForegroundDice: number;
  /** Foreground classes that entered meanForegroundDice / meanForegroundIoU. */
  validForegroundClasses: number;
  meanForegroundIoU: number;
  meanDiceWithBackground: number;
  /** Classes (background included) that entered meanDiceWithBackground. */
  validClasses: number;
  /** Keras-recipe Dice over all one-hot channels; equals pixelAccuracy for hard labels. */
  channelSummedDice: number;
  pixelAccuracy: number;
  allBackgroundAccuracy: number;
  baseline: BaselineResult;
  /** Number of images evaluated. */
  images: number;
  labelledPixels: number;
  ignoredPixels: number;
  perImage: ImageResult[];
  /** K x K pixel counts summed over images, rows = ground truth, columns = prediction. */
  confusion: number[][];
  policy: PolicyNames;
}

export const POLICY_NAMES: PolicyNames = {
  version: 1,
  ignore: 'ground-truth IGNORE (255) pixels excluded from everything; a predicted IGNORE is an error',
  undefinedValues: 'every 0/0 is NaN (null in JSON), never 0 or 1; reductions skip NaN and report the valid count',
  perClass: 'dice, iou, precision, recall: micro over images (counts summed over all images, then the score)',
  imageMean: 'diceImageMean, iouImageMean: macro over images of per-image scores, NaN skipped, validImages counted',
  headline: 'meanForegroundDice: macro over foreground classes (background excluded) of per-class summed-count Dice, NaN classes skipped',
  withBackground: 'meanDiceWithBackground: macro over all classes (background included) of per-class summed-count Dice, NaN classes skipped',
  channelSummedDice: 'Keras recipe 2*sum(y_true*y_pred)/(sum(y_true)+sum(y_pred)) over all one-hot channels and pixels, no smoothing; equals pixel accuracy for hard labels (background-dominated)',
  baseline: 'the same figures for the prediction "every labelled pixel is background"',
};
