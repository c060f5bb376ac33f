// The metrics module: the single source of every number the product shows. Policy in METRIC_POLICY.
export { TP, FP, FN, TN, pixelConfusion, countsFromMatrix, sumMatrices, allBackgroundMatrix } from './confusion.ts';
export type { PixelConfusion } from './confusion.ts';
export { dice, iou, precision, recall, METRIC_POLICY } from './scores.ts';
export {
  nanMean,
  perClass,
  sumCounts,
  imageMean,
  pixelAccuracy,
  allBackgroundAccuracy,
  channelSummedDice,
  foregroundIndices,
} from './reductions.ts';
export type { NanMean, CountMetric } from './reductions.ts';
export { Accumulator, evaluate } from './evaluate.ts';
export type { EvalPair } from './evaluate.ts';
export { POLICY_NAMES } from './result.ts';
export type { EvalResult, ClassResult, ImageResult, ImageClassResult, BaselineResult, PolicyNames } from './result.ts';
export { toJSONSafe, fromJSONSafe } from './json.ts';
export type { JsonSafe } from './json.ts';
export { AucAccumulator, rocAucFromHistograms, averagePrecisionFromHistograms, DEFAULT_AUC_BINS } from './auc.ts';
export type { AucResult, AucClassResult, ProbabilityMaps } from './auc.ts';
export { formatEvalTable, fmt } from './format.ts';
export { MultiLabelAccumulator } from './multilabel.ts';
export type { MultiLabelEvalResult, MultiLabelSummary, MultiLabelClass } from './multilabel.ts';
export { THRESHOLD_BINS, THRESHOLD_RULE, THRESHOLD_RULE_TEXT, HAND_THRESHOLD_RULE, HAND_THRESHOLD_RULE_TEXT, atThreshold, binOf, thresholdBin, chooseThreshold, countsAtBin, diceByBin, curvePoints } from './thresholds.ts';
export type { CurvePoint } from './thresholds.ts';
