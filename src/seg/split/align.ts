// Duplicates that differ by a flip, a 90-degree rotation or a small shift: training augmentation
// flips, rotates and crops patches, so such a copy on the other side of a split is the same sample.
// Thumbnail cells of 1/16 of the side move under a shift of a few pixels (a 4-pixel shift of a
// 512-pixel EM section drops the thumbnail correlation below 0.95), so the comparison here uses a
// smooth descriptor instead: the image blurred at 1/32 of its side and sampled on a 64 x 64 grid,
// which a shift of less than a grid step barely changes. Two descriptors are compared under each of
// the 8 flips/rotations, first on a 16 x 16 pooled version at shifts of up to one cell, then at the
// best coarse shift on the full grid, pixel step by pixel step. The thresholds are the audit's
// (src/seg/audit/duplicates.ts).
import { ALIGNED_COARSE_MIN_CORRELATION, ALIGNED_MAX_SHIFT } from '../audit/duplicates.ts';
import type { RawImage } from '../types.ts';

/** Descriptor grid side, and the pooled grid of the coarse stage. */
export const ALIGN_GRID = 64;
const FINE = 128;
const COARSE = 16;

/** Mean grey of an n x n grid of cells over `data` (w x h, `channels` interleaved). */
function pool(data: ArrayLike<number>, w: number, h: number, channels: number, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let ty = 0; ty < n; ty++) {
    const y0 = Math.floor((ty * h) / n);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * h) / n));
    for (let tx = 0; tx < n; tx++) {
      const x0 = Math.floor((tx * w) / n);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * w) / n));
      let s = 0;
      for (let y = y0; y < y1; y++) {
        const row = y * w;
        for (let x = x0; x < x1; x++) for (let c = 0; c < channels; c++) s += data[(row + x) * channels + c];
      }
      out[ty * n + tx] = s / ((y1 - y0) * (x1 - x0) * channels);
    }
  }
  return out;
}

/** Separable Gaussian blur of an n x n grid, edges clamped. */
function blur(g: Float64Array, n: number, sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const k: number[] = [];
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    const v = Math.exp((-i * i) / (2 * sigma * sigma));
    k.push(v);
    sum += v;
  }
  const tmp = new Float64Array(n * n);
  const out = new Float64Array(n * n);
  const at = (v: number) => Math.min(n - 1, Math.max(0, v));
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * g[y * n + at(x + i)];
      tmp[y * n + x] = s / sum;
    }
  }
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * tmp[at(y + i) * n + x];
      out[y * n + x] = s / sum;
    }
  }
  return out;
}

/** The smooth 64 x 64 descriptor of an image (see the file comment). */
export function alignDescriptor(image: RawImage): Float32Array {
  const fine = pool(image.data, image.width, image.height, image.channels, FINE);
  // sigma 4 of 128 cells = 1/32 of the side.
  return Float32Array.from(pool(blur(fine, FINE, 4), FINE, FINE, 1, ALIGN_GRID));
}

/** The grid seen through flip/rotation t (bit 4: transpose, bit 1: mirror x, bit 2: mirror y): the 8 symmetries of a square. */
function transformed(g: ArrayLike<number>, n: number, t: number): Float64Array {
  const o = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sx = x;
      let sy = y;
      if (t & 4) [sx, sy] = [sy, sx];
      if (t & 1) sx = n - 1 - sx;
      if (t & 2) sy = n - 1 - sy;
      o[y * n + x] = g[sy * n + sx];
    }
  }
  return o;
}

/** Pearson correlation of a and b moved by (dx, dy), over their overlap. */
function shiftedCorrelation(a: ArrayLike<number>, b: ArrayLike<number>, n: number, dx: number, dy: number): number {
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(n, n - dx);
  const y0 = Math.max(0, -dy);
  const y1 = Math.min(n, n - dy);
  for (let y = y0; y < y1; y++) {
    const ra = y * n;
    const rb = (y + dy) * n + dx;
    for (let x = x0; x < x1; x++) {
      const va = a[ra + x];
      const vb = b[rb + x];
      sa += va;
      sb += vb;
      saa += va * va;
      sbb += vb * vb;
      sab += va * vb;
    }
  }
  const c = (x1 - x0) * (y1 - y0);
  const va = saa - (sa * sa) / c;
  const vb = sbb - (sb * sb) / c;
  // Flat descriptors (a blank image) carry no picture to match.
  if (va <= 1e-12 * c * Math.max(1, (sa / c) ** 2) || vb <= 1e-12 * c * Math.max(1, (sb / c) ** 2)) return 0;
  return (sab - (sa * sb) / c) / Math.sqrt(va * vb);
}

const TRANSFORM_NAMES = ['as is', 'mirrored left-right', 'mirrored top-bottom', 'rotated 180 degrees', 'transposed', 'rotated 90 degrees counter-clockwise', 'rotated 90 degrees clockwise', 'transposed and rotated 180 degrees'];

export interface Alignment {
  /** Correlation of the descriptors after the best flip/rotation and shift. */
  correlation: number;
  /** How the second image must be flipped/rotated to match the first, in words. */
  transform: string;
  /** Shift of the match as a share of the image side (x, y). */
  shift: [number, number];
}

/**
 * Which flips/rotations can map one image onto another: all 8 for squares; for other shapes those
 * that keep the sides (same width and height) or swap them (b is a's size transposed). Descriptors
 * of non-square images are stretched to the square grid, so the same transforms apply to them.
 */
export type TransformSet = 'all' | 'keep-sides' | 'swap-sides';

/** The best match of descriptor b onto a over the allowed flips/rotations and shifts up to ALIGNED_MAX_SHIFT of the side. */
export function bestAlignment(a: Float32Array, b: Float32Array, allowed: TransformSet): Alignment {
  const n = ALIGN_GRID;
  const maxShift = Math.max(1, Math.round(ALIGNED_MAX_SHIFT * n));
  const ac = pool(a, n, n, 1, COARSE);
  const f = n / COARSE;
  const coarseShift = Math.max(1, Math.ceil(maxShift / f));
  let best: Alignment = { correlation: -1, transform: TRANSFORM_NAMES[0], shift: [0, 0] };
  for (let t = 0; t < 8; t++) {
    if ((allowed === 'keep-sides' && t >= 4) || (allowed === 'swap-sides' && t < 4)) continue;
    const bt = transformed(b, n, t);
    const bc = pool(bt, n, n, 1, COARSE);
    let coarse = -2;
    let cx = 0;
    let cy = 0;
    for (let dy = -coarseShift; dy <= coarseShift; dy++) {
      for (let dx = -coarseShift; dx <= coarseShift; dx++) {
        const c = shiftedCorrelation(ac, bc, COARSE, dx, dy);
        if (c > coarse) [coarse, cx, cy] = [c, dx, dy];
      }
    }
    if (coarse < ALIGNED_COARSE_MIN_CORRELATION) continue;
    for (let dy = cy * f - f; dy <= cy * f + f; dy++) {
      for (let dx = cx * f - f; dx <= cx * f + f; dx++) {
        if (Math.abs(dx) > maxShift || Math.abs(dy) > maxShift) continue;
        const c = shiftedCorrelation(a, bt, n, dx, dy);
        if (c > best.correlation) best = { correlation: c, transform: TRANSFORM_NAMES[t], shift: [dx / n, dy / n] };
      }
    }
  }
  return best;
}
