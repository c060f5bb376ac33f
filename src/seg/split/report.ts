// What a split looks like per class, and what is wrong with it. Fractions are shares of the
// labelled pixels of a split (ignored pixels are not counted), so the columns of one split sum to 1.
//
// The imbalance rule and its thresholds are the audit's (src/seg/audit/split-rules.ts).
import { IMBALANCE_MIN_SHARE, IMBALANCE_RATIO } from '../audit/split-rules.ts';
import type { Problem } from '../problems.ts';
import { cmp } from './duplicates.ts';
import { foregroundFraction } from './labels.ts';
import type { DuplicatePair, SplitItem, SplitName } from './types.ts';
import { SPLIT_NAMES } from './types.ts';

export { IMBALANCE_MIN_SHARE, IMBALANCE_RATIO };

export interface SplitStats {
  images: number;
  /** Labelled pixels per class id. */
  pixels: number[];
  /** Share of the split's labelled pixels per class; null when the split has no labelled pixel. */
  fractions: (number | null)[];
  /** Number of images of the split in which the class occurs. */
  presence: number[];
  /** Mean foreground fraction of the split's images (null when none has labelled pixels). */
  meanForeground: number | null;
}

export interface SplitSettings {
  seed: number | string;
  val: number;
  test: number;
  groupPattern: string | null;
}

export interface SplitReport {
  classNames: string[];
  background: number;
  all: SplitStats;
  splits: Record<SplitName, SplitStats>;
  duplicates: DuplicatePair[];
  warnings: Problem[];
  settings?: SplitSettings;
}

export type Assignment = Record<SplitName, readonly string[]>;

export interface ReportOptions {
  classNames: string[];
  background: number;
  duplicates: readonly DuplicatePair[];
  /** File the problems are reported against: the manifest or the project folder. */
  source: string;
  /** Whether a test split was asked for (then a class missing from test is reported too). */
  withTest: boolean;
  /**
   * `made`: duplicates were grouped by makeSplit, so they are reported as kept together (warning).
   * `check`: an existing manifest is being checked, so duplicates across splits are leaks (error).
   */
  mode: 'made' | 'check';
  settings?: SplitSettings;
}

export function computeStats(items: readonly SplitItem[], numClasses: number, background: number): SplitStats {
  const pixels = new Array<number>(numClasses).fill(0);
  const presence = new Array<number>(numClasses).fill(0);
  let fgSum = 0;
  let fgN = 0;
  for (const it of items) {
    for (let c = 0; c < numClasses; c++) {
      const v = it.classPixels[c] ?? 0;
      pixels[c] += v;
      if (v > 0) presence[c]++;
    }
    const f = foregroundFraction(it.classPixels, background);
    if (!Number.isNaN(f)) {
      fgSum += f;
      fgN++;
    }
  }
  const total = pixels.reduce((s, v) => s + v, 0);
  return {
    images: items.length,
    pixels,
    fractions: pixels.map((v) => (total > 0 ? v / total : null)),
    presence,
    meanForeground: fgN ? fgSum / fgN : null,
  };
}

export function splitReport(items: readonly SplitItem[], assignment: Assignment, opts: ReportOptions): SplitReport {
  const K = opts.classNames.length;
  const byName = new Map(items.map((i) => [i.name, i]));
  const pickItems = (names: readonly string[]) => names.map((n) => byName.get(n)).filter((i): i is SplitItem => i !== undefined);
  const all = computeStats(items, K, opts.background);
  const splits = Object.fromEntries(SPLIT_NAMES.map((s) => [s, computeStats(pickItems(assignment[s]), K, opts.background)])) as Record<
    SplitName,
    SplitStats
  >;
  const side = sideOf(assignment);
  const warnings = [
    ...missingClassProblems(all, splits, opts),
    ...imbalanceProblems(all, splits, opts),
    ...duplicateProblems(opts.duplicates, side, opts),
  ];
  return { classNames: opts.classNames, background: opts.background, all, splits, duplicates: [...opts.duplicates], warnings, settings: opts.settings };
}

export function sideOf(assignment: Assignment): Map<string, SplitName> {
  const side = new Map<string, SplitName>();
  for (const s of SPLIT_NAMES) for (const n of assignment[s]) side.set(n, s);
  return side;
}

function checkedSplits(splits: Record<SplitName, SplitStats>, withTest: boolean): SplitName[] {
  return withTest || splits.test.images > 0 ? ['train', 'val', 'test'] : ['train', 'val'];
}

function missingClassProblems(all: SplitStats, splits: Record<SplitName, SplitStats>, opts: ReportOptions): Problem[] {
  const out: Problem[] = [];
  const sides = checkedSplits(splits, opts.withTest);
  all.presence.forEach((inImages, c) => {
    if (inImages === 0) return;
    const name = opts.classNames[c];
    for (const s of sides) {
      if (splits[s].presence[c] > 0) continue;
      const tooFew = inImages < sides.length;
      out.push({
        code: 'class-missing-in-split',
        severity: 'warning',
        file: opts.source,
        message: `Class "${name}" occurs in ${inImages} of ${all.images} images but in none of the ${splits[s].images} ${s} images.`,
        hint: tooFew
          ? `Annotate more images containing "${name}": a class in ${inImages} image(s) cannot reach all ${sides.length} splits.` +
            (s === 'train' ? ' The model cannot learn a class it never sees in training.' : ` Its ${s} metric is undefined until then.`)
          : `Try another --seed, lower the ${s === 'train' ? 'val/test' : s} fraction, or annotate more images containing "${name}".`,
        details: { class: name, classId: c, split: s, imagesWithClass: inImages },
      });
    }
  });
  return out;
}

function imbalanceProblems(all: SplitStats, splits: Record<SplitName, SplitStats>, opts: ReportOptions): Problem[] {
  const out: Problem[] = [];
  const sides = checkedSplits(splits, opts.withTest).filter((s) => s !== 'train');
  all.fractions.forEach((share, c) => {
    if (share === null || share < IMBALANCE_MIN_SHARE) return;
    const train = splits.train.fractions[c];
    if (!train) return; // no labelled pixels or missing: reported as missing instead
    for (const s of sides) {
      const f = splits[s].fractions[c];
      if (!f) continue;
      const ratio = f / train;
      if (ratio <= IMBALANCE_RATIO && ratio >= 1 / IMBALANCE_RATIO) continue;
      const name = opts.classNames[c];
      out.push({
        code: 'split-imbalance',
        severity: 'warning',
        file: opts.source,
        message: `Class "${name}" covers ${pct(f)} of ${s} pixels but ${pct(train)} of train pixels (ratio ${ratio.toFixed(2)}, allowed ${(1 / IMBALANCE_RATIO).toFixed(1)}-${IMBALANCE_RATIO}).`,
        hint: `Try another --seed or a larger ${s} fraction; ${s} scores for "${name}" are not comparable with training scores while the shares differ this much.`,
        details: { class: name, classId: c, split: s, share: f, trainShare: train, ratio },
      });
    }
  });
  return out;
}

/** "mirrored left-right and shifted by (1.6 %, -0.8 %) of its side". */
function alignedHow(d: DuplicatePair): string {
  const parts: string[] = [];
  if (d.transform && d.transform !== 'as is') parts.push(d.transform);
  if (d.shift && (d.shift[0] !== 0 || d.shift[1] !== 0)) parts.push(`shifted by (${(100 * d.shift[0]).toFixed(1)} %, ${(100 * d.shift[1]).toFixed(1)} %) of its side`);
  return parts.join(' and ') || 'slightly shifted';
}

function duplicateProblems(pairs: readonly DuplicatePair[], side: Map<string, SplitName>, opts: ReportOptions): Problem[] {
  const out: Problem[] = [];
  for (const d of [...pairs].sort((x, y) => cmp(x.a, y.a) || cmp(x.b, y.b))) {
    const sa = side.get(d.a);
    const sb = side.get(d.b);
    if (!sa || !sb) continue;
    const what =
      d.kind === 'exact'
        ? 'identical images'
        : d.kind === 'aligned'
          ? `the same image ${alignedHow(d)} (correlation ${d.correlation.toFixed(3)} after alignment; augmentation makes them the same sample)`
          : `near-duplicates (hash distance ${d.distance}/256, correlation ${d.correlation.toFixed(3)})`;
    if (sa === sb) {
      if (opts.mode === 'check') continue;
      out.push({
        code: 'split-leakage',
        severity: 'warning',
        file: d.a,
        message: `${d.a} and ${d.b} are ${what}; both were kept in ${sa} so one cannot score the other.`,
        hint: 'Nothing leaks. If the copy is unintended, remove it from the project: it counts twice in training.',
        details: { ...d, split: sa },
      });
    } else {
      out.push({
        code: 'split-leakage',
        severity: 'error',
        file: d.a,
        message:
          `${d.a} (${sa}) and ${d.b} (${sb}) are ${what}: ` +
          (sa === 'train' || sb === 'train'
            ? `the ${sa === 'train' ? sb : sa} score would be inflated by a copy of a training image.`
            : `${sa} and ${sb} are not independent.`),
        hint: 'Make a new split with `seglens split` (duplicates are kept on one side), or remove one of the copies.',
        details: { ...d, splitA: sa, splitB: sb },
      });
    }
  }
  return out;
}

export function pct(f: number): string {
  return `${(f * 100).toFixed(f < 0.01 ? 2 : 1)} %`;
}
