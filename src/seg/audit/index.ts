// The metric audit: every way the numbers can lie, found in the data, the split, the run history
// and the predictions. Each check is a pure function returning Findings; runAudit combines whatever
// inputs are available; formatFindings prints them. Every rule and threshold of the product lives
// in this folder (rules.ts holds the live and after-run thresholds of the history checks side by
// side); the trainer's live warnings and the app only display what these functions return. The
// audit reads no file: src/seg/dataset, split, project and report import it, never the reverse.
export type { Finding, FindingId, Severity, Evidence, EvidenceValue } from './types.ts';
export { FINDING_IDS, ALL_FINDING_IDS, SEVERITY_ORDER, sortFindings } from './types.ts';
export { runAudit, predictionFindings } from './run.ts';
export type { AuditInputs, SplitProblemsSource } from './run.ts';
export { formatFindings } from './format.ts';
export type { FormatOptions } from './format.ts';
export {
  checkBackgroundDominated,
  checkBelowBaseline,
  checkDeceptiveImages,
  deceptiveImages,
  isDeceptiveImage,
  inclusiveScore,
  LOOKS_GOOD,
  POOR_FOREGROUND_DICE,
  DOMINATED_GAP,
  BASELINE_MIN_ERROR_REDUCTION,
} from './scores.ts';
export { imageVerdict } from './image-verdict.ts';
export type { ImageVerdict, FaultKind } from './image-verdict.ts';
export { checkNeverPredicted, neverPredicted } from './never-predicted.ts';
export { labelComponents } from './components.ts';
export type { Components, ComponentOptions, Connectivity } from './components.ts';
export {
  ObjectRecall,
  objectRecall,
  checkSmallObjects,
  OBJECT_MIN_COVERAGE,
  MIN_OBJECT_PIXELS,
  MIN_OBJECTS,
  LOW_OBJECT_RECALL,
  ACCEPTABLE_CLASS_DICE,
} from './objects.ts';
export type { ObjectRecallResult, ObjectClassResult, ObjectImageResult, ObjectRecallOptions, ClassNames } from './objects.ts';
export { EdgeBias, checkSegmentationBias, BIAS_BAND, BIAS_MIN_WIDTH, BIAS_DOMINANCE, BIAS_MIN_BAND_SHARE, BIAS_CONSISTENCY, BIAS_MIN_EDGES } from './edge-bias.ts';
export type { EdgeBiasResult, EdgeBiasClass, EdgeBiasImage } from './edge-bias.ts';
export { PredictionChecks } from './predictions.ts';
export type { PredictionChecksResult } from './predictions.ts';
export { IgnoredShare, ignoredOf, checkIgnoredShare, describeIgnored, IGNORED_IMAGE_SHARE, IGNORED_CLASS_RATIO } from './ignored.ts';
export type { IgnoredShareResult, IgnoredImage } from './ignored.ts';
export { splitFindings } from './split.ts';
export { maskFindings } from './masks.ts';
export { problemFinding, problemFindings } from './problem-findings.ts';
export type { MaskProblemsSource } from './masks.ts';
export {
  detectInterpolation,
  interpolationProblem,
  detectInstanceDamage,
  instanceDamageProblem,
  lossyMaskProblem,
  classifyDamagedValues,
  INTERPOLATED_MIN_FRACTION,
  INTERPOLATED_MIN_EDGE_SHARE,
  INSTANCE_DAMAGE_MIN_SHARE,
  RESIDUE_RAMP_SHARE,
  RESIDUE_EDGE_SHARE,
  RESIDUE_NEAR,
  RESIDUE_NEAR_RATIO,
  RESIDUE_RARE,
  RESIDUE_MIN_VALUES,
} from './mask-damage.ts';
export type { InterpolationEvidence, InterpolationOptions, InstanceDamage, StoredValue, DamagedValues } from './mask-damage.ts';
export {
  PairingCheck,
  checkPairing,
  PAIRING_WORK_SIZE,
  PAIRING_SHIFTS,
  PAIRING_MIN_GAIN,
  PAIRING_MIN_RATIO,
  PAIRING_MIN_OTHERS,
  PAIRING_MAX_CANDIDATES,
  PAIRING_MIN_BOUNDARY,
} from './pairing.ts';
export type { PairingFit, PairingCandidate, PairingOptions } from './pairing.ts';
export { pairingFindings } from './pairing-finding.ts';
export { HISTORY_RULES, rule as historyRule } from './rules.ts';
export type { HistoryMode, HistoryRule, HistoryRuleName } from './rules.ts';
export { historyFindings, checkNotLearning, checkCollapsed, checkNeverPredictedInHistory, checkDiverged, checkStepLoss, checkOverfitting } from './history.ts';
export type { HistoryOptions, StepLoss } from './history.ts';
export { checkMetricMismatch, metricDifferences, valFiguresOf, MISMATCH_TOLERANCE } from './mismatch.ts';
export type { Difference, MismatchOptions } from './mismatch.ts';
export { DUPLICATE_MIN_CORRELATION, DUPLICATE_MAX_HASH_DISTANCE, ALIGNED_MIN_CORRELATION, ALIGNED_MAX_SHIFT, ALIGNED_COARSE_MIN_CORRELATION, isNearDuplicate } from './duplicates.ts';
export { SPLIT_SHARE_TOLERANCE, IMBALANCE_RATIO, IMBALANCE_MIN_SHARE, shareUnmet } from './split-rules.ts';
export { checkThresholdProblem, checkCooccurrenceShortcut, THRESHOLD_PROBLEM_AUC, THRESHOLD_PROBLEM_DICE, THRESHOLD_GAIN, PARENT_CONTAINS, SHORTCUT_PREDICTED_SHARE, SHORTCUT_RATIO } from './overlap.ts';
