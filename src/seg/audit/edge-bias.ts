// `segmentation-bias`: predictions systematically too wide (or too narrow) along the true edges of
// a class, the commonest visible error of a U-Net on thin structures. Dice and IoU only drop a
// little; precision and recall hint at it; the masks show a band along every edge. Per class and
// image, every error pixel gets its distance to the true edge of the class (chessboard metric):
// a false positive its distance to the nearest true pixel of the class, a false negative its
// distance to the nearest true pixel of another class. Errors within BIAS_BAND pixels of the edge
// are "along the edge"; the band's false positives minus its false negatives, divided by the
// length of the true edge (4-neighbour class/other pixel pairs), estimate by how many pixels the
// prediction sits outside (+, too wide) or inside (-, too narrow) the true edge. A shifted or
// noisy edge puts errors on both sides and cancels; a biased one does not.
import { ShapeError } from '../errors.ts';
import type { EvalResult } from '../metrics/index.ts';
import type { LabelMap } from '../types.ts';
import { IGNORE } from '../types.ts';
import { neverPredicted } from './never-predicted.ts';
import type { ClassNames } from './objects.ts';
import type { Finding } from './types.ts';
import { fmt, listNames, num, pct } from './types.ts';

/** Errors this close to the true edge (pixels, chessboard distance) are along it; farther ones are missed or invented objects. */
export const BIAS_BAND = 8;
/** Net band width (pixels per pixel of true edge) at or above which the bias is reported: half a pixel on every edge is visible in the masks. */
export const BIAS_MIN_WIDTH = 0.5;
/** The dominant side's band errors must be at least this multiple of the other side's: one direction, not edge noise. */
export const BIAS_DOMINANCE = 2;
/** ...and at least this share of all that side's errors (concentrated along the edges, not elsewhere). */
export const BIAS_MIN_BAND_SHARE = 0.5;
/** ...in at least this share of the judged images (systematic, not one bad image). */
export const BIAS_CONSISTENCY = 0.75;
/** Images (and classes) with fewer true edge pairs than this are not judged: a few objects decide nothing. */
export const BIAS_MIN_EDGES = 200;

interface Counts {
  /** False positives / negatives within the band, and in all. */
  fpBand: number;
  fnBand: number;
  fp: number;
  fn: number;
  tp: number;
  /** True edge length: 4-neighbour pairs of this class and another labelled class. */
  edges: number;
}

const zero = (): Counts => ({ fpBand: 0, fnBand: 0, fp: 0, fn: 0, tp: 0, edges: 0 });

export interface EdgeBiasClass extends Counts {
  id: number;
  name: string;
  /** Band false positives / band false negatives per pixel of true edge. */
  overWidth: number;
  underWidth: number;
  /** overWidth - underWidth: + too wide, - too narrow (pixels). */
  netWidth: number;
  /** Images judged (enough edge) and those whose bias has the sign of netWidth. */
  imagesJudged: number;
  imagesSameSign: number;
}

export interface EdgeBiasImage {
  name: string;
  /** Per class id (background: zeros). */
  classes: Counts[];
}

export interface EdgeBiasResult {
  classes: EdgeBiasClass[];
  perImage: EdgeBiasImage[];
  band: number;
}

/** Chessboard distance of every pixel to the nearest source pixel (0 on sources), capped at `cap`. Two raster passes. */
function distanceTo(w: number, h: number, isSource: (i: number) => boolean, cap: number): Uint8Array {
  const d = new Uint8Array(w * h);
  for (let i = 0; i < d.length; i++) d[i] = isSource(i) ? 0 : cap;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      let v = d[i];
      if (v === 0) continue;
      if (x > 0 && d[i - 1] + 1 < v) v = d[i - 1] + 1;
      if (y > 0) {
        if (d[i - w] + 1 < v) v = d[i - w] + 1;
        if (x > 0 && d[i - w - 1] + 1 < v) v = d[i - w - 1] + 1;
        if (x < w - 1 && d[i - w + 1] + 1 < v) v = d[i - w + 1] + 1;
      }
      d[i] = v;
    }
  }
  for (let y = h - 1; y >= 0; y--) {
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      let v = d[i];
      if (v === 0) continue;
      if (x < w - 1 && d[i + 1] + 1 < v) v = d[i + 1] + 1;
      if (y < h - 1) {
        if (d[i + w] + 1 < v) v = d[i + w] + 1;
        if (x < w - 1 && d[i + w + 1] + 1 < v) v = d[i + w + 1] + 1;
        if (x > 0 && d[i + w - 1] + 1 < v) v = d[i + w - 1] + 1;
      }
      d[i] = v;
    }
  }
  return d;
}

/** Accumulates the edge errors image by image (gt and pred of the same size, as for the metrics). */
export class EdgeBias {
  private readonly names: string[];
  private readonly bg: number;
  private readonly images: EdgeBiasImage[] = [];

  constructor(table: ClassNames) {
    this.names = table.classes.map((c) => c.name);
    this.bg = this.names.indexOf(table.background);
  }

  add(name: string, gt: LabelMap, pred: LabelMap): EdgeBiasImage {
    if (gt.width !== pred.width || gt.height !== pred.height) {
      throw new ShapeError(`${name}: ground truth is ${gt.width}x${gt.height} but the prediction is ${pred.width}x${pred.height}.`, { name });
    }
    const { width: w, height: h } = gt;
    const g = gt.data;
    const p = pred.data;
    const K = this.names.length;
    const present = new Uint8Array(256);
    for (let i = 0; i < g.length; i++) present[g[i]] = 1;
    for (let i = 0; i < p.length; i++) present[p[i]] = 1;
    const classes: Counts[] = [];
    const cap = BIAS_BAND + 1;
    for (let c = 0; c < K; c++) {
      const k = zero();
      classes.push(k);
      if (c === this.bg || !present[c]) continue;
      // Distance outside the class (to its nearest true pixel) and inside it (to the nearest other labelled or unlabelled pixel).
      const outside = distanceTo(w, h, (i) => g[i] === c, cap);
      const inside = distanceTo(w, h, (i) => g[i] !== c, cap);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const gv = g[i];
          if (gv === IGNORE) continue;
          const pv = p[i];
          if (gv === c) {
            if (pv === c) k.tp++;
            else {
              k.fn++;
              if (inside[i] <= BIAS_BAND) k.fnBand++;
            }
            if (x < w - 1 && g[i + 1] !== c && g[i + 1] !== IGNORE) k.edges++;
            if (x > 0 && g[i - 1] !== c && g[i - 1] !== IGNORE) k.edges++;
            if (y < h - 1 && g[i + w] !== c && g[i + w] !== IGNORE) k.edges++;
            if (y > 0 && g[i - w] !== c && g[i - w] !== IGNORE) k.edges++;
          } else if (pv === c) {
            k.fp++;
            if (outside[i] <= BIAS_BAND) k.fpBand++;
          }
        }
      }
    }
    const r = { name, classes };
    this.images.push(r);
    return r;
  }

  result(): EdgeBiasResult {
    const classes = this.names.map((name, id): EdgeBiasClass => {
      const t = zero();
      for (const im of this.images) for (const key of Object.keys(t) as (keyof Counts)[]) t[key] += im.classes[id][key];
      const overWidth = t.edges > 0 ? t.fpBand / t.edges : NaN;
      const underWidth = t.edges > 0 ? t.fnBand / t.edges : NaN;
      const netWidth = overWidth - underWidth;
      const judged = this.images.filter((im) => im.classes[id].edges >= BIAS_MIN_EDGES);
      const same = judged.filter((im) => Math.sign(im.classes[id].fpBand - im.classes[id].fnBand) === Math.sign(netWidth)).length;
      return { id, name, ...t, overWidth, underWidth, netWidth, imagesJudged: judged.length, imagesSameSign: same };
    });
    return { classes, perImage: [...this.images], band: BIAS_BAND };
  }
}

/** Dice of a class from counts. */
const diceOf = (tp: number, fp: number, fn: number) => (2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : NaN);

/** One finding per foreground class whose errors sit on one side of its true edges, systematically. */
export function checkSegmentationBias(bias: EdgeBiasResult, r?: EvalResult): Finding[] {
  const out: Finding[] = [];
  for (const c of bias.classes) {
    const cls = r?.classes.find((x) => x.name === c.name);
    if (cls?.isBackground || c.edges < BIAS_MIN_EDGES || !(Math.abs(c.netWidth) >= BIAS_MIN_WIDTH)) continue;
    // A class (almost) never predicted is class-never-predicted, not a narrow one.
    if (neverPredicted(c.tp + c.fn, c.tp + c.fp)) continue;
    const over = c.netWidth > 0;
    const [band, other, total] = over ? [c.fpBand, c.fnBand, c.fp] : [c.fnBand, c.fpBand, c.fn];
    if (band < BIAS_DOMINANCE * other || band < BIAS_MIN_BAND_SHARE * total) continue;
    if (c.imagesJudged === 0 || c.imagesSameSign < BIAS_CONSISTENCY * c.imagesJudged) continue;
    const width = Math.abs(c.netWidth);
    const dice = diceOf(c.tp, c.fp, c.fn);
    // What the class would score with the band errors of the dominant side removed.
    const unbiased = over ? diceOf(c.tp, c.fp - c.fpBand, c.fn) : diceOf(c.tp + c.fnBand, c.fp, c.fn - c.fnBand);
    const ranked = bias.perImage
      .map((im) => {
        const k = im.classes[c.id];
        return { name: im.name, band: over ? k.fpBand : k.fnBand, other: over ? k.fnBand : k.fpBand, edges: k.edges };
      })
      .filter((x) => x.edges > 0 && x.band > x.other)
      .sort((a, b) => (b.band - b.other) / b.edges - (a.band - a.other) / a.edges || (a.name < b.name ? -1 : 1));
    const dir = over ? 'too wide' : 'too narrow';
    out.push({
      id: 'segmentation-bias',
      severity: 'warning',
      title: `"${c.name}" predicted ${dir} along its edges`,
      message:
        `The predicted "${c.name}" lies about ${fmt(width, 1)} px ${over ? 'outside' : 'inside'} its true edges: ` +
        `${over ? c.fpBand : c.fnBand} ${over ? 'false positives' : 'false negatives'} within ${bias.band} px of the true edge (${pct(band / Math.max(1, total))} of all ${over ? 'false positives' : 'false negatives'}) ` +
        `against ${other} ${over ? 'false negatives' : 'false positives'} there, over ${c.edges} px of true edge, in ${c.imagesSameSign} of ${c.imagesJudged} images. ` +
        `Dice ${fmt(dice)}; without this band it would be ${fmt(unbiased)}` +
        (cls ? ` (precision ${fmt(cls.precision)}, recall ${fmt(cls.recall)}).` : '.'),
      evidence: {
        class: c.name,
        direction: over ? 'over' : 'under',
        widthPx: width,
        overWidthPx: num(c.overWidth),
        underWidthPx: num(c.underWidth),
        bandFalsePositives: c.fpBand,
        bandFalseNegatives: c.fnBand,
        falsePositives: c.fp,
        falseNegatives: c.fn,
        edgePixels: c.edges,
        imagesJudged: c.imagesJudged,
        imagesSameDirection: c.imagesSameSign,
        dice: num(dice),
        diceWithoutBand: num(unbiased),
        band: bias.band,
      },
      images: ranked.map((x) => x.name),
      perImage: ranked.map((x) => ({ image: x.name, evidence: { widthPx: (x.band - x.other) / x.edges, bandErrors: x.band, otherSide: x.other, edgePixels: x.edges } })),
      action: over
        ? `Look at the error map of ${listNames(ranked.map((x) => x.name), 3)}: a band of false positives along every edge of "${c.name}". Check that the training masks ` +
          `were not drawn wider than these (annotation convention), lower the class weight of "${c.name}" if it is weighted up, add a boundary-aware loss, or erode ` +
          `the predictions by ${Math.max(1, Math.round(width))} px as post-processing, and report the figures after it.`
        : `Look at the error map of ${listNames(ranked.map((x) => x.name), 3)}: a band of false negatives along every edge of "${c.name}" (thin parts may break). Check that the ` +
          `training masks were not drawn narrower than these, weight "${c.name}" up (weighted-ce, dice-ce), add a boundary-aware loss, or dilate the predictions by ` +
          `${Math.max(1, Math.round(width))} px as post-processing, and report the figures after it.`,
    });
  }
  return out;
}
