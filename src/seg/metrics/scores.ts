// Per-class scores from one-vs-rest counts, and the stated policy for every 0/0.
//
// A 0/0 is never turned into 0 or 1: it is NaN ("undefined"), reductions skip it and report how
// many values were valid (as MONAI's `get_not_nans` does). A silent 0 punishes a class for an
// image it is not in; a silent 1 rewards a model for "finding" nothing where there is nothing —
// both move the headline without any change in the masks.
//
// Where this differs from MONAI's DiceMetric (ignore_empty=True gives NaN whenever the ground
// truth is empty, even if the class was predicted): here a class absent from the ground truth but
// predicted scores Dice 0, so false positives on images without the class are not hidden.

/** Dice = 2tp / (2tp + fp + fn). NaN only when tp + fp + fn = 0 (class absent from ground truth and prediction). */
export function dice(tp: number, fp: number, fn: number): number {
  const d = 2 * tp + fp + fn;
  return d === 0 ? NaN : (2 * tp) / d;
}

/** IoU (Jaccard) = tp / (tp + fp + fn). NaN exactly when Dice is NaN. */
export function iou(tp: number, fp: number, fn: number): number {
  const d = tp + fp + fn;
  return d === 0 ? NaN : tp / d;
}

/** Precision = tp / (tp + fp). NaN when nothing was predicted as the class, even if it was missed (fn > 0): recall reports the miss. */
export function precision(tp: number, fp: number): number {
  const d = tp + fp;
  return d === 0 ? NaN : tp / d;
}

/** Recall = tp / (tp + fn). NaN when the class is absent from the ground truth, even if predicted: precision and Dice report the false positives. */
export function recall(tp: number, fn: number): number {
  const d = tp + fn;
  return d === 0 ? NaN : tp / d;
}

/** correct / total, NaN when there are no labelled pixels. */
export function ratio(num: number, den: number): number {
  return den === 0 ? NaN : num / den;
}

/** The policy in words. Printed by reports and `seglens eval`; keep it in step with the code. */
export const METRIC_POLICY = `How every figure is computed
- Pixels whose ground truth is an ignore value (IGNORE = 255 in label maps) are excluded from every count and every figure. A prediction must give every pixel a class; a predicted IGNORE is an error.
- Counts: for each image and class, one-vs-rest tp, fp, fn, tn, from a K x K pixel confusion matrix (rows = ground truth, columns = prediction).
- Dice = 2tp/(2tp+fp+fn); IoU = tp/(tp+fp+fn); precision = tp/(tp+fp); recall = tp/(tp+fn).
- Undefined cases are NaN (shown as "n/a", null in JSON), never 0 or 1:
  - Dice and IoU: class absent from both ground truth and prediction (tp+fp+fn = 0).
  - Precision: nothing predicted as the class (tp+fp = 0), even if it was missed; recall shows the miss.
  - Recall: class absent from the ground truth (tp+fn = 0), even if predicted; precision and Dice show the false positives.
  - A class absent from the ground truth but predicted has Dice 0 and IoU 0 (false positives are not hidden).
- Per-class figures (dice, iou, precision, recall) use counts summed over all images ("micro" over images).
- diceImageMean / iouImageMean: mean over images of the per-image value, NaN images skipped; validImages = number of images where it is defined.
- meanForegroundDice (HEADLINE) / meanForegroundIoU: mean over foreground classes (background excluded) of the per-class summed-count value, NaN classes skipped; validForegroundClasses counts the classes used.
- meanDiceWithBackground: the same mean over all classes including the background.
- pixelAccuracy: labelled pixels predicted correctly / labelled pixels. allBackgroundAccuracy: the accuracy of predicting every pixel as background (= background share of labelled pixels).
- channelSummedDice: the Dice of common Keras recipes, 2*sum(y_true*y_pred)/(sum(y_true)+sum(y_pred)) over all one-hot channels and pixels, without smoothing. For hard labels it equals pixel accuracy, so it is dominated by the background; it is shown only to make that gap visible.
- baseline: all of the above for the trivial prediction "every pixel is background" on the same images.
- ROC-AUC and PR-AUC (average precision) are computed from probabilities only, per class one-vs-rest over pixels; hard labels are refused. Scores are binned into 65536 equal bins over [0, 1]: exact except that scores closer than 1/65536 may fall into one bin and then count as ties (ties count 1/2 in ROC-AUC, i.e. the trapezoid rule; they form one threshold in average precision). ROC-AUC is NaN when a class has no positive or no negative pixels; average precision is NaN when it has no positive pixels.`;
