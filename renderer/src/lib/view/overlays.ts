// Overlay bitmaps from class-id arrays: ground truth, prediction and per-class error maps, filled
// or outlined, as packed RGBA (lut.ts `pack`) ready for an ImageData. Computed when a class toggle,
// an opacity or the mode changes, never on pan or zoom (the panes only redraw the bitmaps).
import { IGNORE } from '../../../../src/api/index.ts';
import { hexToRgb, pack } from './lut.ts';

// IGNORE, the class id of unlabelled pixels (src/api), is never drawn and never scored.

export type OverlayMode = 'fill' | 'outline';

export interface ClassStyle {
  visible: boolean;
  /** 0..1 */
  opacity: number;
  /** #rrggbb */
  color: string;
}

/**
 * Error-map colours, the same as the report's thumbnails (src/seg/report/palette.ts) so a figure
 * and the screen agree: Okabe-Ito orange and sky blue stay distinct for every colour-vision type,
 * and correct pixels stay a quiet light grey.
 */
export const ERROR_COLORS = {
  tp: { hex: '#e0e0e0', label: 'true positive (correct)' },
  fp: { hex: '#e69f00', label: 'false positive (predicted, not in ground truth)' },
  fn: { hex: '#56b4e9', label: 'false negative (in ground truth, missed)' },
} as const;

export const ERROR_KIND = { none: 0, tp: 1, fp: 2, fn: 3 } as const;

function packHex(hex: string, opacity: number): number {
  const [r, g, b] = hexToRgb(hex);
  const a = Math.round(255 * Math.min(1, Math.max(0, opacity)));
  return a === 0 ? 0 : pack(r, g, b, a);
}

/** Packed colour per key value (256 entries; 0 = transparent). */
export function classColours(styles: readonly ClassStyle[]): Uint32Array {
  const t = new Uint32Array(256);
  styles.forEach((s, id) => {
    if (s.visible && id !== IGNORE) t[id] = packHex(s.color, s.opacity);
  });
  return t;
}

/** A rectangle of image pixels [x0, y0, x1, y1), end exclusive. */
export type PixelRect = readonly [number, number, number, number];

/**
 * `out[i] = colours[key[i]]`, or in outline mode only where a 4-neighbour has another key (the
 * image border is not an edge). Outline lines are one image pixel wide. With `rect`, only the
 * pixels inside it are written (the editor repaints what a stroke changed; in outline mode pass
 * the changed area grown by one pixel, since a change moves its neighbours' edges).
 */
export function paint(key: Uint8Array, width: number, height: number, colours: Uint32Array, mode: OverlayMode, out: Uint32Array, rect?: PixelRect): void {
  const [x0, y0, x1, y1] = rect ? clip(rect, width, height) : [0, 0, width, height];
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    if (mode === 'fill') {
      for (let i = row + x0; i < row + x1; i++) out[i] = colours[key[i]];
      continue;
    }
    for (let x = x0; x < x1; x++) {
      const i = row + x;
      const k = key[i];
      const c = colours[k];
      if (c === 0) {
        out[i] = 0;
        continue;
      }
      const edge = (x > 0 && key[i - 1] !== k) || (x < width - 1 && key[i + 1] !== k) || (y > 0 && key[i - width] !== k) || (y < height - 1 && key[i + width] !== k);
      out[i] = edge ? c : 0;
    }
  }
}

export function clip(r: PixelRect, width: number, height: number): [number, number, number, number] {
  return [Math.max(0, r[0]), Math.max(0, r[1]), Math.min(width, r[2]), Math.min(height, r[3])];
}

/** `r` grown by `d` pixels on every side and clipped to the image. */
export function grow(r: PixelRect, d: number, width: number, height: number): [number, number, number, number] {
  return clip([r[0] - d, r[1] - d, r[2] + d, r[3] + d], width, height);
}

/**
 * Opacity of outline pixels for a class opacity: one-pixel lines at the fill's opacity vanish over
 * a bright image, so outlines are drawn stronger (0.5 -> 0.8, 1 stays 1, 0 stays 0).
 */
export const outlineOpacity = (opacity: number): number => Math.min(1, opacity * 1.6);

/**
 * Unlabelled pixels of the ground truth (erased to "unlabelled", never annotated) are drawn as a
 * faint 4-pixel checkerboard, a pattern no class colour can be mistaken for, so the annotator sees
 * what training will ignore.
 */
export const UNLABELLED_HATCH = pack(255, 255, 255, 70);

function hatchUnlabelled(labels: Uint8Array, width: number, height: number, out: Uint32Array, rect?: PixelRect): void {
  const [x0, y0, x1, y1] = rect ? clip(rect, width, height) : [0, 0, width, height];
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) if (labels[row + x] === IGNORE) out[row + x] = ((x >> 2) + (y >> 2)) & 1 ? UNLABELLED_HATCH : 0;
  }
}

/** A ground-truth or prediction overlay; `showUnlabelled` hatches IGNORE pixels (ground truth). */
export function labelOverlay(
  labels: Uint8Array,
  width: number,
  height: number,
  styles: readonly ClassStyle[],
  mode: OverlayMode,
  out: Uint32Array,
  rect?: PixelRect,
  showUnlabelled = false,
): void {
  const s = mode === 'outline' ? styles.map((c) => ({ ...c, opacity: outlineOpacity(c.opacity) })) : styles;
  paint(labels, width, height, classColours(s), mode, out, rect);
  if (showUnlabelled) hatchUnlabelled(labels, width, height, out, rect);
}

export interface ErrorCounts {
  tp: number;
  fp: number;
  fn: number;
}

/**
 * The error kind of every pixel for the classes in `focus` (class ids), into `kinds`:
 *   tp: ground truth and prediction agree on a focus class
 *   fn: the ground truth is a focus class and the prediction is something else
 *   fp: the prediction is a focus class and the ground truth is something else
 * A pixel whose ground truth is one focus class and whose prediction another is shown as fn (the
 * ground truth was missed); it is counted as both fn and fp, as the metrics count it. Unlabelled
 * ground truth (IGNORE) is never scored, so never coloured. With `area`, only that rectangle of an
 * image `width` pixels wide is classified and counted.
 */
export function errorKinds(gt: Uint8Array, pred: Uint8Array, focus: ReadonlySet<number>, kinds: Uint8Array, area?: { width: number; rect: PixelRect }): ErrorCounts {
  const inFocus = new Uint8Array(256);
  for (const c of focus) if (c !== IGNORE) inFocus[c] = 1;
  const n = { tp: 0, fp: 0, fn: 0 };
  const w = area?.width ?? gt.length;
  const [x0, y0, x1, y1] = area ? area.rect : [0, 0, gt.length, 1];
  for (let y = y0; y < y1; y++) {
    for (let i = y * w + x0; i < y * w + x1; i++) {
      const g = gt[i];
      const p = pred[i];
      let k: number = ERROR_KIND.none;
      if (g !== IGNORE) {
        if (inFocus[g]) {
          if (p === g) {
            k = ERROR_KIND.tp;
            n.tp++;
          } else {
            k = ERROR_KIND.fn;
            n.fn++;
            if (inFocus[p]) n.fp++;
          }
        } else if (inFocus[p]) {
          k = ERROR_KIND.fp;
          n.fp++;
        }
      }
      kinds[i] = k;
    }
  }
  return n;
}

export interface ErrorStyle {
  opacity: number;
  /** Show correct pixels too (off: only the mistakes). */
  showTp: boolean;
}

/** The error map overlay; returns the counts of the focus classes (of `rect` only, when given). */
export function errorOverlay(
  gt: Uint8Array,
  pred: Uint8Array,
  width: number,
  height: number,
  focus: ReadonlySet<number>,
  style: ErrorStyle,
  mode: OverlayMode,
  out: Uint32Array,
  scratch: Uint8Array = new Uint8Array(width * height),
  rect?: PixelRect,
): ErrorCounts {
  // Outline pixels at the rectangle's edge look one pixel further for their neighbours' kinds.
  const kindsRect = rect ? (mode === 'outline' ? grow(rect, 1, width, height) : clip(rect, width, height)) : undefined;
  const counts = errorKinds(gt, pred, focus, scratch, kindsRect ? { width, rect: kindsRect } : undefined);
  const colours = new Uint32Array(256);
  if (style.showTp) colours[ERROR_KIND.tp] = packHex(ERROR_COLORS.tp.hex, style.opacity * 0.6);
  colours[ERROR_KIND.fp] = packHex(ERROR_COLORS.fp.hex, style.opacity);
  colours[ERROR_KIND.fn] = packHex(ERROR_COLORS.fn.hex, style.opacity);
  paint(scratch, width, height, colours, mode, out, rect);
  return counts;
}

// ------------------------------------------------------------------ overlapping classes
// A run on overlapping classes predicts every class by its own bit (src/api ClassPredictionPixels):
// a pixel may be nucleus and nucleolus at once. These layers read one class's bit or probability,
// never the class-id view.

/**
 * The error kind of every pixel for ONE class by its own bit, into `kinds`: tp where the ground
 * truth and the stored prediction both have `bit`, fn where only the ground truth has it, fp where
 * only the prediction has it. Ground truth IGNORE (unlabelled, or no mask) is never scored.
 */
export function bitErrorKinds(gtBits: ArrayLike<number>, predBits: ArrayLike<number>, bit: number, kinds: Uint8Array): ErrorCounts {
  const n = { tp: 0, fp: 0, fn: 0 };
  const m = 1 << bit;
  for (let i = 0; i < kinds.length; i++) {
    const g = gtBits[i];
    let k: number = ERROR_KIND.none;
    if (g !== IGNORE) {
      const inGt = (g & m) !== 0;
      const inPred = (predBits[i] & m) !== 0;
      if (inGt && inPred) {
        k = ERROR_KIND.tp;
        n.tp++;
      } else if (inGt) {
        k = ERROR_KIND.fn;
        n.fn++;
      } else if (inPred) {
        k = ERROR_KIND.fp;
        n.fp++;
      }
    }
    kinds[i] = k;
  }
  return n;
}

/**
 * The per-class error maps of `bits` (class ids, drawn in this order, a later one over an earlier
 * one where it has a kind to show) into `out`; returns every class's counts. Same colours and
 * style as errorOverlay.
 */
export function bitErrorOverlay(
  gtBits: ArrayLike<number>,
  predBits: ArrayLike<number>,
  width: number,
  height: number,
  bits: readonly number[],
  style: ErrorStyle,
  mode: OverlayMode,
  out: Uint32Array,
  scratch: Uint8Array = new Uint8Array(width * height),
): ErrorCounts[] {
  out.fill(0);
  const colours = new Uint32Array(256);
  if (style.showTp) colours[ERROR_KIND.tp] = packHex(ERROR_COLORS.tp.hex, style.opacity * 0.6);
  colours[ERROR_KIND.fp] = packHex(ERROR_COLORS.fp.hex, style.opacity);
  colours[ERROR_KIND.fn] = packHex(ERROR_COLORS.fn.hex, style.opacity);
  const layer = bits.length > 1 ? new Uint32Array(out.length) : out;
  return bits.map((b) => {
    const counts = bitErrorKinds(gtBits, predBits, b, scratch);
    paint(scratch, width, height, colours, mode, layer);
    if (layer !== out) for (let i = 0; i < out.length; i++) if (layer[i] !== 0) out[i] = layer[i];
    return counts;
  });
}

/**
 * One class's probability as a ramp of its colour: the colour at alpha p x opacity (p = value /
 * scale), composited over what `out` holds (so several classes can share one layer).
 */
export function probabilityOverlay(plane: ArrayLike<number>, scale: number, color: string, opacity: number, out: Uint32Array): void {
  const [r, g, b] = hexToRgb(color);
  const op = Math.min(1, Math.max(0, opacity));
  for (let i = 0; i < out.length; i++) {
    const as = (plane[i] / scale) * op;
    if (as <= 0) continue;
    const d = out[i];
    const ad = (d >>> 24) / 255;
    const ao = as + ad * (1 - as);
    const wd = (ad * (1 - as)) / ao;
    const ws = as / ao;
    out[i] = pack(Math.round(r * ws + (d & 255) * wd), Math.round(g * ws + ((d >>> 8) & 255) * wd), Math.round(b * ws + ((d >>> 16) & 255) * wd), Math.round(ao * 255));
  }
}
