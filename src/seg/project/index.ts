// The project layer in one import: the project file, pairing, mask scan and `seglens init`.
export { CURRENT_VERSION, PROJECT_FILE, ProjectSchema, ProjectV1Schema, PairingSchema, MaskFormatSchema, NormalizationSchema } from './schema.ts';
export type { Project, ProjectInput, ProjectV1, Pairing, PairingRule, MaskFormat } from './schema.ts';
export { migrateProject } from './migrate.ts';
export type { Migrated } from './migrate.ts';
export { loadProject, saveProject, createProject, projectPath, toProjectPath, resolveProjectPaths } from './load.ts';
export type { LoadedProject, LoadOptions, NewProject, ProjectPaths } from './load.ts';
export { SUPPORTED_EXTENSIONS, naturalCompare, compareFileNames, stemOf, isSupportedName, isIgnoredName } from './files.ts';
export { listPairs } from './pairing.ts';
export type { Pair, PairingResult, PairingSpec, PairingSource } from './pairing.ts';
export { scanMaskValues, ValueCounter, hexColor } from './scan.ts';
export type { ScanResult, ScanOptions, ValueStat } from './scan.ts';
export { proposeClassTable } from './propose.ts';
export type { Proposal, ProposeOptions, ValueAssignment } from './propose.ts';
export { initProject } from './init.ts';
export type { InitOptions, InitResult } from './init.ts';
export { formatScan } from './format.ts';
export type { FormatScanInput } from './format.ts';
export { DISTINCT_COLORS, classColor } from './palette.ts';
