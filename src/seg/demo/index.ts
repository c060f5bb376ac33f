// The demo project generator and the synthetic nuclei scene behind it.
export { generateDemoProject, renderDemoScene, planErrors, demoName, DEMO_CLASSES } from './generate.ts';
export type { DemoOptions, DemoResult, PlannedError } from './generate.ts';
export { renderNucleiScene, resolveSceneParams } from './nuclei.ts';
export type { NucleiScene, NucleiSceneOptions, NucleiSceneParams } from './nuclei.ts';
export { BACKGROUND, NUCLEUS, BOUNDARY, instanceStats, labelsFromInstances } from './raster.ts';
export type { InstanceStats } from './raster.ts';
export { isDemoFolder } from './folder.ts';
export { readDemoTruth, DEMO_TRUTH_FILE, DemoTruthSchema } from './truth.ts';
export type { DemoTruth, DemoImage, PlantedError, PlantedKind, NucleusRef } from './truth.ts';
export { generateOverlappingDemo, renderOverlappingScene, OVERLAPPING_DEMO_CLASSES } from './overlapping.ts';
export type { OverlappingScene, OverlappingDemoOptions } from './overlapping.ts';
