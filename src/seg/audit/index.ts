// The metric audit (issue 4, section 1): every way the numbers can lie, found in the data, the
// split, the run history and the predictions. Each check is a pure function returning Findings;
// runAudit combines whatever inputs are available; formatFindings prints them.
export type { Finding, FindingId, Severity, Evidence, EvidenceValue } from './types.ts';
export { FINDING_IDS, ALL_FINDING_IDS, SEVERITY_ORDER, sortFindings } from './types.ts';
export { runAudit } from './run.ts';
export type { AuditInputs } from './run.ts';
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
export { splitFindings } from './split.ts';
export { maskFindings } from './masks.ts';
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
export { pairingFindings, checkDatasetPairing } from './pairing-finding.ts';
export type { DatasetPairingOptions } from './pairing-finding.ts';
export {
  historyFindings,
  checkNotLearning,
  checkCollapsed,
  checkDiverged,
  checkOverfitting,
  NOT_LEARNING_EPOCHS,
  CHANCE_LOSS_TOLERANCE,
  FLAT_LOSS_CHANGE,
  MIN_DICE_IMPROVEMENT,
  LEARNED_DICE,
  COLLAPSE_SHARE,
  COLLAPSE_OTHERS_RATIO,
  COLLAPSE_EPOCHS,
  NEVER_PREDICTED_SHARE,
  DIVERGE_FACTOR,
  OVERFIT_WINDOW,
  OVERFIT_LOSS_RISE,
  OVERFIT_METRIC_DROP,
} from './history.ts';
export type { HistoryOptions } from './history.ts';
export { checkMetricMismatch, metricDifferences, valFiguresOf, MISMATCH_TOLERANCE } from './mismatch.ts';
export type { Difference, MismatchOptions } from './mismatch.ts';
