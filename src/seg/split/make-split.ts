// makeSplit: the whole split decision, pure and deterministic. Items -> duplicates -> groups ->
// per-group label counts -> iterative stratification -> minimum sizes -> report.
import seedrandom from 'seedrandom';
import { ConfigError, ShapeError } from '../errors.ts';
import { cmp, findDuplicates } from './duplicates.ts';
import type { DuplicateOptions } from './duplicates.ts';
import { buildGroups } from './groups.ts';
import type { Group } from './groups.ts';
import type { GroupKeys } from './group-keys.ts';
import { imageLabels } from './labels.ts';
import { splitReport } from './report.ts';
import type { SplitReport, SplitSettings } from './report.ts';
import { iterativeStratification, pick } from './stratify.ts';
import type { Rng, Unit } from './stratify.ts';
import type { DuplicatePair, SplitItem, SplitName } from './types.ts';
import { SPLIT_NAMES } from './types.ts';

export interface SplitOptions {
  /** Fraction of images for validation, 0 <= val < 1. */
  val: number;
  /** Fraction of images for a held-out test set (default 0). */
  test?: number;
  seed: number | string;
  /**
   * Keys of the user's group pattern (a regex on the image name: images with the same key, the
   * first capture group or else the match, stay together), computed by groupKeysOf.
   */
  groups?: GroupKeys;
  /** Class names by id, for the report; default "class 0", "class 1"... */
  classNames?: string[];
  /** Class id of the background (default 0): foreground fraction = everything else. */
  background?: number;
  /** Number of foreground-fraction bins stratified on (default 3, tertiles). */
  fgBins?: number;
  duplicates?: DuplicateOptions;
  /** File the report's problems name (default "split"). */
  source?: string;
}

export interface SplitResult {
  train: string[];
  val: string[];
  test: string[];
  groups: Group[];
  duplicates: DuplicatePair[];
  report: SplitReport;
  settings: SplitSettings;
}

export function makeSplit(items: readonly SplitItem[], opts: SplitOptions): SplitResult {
  const test = opts.test ?? 0;
  checkFractions(opts.val, test);
  const names = items.map((i) => i.name);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new ConfigError(`The image name "${n}" appears twice; a split needs unique names.`, { name: n });
    seen.add(n);
  }
  if (items.length === 0) throw new ConfigError('There are no images to split.', {});
  const numClasses = classCount(items, opts.classNames);
  const classNames = opts.classNames ?? Array.from({ length: numClasses }, (_, c) => `class ${c}`);
  const background = opts.background ?? 0;
  if (!Number.isInteger(background) || background < 0 || background >= numClasses) {
    throw new ShapeError(`Background class id ${background} is not one of the ${numClasses} classes.`, { background, numClasses });
  }

  const duplicates = findDuplicates(items, opts.duplicates);
  const groups = buildGroups(names, opts.groups, duplicates);
  const ratios = [1 - opts.val - test, opts.val, test];
  const needed = ratios.filter((r) => r > 0).length;
  if (groups.length < needed) {
    throw new ConfigError(
      `${items.length} image(s) in ${groups.length} group(s) cannot fill ${needed} splits: each split needs at least one group` +
        (groups.length < items.length ? ' (images of one group, or duplicates, always stay together).' : '.'),
      { images: items.length, groups: groups.length, splits: needed },
    );
  }

  const byName = new Map(items.map((i) => [i.name, i]));
  const sortedItems = [...items].sort((a, b) => cmp(a.name, b.name));
  const labels = imageLabels(sortedItems, numClasses, { background, fgBins: opts.fgBins });
  const labelsOf = new Map(sortedItems.map((it, k) => [it.name, labels.perImage[k]]));
  const units: Unit[] = groups.map((g) => {
    const counts = new Map<number, number>();
    for (const n of g.names) for (const l of labelsOf.get(n)!) counts.set(l, (counts.get(l) ?? 0) + 1);
    return { size: g.names.length, counts };
  });

  const rng = seedrandom(String(opts.seed));
  const side = iterativeStratification(units, ratios, rng);
  fillEmptySplits(units, side, ratios, rng);

  const out: Record<SplitName, string[]> = { train: [], val: [], test: [] };
  groups.forEach((g, k) => out[SPLIT_NAMES[side[k]]].push(...g.names));
  for (const s of SPLIT_NAMES) out[s].sort(cmp);
  const settings: SplitSettings = { seed: opts.seed, val: opts.val, test, groupPattern: opts.groups?.pattern ?? null };
  const report = splitReport(
    out.train.concat(out.val, out.test).map((n) => byName.get(n)!),
    out,
    { classNames, background, duplicates, source: opts.source ?? 'split', withTest: test > 0, mode: 'made', settings },
  );
  return { ...out, groups, duplicates, report, settings };
}

function checkFractions(val: number, test: number): void {
  const ok = (f: number) => Number.isFinite(f) && f >= 0 && f < 1;
  if (!ok(val) || !ok(test) || val + test >= 1) {
    throw new ConfigError(`Split fractions val=${val} and test=${test} must each be in [0, 1) and leave images for training (val + test < 1).`, {
      val,
      test,
    });
  }
}

function classCount(items: readonly SplitItem[], classNames: string[] | undefined): number {
  const longest = Math.max(...items.map((i) => i.classPixels.length));
  if (!classNames) return Math.max(1, longest);
  if (longest > classNames.length) {
    const bad = items.find((i) => i.classPixels.length > classNames.length)!;
    throw new ShapeError(`${bad.name} has pixel counts for ${bad.classPixels.length} classes but the class table has ${classNames.length}.`, {
      name: bad.name,
    });
  }
  return classNames.length;
}

/**
 * On tiny datasets stratification can leave a split with a non-zero fraction empty (5 images at
 * val 0.2 want one val image, but label priorities may put all five in train). Move one unit into
 * each empty split from the split with the most surplus images: the smallest unit whose labels all
 * remain present in its old split, ties at random.
 */
function fillEmptySplits(units: readonly Unit[], side: number[], ratios: readonly number[], rng: Rng): void {
  const total = units.reduce((s, u) => s + u.size, 0);
  const sizeOf = (j: number) => side.reduce((s, sj, i) => s + (sj === j ? units[i].size : 0), 0);
  const countOf = (j: number) => side.filter((sj) => sj === j).length;
  for (let j = 0; j < ratios.length; j++) {
    if (ratios[j] <= 0 || countOf(j) > 0) continue;
    const donors = ratios.map((_, d) => d).filter((d) => d !== j && countOf(d) > 1);
    if (donors.length === 0) continue; // cannot happen: makeSplit checked there are enough groups
    const donor = pick(donors, [(d) => sizeOf(d) - ratios[d] * total], rng);
    const lost = (i: number) => {
      let n = 0;
      for (const [l] of units[i].counts) if (!side.some((sd, k) => k !== i && sd === donor && units[k].counts.has(l))) n++;
      return n;
    };
    const movable = side.map((sd, i) => i).filter((i) => side[i] === donor);
    side[pick(movable, [(i) => -units[i].size, (i) => -lost(i)], rng)] = j;
  }
}
