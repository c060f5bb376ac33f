// Editor operations. Each writes the pixels it changes into the mask and returns an undo record
// (or null when nothing changed); locked classes are never overwritten. Deterministic, no DOM.
import { IGNORE } from '../../../../src/api/index.ts';
import { writableTable, type EditMask, type EditRules, type ImagePoint } from './mask.ts';
import { Recorder, type UndoRecord } from './undo.ts';

export type Rect = [x0: number, y0: number, x1: number, y1: number];

/** Spans of a disc of radius r (in pixels) centred at (cx, cy): a pixel is in when its centre is. */
function stampDisc(mask: EditMask, cx: number, cy: number, r: number, value: number, ok: Uint8Array, rec: Recorder): Rect | null {
  const y0 = Math.max(0, Math.ceil(cy - r - 0.5));
  const y1 = Math.min(mask.height - 1, Math.floor(cy + r - 0.5));
  if (y0 > y1) return null;
  const x0 = Math.max(0, Math.ceil(cx - r - 0.5));
  const x1 = Math.min(mask.width - 1, Math.floor(cx + r - 0.5));
  if (x0 > x1) return null;
  rec.touch(x0, y0, x1 + 1, y1 + 1);
  const d = mask.data;
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    const half = Math.sqrt(Math.max(0, r2 - dy * dy));
    const xa = Math.max(x0, Math.ceil(cx - half - 0.5));
    const xb = Math.min(x1, Math.floor(cx + half - 0.5));
    const row = y * mask.width;
    for (let x = xa; x <= xb; x++) if (ok[d[row + x]]) d[row + x] = value;
  }
  return [x0, y0, x1 + 1, y1 + 1];
}

function union(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

export interface BrushOptions {
  /** Radius in image pixels (a 1-pixel brush has radius 0.5). */
  radius: number;
  /** Class id to paint; IGNORE (unlabelled) or the background id for the eraser. */
  value: number;
  rules: EditRules;
  label?: string;
}

/**
 * A brush or eraser stroke, fed point by point as the pointer moves (`add` returns the rectangle to
 * redraw) and closed with `end`, which returns the stroke's one undo record.
 */
export class Stroke {
  private readonly rec: Recorder;
  private readonly ok: Uint8Array;
  private last: ImagePoint | null = null;
  constructor(
    private readonly mask: EditMask,
    private readonly opts: BrushOptions,
  ) {
    if (!(opts.radius > 0)) throw new RangeError(`brush radius must be > 0, got ${opts.radius}`);
    this.rec = new Recorder(mask);
    this.ok = writableTable(opts.rules);
  }

  add(p: ImagePoint): Rect | null {
    const { radius, value } = this.opts;
    let dirty: Rect | null = null;
    if (!this.last) dirty = stampDisc(this.mask, p.x, p.y, radius, value, this.ok, this.rec);
    else {
      // Stamps at most radius/2 apart (and at most 1 px) so the stroke has no gaps.
      const dx = p.x - this.last.x;
      const dy = p.y - this.last.y;
      const steps = Math.max(1, Math.ceil(Math.hypot(dx, dy) / Math.max(0.5, Math.min(1, radius / 2))));
      for (let i = 1; i <= steps; i++) {
        dirty = union(dirty, stampDisc(this.mask, this.last.x + (dx * i) / steps, this.last.y + (dy * i) / steps, radius, value, this.ok, this.rec));
      }
    }
    this.last = p;
    return dirty;
  }

  end(): UndoRecord | null {
    return this.rec.finish(this.opts.label ?? (this.opts.value === IGNORE ? 'erase' : 'brush'));
  }
}

export function paintStroke(mask: EditMask, points: readonly ImagePoint[], opts: BrushOptions): UndoRecord | null {
  const s = new Stroke(mask, opts);
  for (const p of points) s.add(p);
  return s.end();
}

export interface FillOptions {
  value: number;
  rules: EditRules;
  /** Refuse (change nothing) when the region is larger than this many pixels. */
  maxPixels?: number;
  /** Only fill inside this rectangle (e.g. the visible part of the image). */
  bounds?: Rect;
}

/** `tooLarge`: refused only because the region exceeds `maxPixels` (the editor then asks first). */
export type FillResult = { record: UndoRecord | null } | { refused: string; tooLarge?: boolean };

/**
 * Flood fill of the 4-connected region of the seed's class (scanline algorithm). Bounded: a region
 * larger than `maxPixels` is refused with the reason and nothing changes, so a click on the
 * background of a 4096 x 4096 mask does not silently relabel it all.
 */
export function floodFill(mask: EditMask, seed: ImagePoint, opts: FillOptions): FillResult {
  const { width: w, height: h, data: d } = mask;
  const [bx0, by0, bx1, by1] = opts.bounds ?? [0, 0, w, h];
  const sx = Math.floor(seed.x);
  const sy = Math.floor(seed.y);
  if (sx < bx0 || sy < by0 || sx >= bx1 || sy >= by1) return { refused: 'the seed is outside the image' };
  const from = d[sy * w + sx];
  if (from === opts.value) return { record: null };
  if (!writableTable(opts.rules)[from]) return { refused: `class ${from} is locked` };
  const max = opts.maxPixels ?? Infinity;
  const seen = new Uint8Array(w * h);
  const spans: number[] = []; // y, xa, xb triples
  const stack: number[] = [sx, sy];
  let count = 0;
  while (stack.length) {
    const y = stack.pop()!;
    const x = stack.pop()!;
    const row = y * w;
    if (seen[row + x] || d[row + x] !== from) continue;
    let xa = x;
    while (xa > bx0 && !seen[row + xa - 1] && d[row + xa - 1] === from) xa--;
    let xb = x;
    while (xb < bx1 - 1 && !seen[row + xb + 1] && d[row + xb + 1] === from) xb++;
    seen.fill(1, row + xa, row + xb + 1);
    spans.push(y, xa, xb);
    count += xb - xa + 1;
    if (count > max) return { refused: `the region is larger than ${max} pixels; draw a boundary first or fill in a smaller view`, tooLarge: true };
    for (const ny of [y - 1, y + 1]) {
      if (ny < by0 || ny >= by1) continue;
      const nrow = ny * w;
      for (let nx = xa; nx <= xb; nx++) {
        if (!seen[nrow + nx] && d[nrow + nx] === from && (nx === xa || seen[nrow + nx - 1] || d[nrow + nx - 1] !== from)) stack.push(nx, ny);
      }
    }
  }
  const rec = new Recorder(mask);
  for (let i = 0; i < spans.length; i += 3) {
    const [y, xa, xb] = [spans[i], spans[i + 1], spans[i + 2]];
    rec.touch(xa, y, xb + 1, y + 1);
    d.fill(opts.value, y * w + xa, y * w + xb + 1);
  }
  return { record: rec.finish('fill') };
}

/** Rows and x-spans inside a polygon (even-odd rule on pixel centres), clipped to the mask. */
export function polygonSpans(mask: EditMask, pts: readonly ImagePoint[]): number[] {
  const spans: number[] = [];
  if (pts.length < 3) return spans;
  const ys = pts.map((p) => p.y);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(mask.height - 1, Math.ceil(Math.max(...ys)));
  const xs: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5;
    xs.length = 0;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const a = pts[i], b = pts[j];
      if ((a.y <= cy && b.y > cy) || (b.y <= cy && a.y > cy)) xs.push(a.x + ((cy - a.y) * (b.x - a.x)) / (b.y - a.y));
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const xa = Math.max(0, Math.ceil(xs[k] - 0.5));
      // Top-left rule: a centre exactly on a left edge is in, on a right edge out, so two
      // polygons sharing an edge never both claim a pixel.
      const xb = Math.min(mask.width - 1, Math.ceil(xs[k + 1] - 0.5) - 1);
      if (xa <= xb) spans.push(y, xa, xb);
    }
  }
  return spans;
}

/** Polygon / lasso fill with one class. */
export function fillPolygon(mask: EditMask, pts: readonly ImagePoint[], value: number, rules: EditRules): UndoRecord | null {
  const ok = writableTable(rules);
  const rec = new Recorder(mask);
  const spans = polygonSpans(mask, pts);
  const d = mask.data;
  for (let i = 0; i < spans.length; i += 3) {
    const [y, xa, xb] = [spans[i], spans[i + 1], spans[i + 2]];
    rec.touch(xa, y, xb + 1, y + 1);
    const row = y * mask.width;
    for (let x = xa; x <= xb; x++) if (ok[d[row + x]]) d[row + x] = value;
  }
  return rec.finish('polygon');
}

export interface AcceptOptions {
  /** Only inside this polygon. */
  region?: readonly ImagePoint[];
  /** Only the pixels the prediction gives this class. */
  classId?: number;
  rules: EditRules;
}

/**
 * Take the prediction as the annotation: inside a drawn region, for one whole class, or both.
 * Locked classes keep their pixels.
 */
export function acceptPrediction(mask: EditMask, prediction: Uint8Array, opts: AcceptOptions): UndoRecord | null {
  if (prediction.length !== mask.data.length) throw new RangeError(`prediction has ${prediction.length} pixels, mask ${mask.data.length}`);
  if (opts.region === undefined && opts.classId === undefined) throw new RangeError('give a region, a class, or both');
  const ok = writableTable(opts.rules);
  const rec = new Recorder(mask);
  const d = mask.data;
  const w = mask.width;
  const c = opts.classId;
  const spans = opts.region ? polygonSpans(mask, opts.region) : Array.from({ length: mask.height }, (_, y) => [y, 0, w - 1]).flat();
  for (let i = 0; i < spans.length; i += 3) {
    const [y, xa, xb] = [spans[i], spans[i + 1], spans[i + 2]];
    const row = y * w;
    let touched = false;
    for (let x = xa; x <= xb; x++) {
      const p = prediction[row + x];
      if ((c === undefined || p === c) && p !== d[row + x] && ok[d[row + x]]) {
        if (!touched) {
          rec.touch(xa, y, xb + 1, y + 1);
          touched = true;
        }
        d[row + x] = p;
      }
    }
  }
  return rec.finish(c === undefined ? 'accept prediction (region)' : `accept prediction (class ${c})`);
}
