// Which images a report shows as thumbnails, in which order. The images where a good-looking score
// hides a bad mask come first: in the order of the audit's `deceptive-images` finding when the
// audit ran, otherwise by the same rule computed here (background-inclusive score >= LOOKS_GOOD and
// foreground Dice < POOR_FOREGROUND_DICE, largest gap first). The remaining images follow by gap,
// so the next most flattered image is always the next one shown.
import { LOOKS_GOOD, POOR_FOREGROUND_DICE } from '../audit/scores.ts';
import type { Finding } from '../audit/types.ts';
import type { EvalResult, ImageResult } from '../metrics/index.ts';
import type { GalleryEntry } from './types.ts';

export const DEFAULT_GALLERY_LIMIT = 12;

const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The background-inclusive figure a user would quote for one image: the larger of pixel accuracy and Dice with background. */
export function inclusiveScore(im: ImageResult): number {
  const a = im.pixelAccuracy;
  const d = im.meanDiceWithBackground;
  if (Number.isNaN(a)) return d;
  if (Number.isNaN(d)) return a;
  return Math.max(a, d);
}

/** inclusiveScore - foreground Dice; NaN when the image has no defined foreground Dice. */
export function imageGap(im: ImageResult): number {
  return inclusiveScore(im) - im.meanForegroundDice;
}

function hasForeground(im: ImageResult, backgroundClass: string): boolean {
  return im.classes.some((c) => c.name !== backgroundClass && c.gtPixels > 0);
}

/** Largest gap first; undefined gaps last; ties by name so the order never depends on input order. */
function byGap(a: ImageResult, b: ImageResult): number {
  const ga = imageGap(a);
  const gb = imageGap(b);
  const na = Number.isNaN(ga);
  const nb = Number.isNaN(gb);
  if (na !== nb) return na ? 1 : -1;
  if (!na && gb !== ga) return gb - ga;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The deceptive images by the audit's rule, for reports made without an audit. */
export function deceptiveByGap(r: EvalResult): string[] {
  return r.perImage
    .filter((im) => hasForeground(im, r.backgroundClass) && !Number.isNaN(im.meanForegroundDice))
    .filter((im) => inclusiveScore(im) >= LOOKS_GOOD && im.meanForegroundDice < POOR_FOREGROUND_DICE)
    .sort(byGap)
    .map((im) => im.name);
}

export interface GalleryOrder {
  entries: GalleryEntry[];
  order: 'audit' | 'gap';
  omitted: number;
  /** All deceptive images, worst first, shown or not. */
  deceptive: string[];
}

/**
 * Ranks the images of one evaluation. `deceptive` is the audit's `deceptive-images` finding of this
 * split (its `images` are already worst first); pass `undefined` with `auditRan = false` to rank by
 * the gap instead. At most `limit` entries are returned.
 */
export function rankGallery(r: EvalResult, deceptive: Finding | undefined, auditRan: boolean, limit = DEFAULT_GALLERY_LIMIT): GalleryOrder {
  const byName = new Map(r.perImage.map((im) => [im.name, im]));
  const first = auditRan ? (deceptive?.images ?? []).filter((n) => byName.has(n)) : deceptiveByGap(r);
  const flagged = new Set(first);
  const rest = r.perImage.filter((im) => !flagged.has(im.name)).sort(byGap);
  const ordered = [...first.map((n) => byName.get(n)!), ...rest];
  const shown = ordered.slice(0, Math.max(0, limit));
  const entries = shown.map((im, i): GalleryEntry => ({
    image: im.name,
    rank: i + 1,
    deceptive: flagged.has(im.name),
    pixelAccuracy: orNull(im.pixelAccuracy),
    meanDiceWithBackground: orNull(im.meanDiceWithBackground),
    meanForegroundDice: orNull(im.meanForegroundDice),
    gap: orNull(imageGap(im)),
    classes: im.classes.map((c) => ({ name: c.name, dice: orNull(c.dice), tp: c.tp, fp: c.fp, fn: c.fn, gtPixels: c.gtPixels, predPixels: c.predPixels })),
  }));
  return { entries, order: auditRan ? 'audit' : 'gap', omitted: ordered.length - shown.length, deceptive: first };
}
