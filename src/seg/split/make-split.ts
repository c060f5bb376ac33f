// makeSplit: the whole split decision, pure and deterministic. Items -> duplicates -> groups ->
// per-group label counts -> iterative stratification -> minimum sizes -> report.
import seedrandom from 'seedrandom';
import { shareUnmet } from '../audit/split-rules.ts';
import type { Problem } from '../problems.ts';
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
  report.warnings.push(...shareProblems(groups, out, { val: opts.val, test }, opts));
  return { ...out, groups, duplicates, report, settings };
}

/** Image counts reachable by putting whole groups on one side (subset sums), for "the closest the groups allow". */
function reachableCounts(sizes: readonly number[]): boolean[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const can = new Array<boolean>(total + 1).fill(false);
  can[0] = true;
  for (const s of sizes) for (let k = total; k >= s; k--) if (can[k - s]) can[k] = true;
  return can;
}

/**
 * `split-share-unmet`: a held-out split whose share of the images misses the requested one by more
 * than the audit allows (src/seg/audit/split-rules.ts), saying what it got, what the groups allow
 * at best, and why.
 */
function shareProblems(groups: readonly Group[], out: Record<SplitName, string[]>, want: { val: number; test: number }, opts: SplitOptions): Problem[] {
  const n = groups.reduce((s, g) => s + g.names.length, 0);
  const can = reachableCounts(groups.map((g) => g.names.length));
  const problems: Problem[] = [];
  for (const s of ['val', 'test'] as const) {
    const share = want[s];
    if (share <= 0) continue;
    const got = out[s].length / n;
    if (!shareUnmet(share, got, n)) continue;
    // A held-out split gets at least one group: the closest non-empty total of whole groups.
    let closest = -1;
    for (let k = 1; k <= n; k++) if (can[k] && (closest < 0 || Math.abs(k / n - share) < Math.abs(closest / n - share))) closest = k;
    const sizes = groups.map((g) => g.names.length).sort((a, b) => b - a);
    const byPattern = opts.groups ? ` --group ${JSON.stringify(opts.groups.pattern)}` : '';
    const why = groups.length < n ? `the ${n} images form ${groups.length} groups that each stay on one side (sizes ${sizes.slice(0, 8).join(', ')}${sizes.length > 8 ? ', ...' : ''}: images of one${byPattern ? ' --group key' : ' group'} and duplicates stay together)` : `there are only ${n} images`;
    const impossible = Math.abs(closest / n - share) > Math.abs(got - share) - 1e-9 || shareUnmet(share, closest / n, n);
    problems.push({
      code: 'split-share-unmet',
      severity: 'warning',
      file: opts.source ?? 'split',
      message:
        `--${s} ${share} asked for ${(100 * share).toFixed(0)} % of the images in ${s}, but ${why}: ${s} got ${out[s].length} of ${n} images (${(100 * got).toFixed(0)} %). ` +
        (impossible
          ? `No assignment of whole groups comes closer than ${closest} images (${((100 * closest) / n).toFixed(0)} %).`
          : `Whole groups could give ${closest} images (${((100 * closest) / n).toFixed(0)} %); the class stratification chose this instead.`),
      hint:
        groups.length < 5
          ? `With ${groups.length} groups the held-out figures rest on ${out[s].length} image(s) of ${groups.filter((g) => g.names.some((x) => out[s].includes(x))).length} group(s): use a --group pattern that makes more, smaller groups, add images, or accept the share ${s} got.`
          : `Accept the share ${s} got, try another --seed, or change the --group pattern.`,
      details: { split: s, requested: share, got, images: n, imagesInSplit: out[s].length, groups: groups.length, closestPossible: closest / n },
    });
  }
  return problems;
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
