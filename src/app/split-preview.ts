// What a stratified split would give, per class and side, before anything is written or trained.
// Images the project file excludes are in no side (splitItems leaves them out); they are listed.
import type { SplitPreviewParams, SplitPreviewResult } from '../api/index.ts';
import { problemFindings, sortFindings, splitFindings } from '../seg/audit/index.ts';
import { backgroundId } from '../seg/classes.ts';
import { splitItems } from '../seg/dataset/index.ts';
import { groupKeysOf, makeSplit } from '../seg/split/index.ts';
import { toWireFinding } from './findings.ts';
import type { OpenProject } from './open-project.ts';

export const DEFAULT_VAL = 0.2;
export const DEFAULT_SEED = 0;

export async function previewSplit(p: OpenProject, o: SplitPreviewParams, onProgress?: (done: number, total: number) => void): Promise<SplitPreviewResult> {
  const table = p.ds.project.classes;
  // The user's pattern first: bounded and off the event loop (groupKeysOf), before the masks are read.
  const groups = o.groupPattern ? await groupKeysOf(p.ds.pairs.map((x) => x.name), o.groupPattern) : undefined;
  const { items, problems } = await splitItems(p.ds, onProgress);
  const seed = o.seed ?? DEFAULT_SEED;
  const r = makeSplit(items, {
    val: o.valFraction ?? DEFAULT_VAL,
    test: o.testFraction ?? 0,
    seed,
    ...(groups ? { groups } : {}),
    classNames: table.classes.map((c) => c.name),
    background: backgroundId(table),
    source: p.manifest?.file ?? 'split preview',
  });
  const sides = (['train', 'val', 'test'] as const).map((s) => ({
    split: s,
    images: r.report.splits[s].images,
    classPixels: r.report.splits[s].pixels,
    classImages: r.report.splits[s].presence,
  }));
  return {
    seed,
    excluded: [...p.ds.excluded].map(([name, reason]) => ({ name, reason })),
    assignments: (['train', 'val', 'test'] as const).flatMap((s) => r[s].map((name) => ({ name, split: s }))),
    sides,
    // The audit's reading of the split's warnings (as the report shows them), and the files that
    // could not be read as findings about them: one list.
    findings: sortFindings([...problemFindings(problems, [], [], () => null), ...splitFindings(r.report.warnings)]).map(toWireFinding),
  };
}
