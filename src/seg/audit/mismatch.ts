// `metric-mismatch`: the figure seen during training must be the figure of the final report on the
// same images (CONTEXT story 2: val_acc 0.88 during training, 0.48 in the report, because the
// predictions were compared with labels in another order). The trainer records its validation
// figures per epoch (EpochRecord.val); recomputing them afterwards from the saved predictions must
// give the same numbers. Any difference means the two were not computed on the same pairs, with the
// same policy, or the same weights.
import type { EpochRecord } from '../history.ts';
import type { EvalResult } from '../metrics/index.ts';
import type { Finding } from './types.ts';
import { fmt, num } from './types.ts';

/**
 * Largest accepted absolute difference. Both sides come from the same counts through the same
 * code, so they agree to rounding (~1e-15); 1e-6 also absorbs a record written with 7 significant
 * digits, and any real disagreement (one pixel of 10^6 changes a Dice by ~1e-6) still shows.
 */
export const MISMATCH_TOLERANCE = 1e-6;

type ValFigures = EpochRecord['val'];

/** Share of labelled pixels, NaN when there are none. */
function share(n: number, total: number): number {
  return total > 0 ? n / total : NaN;
}

const nul = (x: number): number | null => (Number.isFinite(x) ? x : null);

/**
 * The validation figures of an EpochRecord, derived from an EvalResult. The trainer should write
 * exactly this (shares are of labelled, non-IGNORE pixels), so that the check below compares like
 * with like.
 */
export function valFiguresOf(r: EvalResult): ValFigures {
  return {
    meanForegroundDice: nul(r.meanForegroundDice),
    meanForegroundIoU: nul(r.meanForegroundIoU),
    meanDiceWithBackground: nul(r.meanDiceWithBackground),
    channelSummedDice: nul(r.channelSummedDice),
    pixelAccuracy: nul(r.pixelAccuracy),
    allBackgroundAccuracy: nul(r.allBackgroundAccuracy),
    classes: r.classes.map((c) => ({
      name: c.name,
      dice: nul(c.dice),
      iou: nul(c.iou),
      predictedShare: nul(share(c.predPixels, r.labelledPixels)),
      trueShare: nul(share(c.gtPixels, r.labelledPixels)),
    })),
  };
}

export interface Difference {
  /** e.g. "meanForegroundDice" or "classes.nucleus.dice". */
  figure: string;
  recorded: number | null;
  recomputed: number | null;
  /** |recorded - recomputed|; Infinity when one side is undefined and the other is not. */
  difference: number;
}

const SCALARS = ['meanForegroundDice', 'meanForegroundIoU', 'meanDiceWithBackground', 'channelSummedDice', 'pixelAccuracy', 'allBackgroundAccuracy'] as const;
const PER_CLASS = ['dice', 'iou', 'predictedShare', 'trueShare'] as const;

function compare(figure: string, a: number | null, b: number | null, tol: number): Difference | undefined {
  const ua = a === null || !Number.isFinite(a);
  const ub = b === null || !Number.isFinite(b);
  if (ua && ub) return undefined;
  if (ua !== ub) return { figure, recorded: ua ? null : a, recomputed: ub ? null : b, difference: Infinity };
  const d = Math.abs((a as number) - (b as number));
  return d > tol ? { figure, recorded: a, recomputed: b, difference: d } : undefined;
}

/** Every figure of `recorded` that differs from `recomputed` by more than `tolerance`. */
export function metricDifferences(recorded: ValFigures, recomputed: ValFigures, tolerance = MISMATCH_TOLERANCE): Difference[] {
  const out: Difference[] = [];
  for (const k of SCALARS) {
    const d = compare(k, recorded[k], recomputed[k], tolerance);
    if (d) out.push(d);
  }
  const names = new Set([...recorded.classes.map((c) => c.name), ...recomputed.classes.map((c) => c.name)]);
  for (const name of names) {
    const a = recorded.classes.find((c) => c.name === name);
    const b = recomputed.classes.find((c) => c.name === name);
    for (const k of PER_CLASS) {
      const d = compare(`classes.${name}.${k}`, a ? a[k] : null, b ? b[k] : null, tolerance);
      if (d) out.push(d);
    }
  }
  return out;
}

export interface MismatchOptions {
  tolerance?: number;
  /** What was recomputed, for the message (default "recomputed on the same images"). */
  recomputedFrom?: string;
}

export function checkMetricMismatch(recorded: EpochRecord, recomputed: EvalResult, opts: MismatchOptions = {}): Finding[] {
  const tol = opts.tolerance ?? MISMATCH_TOLERANCE;
  const diffs = metricDifferences(recorded.val, valFiguresOf(recomputed), tol);
  if (diffs.length === 0) return [];
  // The headline first if it differs, then by size of the difference.
  const ranked = [...diffs].sort((a, b) => (a.figure === 'meanForegroundDice' ? -1 : b.figure === 'meanForegroundDice' ? 1 : b.difference - a.difference));
  const top = ranked[0];
  const from = opts.recomputedFrom ?? 'recomputed afterwards on the same images';
  const shown = ranked.slice(0, 5).map((d) => `${d.figure} ${fmt(d.recorded, 4)} vs ${fmt(d.recomputed, 4)}`);
  return [
    {
      id: 'metric-mismatch',
      severity: 'critical',
      title: 'Training-time figures differ from the recomputed ones',
      message:
        `${top.figure} was ${fmt(top.recorded, 4)} during training (epoch ${recorded.epoch}) but is ${fmt(top.recomputed, 4)} ${from}; ` +
        `${diffs.length} figure(s) differ by more than ${tol.toExponential(0)}: ${shown.join('; ')}${ranked.length > 5 ? `; and ${ranked.length - 5} more` : ''}.`,
      evidence: {
        epoch: recorded.epoch,
        figure: top.figure,
        recorded: num(top.recorded),
        recomputed: num(top.recomputed),
        difference: num(top.difference),
        figuresDiffering: diffs.length,
        tolerance: tol,
        images: recomputed.images,
      },
      images: [],
      action:
        'Find out which number is wrong before trusting either: check that predictions are matched with their own ground truth (no shuffled ' +
        'generator, same sorted order), that both use the same images, the same weights (best vs last checkpoint) and the same metric policy.',
    },
  ];
}
