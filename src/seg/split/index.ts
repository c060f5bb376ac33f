// Stratified, leak-free train/val/test split of a project's images (issue 2, section 5).
export type { DuplicatePair, Fingerprint, SplitItem, SplitName } from './types.ts';
export { SPLIT_NAMES } from './types.ts';
export { fingerprint, thumbnail, averageHash, hamming, correlation, THUMB_SIZE } from './fingerprint.ts';
export { fingerprintFile } from './fingerprint-file.ts';
export { findDuplicates, DEFAULT_MAX_DISTANCE, DEFAULT_MIN_CORRELATION } from './duplicates.ts';
export type { DuplicateOptions } from './duplicates.ts';
export { buildGroups, groupKey, compileGroupPattern } from './groups.ts';
export { GroupKeys, groupKeysOf, GROUP_PATTERN_LIMIT_MS } from './group-keys.ts';
export type { Group } from './groups.ts';
export { makeSplit } from './make-split.ts';
export type { SplitOptions, SplitResult } from './make-split.ts';
export { splitReport, computeStats, IMBALANCE_RATIO, IMBALANCE_MIN_SHARE } from './report.ts';
export type { SplitReport, SplitStats, SplitSettings, Assignment } from './report.ts';
export { formatSplitReport } from './format.ts';
export { ManifestSchema, MANIFEST_VERSION, toManifest, writeManifest, readManifest, checkManifest } from './manifest.ts';
export type { SplitManifest, ManifestCheck, CheckOptions } from './manifest.ts';
