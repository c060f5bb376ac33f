// Draw timings of the image panes, kept where a benchmark (bench/ui.ts) can read them from the page
// as `globalThis.seglensPerf`: the last draws' durations and when the first image was on screen.
// The steps of a launch to the first image are marked on the page's performance timeline as well
// (`seglens:<step>`, performance.getEntriesByType('mark')), for bench/startup.ts to show where the time goes.

export interface PerfRecord {
  /** performance.now() when an image's pixels were first drawn; null before. */
  firstImageAt: number | null;
  /**
   * performance.now() when the full resolution of an image first shown from its overview was first
   * drawn in its place (issue 14); null before, and for images small enough to be shown at full
   * resolution at once.
   */
  fullImageAt: number | null;
  /** Durations of the most recent draws, ms (bounded). */
  draws: number[];
}

const LIMIT = 2000;

export const perf: PerfRecord = { firstImageAt: null, fullImageAt: null, draws: [] };
(globalThis as unknown as { seglensPerf?: PerfRecord }).seglensPerf = perf;

export function recordDraw(ms: number): void {
  perf.draws.push(ms);
  if (perf.draws.length > LIMIT) perf.draws.splice(0, perf.draws.length - LIMIT);
}

export function recordFirstImage(): void {
  perf.firstImageAt ??= performance.now();
}

export function recordFullImage(): void {
  perf.fullImageAt ??= performance.now();
}

/** Steps of a launch to the first image (see the top of this file); each is marked once. */
export type LaunchStep = 'entry' | 'app-loaded' | 'mounted' | 'info-in' | 'overview-asked' | 'overview-in';

export function markStep(step: LaunchStep): void {
  const name = `seglens:${step}`;
  if (typeof performance.mark === 'function' && performance.getEntriesByName(name).length === 0) performance.mark(name);
}
