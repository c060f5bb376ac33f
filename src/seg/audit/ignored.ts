// `ignored-share`: how much of the ground truth is unlabelled (values in the table's `ignore`, values
// in no class, pixels claimed by two per-class masks). Those pixels are left out of every loss and
// metric, so a mask damaged by JPEG or interpolation and "fixed" by ignoring the damage trains and
// scores on what is left: in one real case a quarter of all pixels, whole membrane shades gone,
// while inspect said "Ready". The share is always printed by `seglens inspect`; the finding fires
// per image and per class when it exceeds the thresholds below. Pixels are attributed to a class
// by adjacency: an ignored pixel touching a class (4-neighbours) is a piece of that class's edge
// that nobody will train or score.
import type { LabelMap } from '../types.ts';
import { IGNORE } from '../types.ts';
import type { Finding } from './types.ts';
import { listNames, pct } from './types.ts';

/** Images with more than this share of unlabelled pixels are listed: 5 % is more than JPEG residue or a brush slip leaves. */
export const IGNORED_IMAGE_SHARE = 0.05;
/**
 * A class whose edges touch unlabelled pixels amounting to this share of its own labelled pixels
 * is listed: at 10 % its outline, or a whole grey level of it, is missing from training.
 */
export const IGNORED_CLASS_RATIO = 0.1;

export interface IgnoredImage {
  name: string;
  pixels: number;
  ignored: number;
  /** Per class id: labelled pixels, and unlabelled pixels touching the class. */
  classPixels: number[];
  touching: number[];
}

export interface IgnoredShareResult {
  classes: string[];
  background: string;
  /** The class table's ignore values, as written there (for the message). */
  ignoreValues: (number | string)[];
  perImage: IgnoredImage[];
  pixels: number;
  ignored: number;
  share: number;
}

/** Unlabelled pixels of one label map, and per class those that touch it. */
export function ignoredOf(name: string, labels: LabelMap, numClasses: number): IgnoredImage {
  const { width: w, height: h, data: d } = labels;
  const classPixels = new Array<number>(numClasses).fill(0);
  const touching = new Array<number>(numClasses).fill(0);
  let ignored = 0;
  const seen = new Int32Array(numClasses).fill(-1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const v = d[i];
      if (v !== IGNORE) {
        if (v < numClasses) classPixels[v]++;
        continue;
      }
      ignored++;
      // Each class counted once per ignored pixel, however many of its neighbours are that class.
      const touch = (j: number) => {
        const c = d[j];
        if (c < numClasses && seen[c] !== i) {
          seen[c] = i;
          touching[c]++;
        }
      };
      if (x > 0) touch(i - 1);
      if (x < w - 1) touch(i + 1);
      if (y > 0) touch(i - w);
      if (y < h - 1) touch(i + w);
    }
  }
  return { name, pixels: w * h, ignored, classPixels, touching };
}

/** Accumulates ignoredOf over the pairs of a data set. */
export class IgnoredShare {
  private readonly images: IgnoredImage[] = [];

  constructor(private readonly table: { classes: readonly { name: string }[]; background: string; ignore?: readonly (number | string)[] }) {}

  add(name: string, labels: LabelMap): IgnoredImage {
    const r = ignoredOf(name, labels, this.table.classes.length);
    this.images.push(r);
    return r;
  }

  result(): IgnoredShareResult {
    const pixels = this.images.reduce((s, i) => s + i.pixels, 0);
    const ignored = this.images.reduce((s, i) => s + i.ignored, 0);
    return {
      classes: this.table.classes.map((c) => c.name),
      background: this.table.background,
      ignoreValues: [...(this.table.ignore ?? [])],
      perImage: [...this.images],
      pixels,
      ignored,
      share: pixels > 0 ? ignored / pixels : 0,
    };
  }
}

/** One line for `seglens inspect`, printed whatever the share. */
export function describeIgnored(r: IgnoredShareResult): string {
  const withAny = r.perImage.filter((i) => i.ignored > 0);
  if (r.ignored === 0) return 'Unlabelled / ignored pixels: none (every pixel has a class).';
  const worst = [...withAny].sort((a, b) => b.ignored / b.pixels - a.ignored / a.pixels)[0];
  const values = r.ignoreValues.length ? ` The class table ignores value(s) ${r.ignoreValues.join(', ')}.` : '';
  return (
    `Unlabelled / ignored pixels: ${pct(r.share)} of all pixels (${r.ignored} px) in ${withAny.length} of ${r.perImage.length} images; ` +
    `worst ${worst.name} (${pct(worst.ignored / worst.pixels)}). They are left out of training and every metric.${values}`
  );
}

export function checkIgnoredShare(r: IgnoredShareResult): Finding[] {
  const K = r.classes.length;
  const over = r.perImage
    .filter((i) => i.pixels > 0 && i.ignored / i.pixels > IGNORED_IMAGE_SHARE)
    .sort((a, b) => b.ignored / b.pixels - a.ignored / a.pixels || (a.name < b.name ? -1 : 1));
  const byClass = Array.from({ length: K }, (_, c) => {
    const own = r.perImage.reduce((s, i) => s + i.classPixels[c], 0);
    const touching = r.perImage.reduce((s, i) => s + i.touching[c], 0);
    return { name: r.classes[c], own, touching, ratio: own > 0 ? touching / own : touching > 0 ? Infinity : 0 };
  })
    .filter((c) => c.touching > 0 && c.ratio >= IGNORED_CLASS_RATIO)
    .sort((a, b) => b.ratio - a.ratio);
  if (over.length === 0 && byClass.length === 0) return [];
  const classText = byClass.map((c) => `"${c.name}" (${c.touching} px next to its ${c.own} labelled px, ${Number.isFinite(c.ratio) ? pct(c.ratio) : 'all'})`);
  const imageText = over.slice(0, 5).map((i) => `${i.name} ${pct(i.ignored / i.pixels)}`);
  const values = r.ignoreValues.length ? ` The class table puts value(s) ${r.ignoreValues.join(', ')} in "ignore".` : '';
  return [
    {
      id: 'ignored-share',
      severity: 'warning',
      title: 'Much of the ground truth is unlabelled',
      message:
        `${pct(r.share)} of all pixels (${r.ignored} px) are unlabelled or ignored and take no part in training or metrics.` +
        (over.length ? ` ${over.length} of ${r.perImage.length} images exceed ${pct(IGNORED_IMAGE_SHARE)}: ${imageText.join(', ')}${over.length > 5 ? `, and ${over.length - 5} more` : ''}.` : '') +
        (byClass.length ? ` Unlabelled pixels line the edges of ${classText.join(', ')}: those classes lose their outlines (or whole grey levels).` : '') +
        values,
      evidence: {
        ignoredPixels: r.ignored,
        pixels: r.pixels,
        share: r.share,
        imagesOver: over.length,
        images: r.perImage.length,
        worstImage: over[0]?.name ?? null,
        worstShare: over[0] ? over[0].ignored / over[0].pixels : null,
        classesAffected: byClass.map((c) => c.name).join(', ') || null,
        imageThreshold: IGNORED_IMAGE_SHARE,
        classThreshold: IGNORED_CLASS_RATIO,
        ignoreValues: r.ignoreValues.join(', ') || null,
      },
      images: over.map((i) => i.name),
      perImage: over.map((i) => ({
        image: i.name,
        evidence: {
          ignoredPixels: i.ignored,
          share: i.ignored / i.pixels,
          ...Object.fromEntries(byClass.map((c) => [`touching:${c.name}`, i.touching[r.classes.indexOf(c.name)]])),
        },
      })),
      action:
        `If these pixels are unlabelled on purpose (sparse annotation) nothing is wrong. Otherwise look at ${listNames(over.map((i) => i.name), 3) || 'the masks'}: ` +
        'values in "ignore" or in no class because the masks were saved as JPEG or resized with interpolation hide that damage; re-export the masks losslessly ' +
        'with nearest-neighbour resizing, or give the values their class, so that training and metrics see the whole annotation.',
    },
  ];
}
