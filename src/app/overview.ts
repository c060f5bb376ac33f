// Reduced pictures for the first draw of the image view (issue 14: launch to first image). The
// page asks for an image and its mask at about the size of its pane, draws them, then asks for the
// full resolution; the engine decodes each file once for both requests (RecentPixels below), so the
// overview costs the reduction (tens of ms for 4096 x 4096), not a second decode.
import type { ImageOverview, ImagePixels, MaskOverview, MaskPixels } from '../api/index.ts';

/** Whole factor that brings the longest side to at most `maxSide`, never below 1 (an image that fits is not reduced). */
export function overviewFactor(width: number, height: number, maxSide: number): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / Math.max(1, maxSide)));
}

/**
 * Mean of each factor x factor block per channel (only the pixels inside the image at the right
 * and bottom edges), rounded, in the input's own type: the 16-bit values stay 16-bit values, so
 * the contrast controls and the histogram mean the same thing on the overview as on the image.
 */
export function meanReduce(data: Uint8Array | Uint16Array, width: number, height: number, channels: number, factor: number): Uint8Array | Uint16Array {
  if (factor === 1) return data;
  const w = Math.ceil(width / factor);
  const h = Math.ceil(height / factor);
  const out = data instanceof Uint16Array ? new Uint16Array(w * h * channels) : new Uint8Array(w * h * channels);
  // One band of `factor` rows at a time: the rows are summed column by column (one tight pass over
  // the pixels, no division per pixel), then each block's columns (a 4096 x 4096 image in tens of ms).
  const rowLen = width * channels;
  const cols = new Float64Array(rowLen);
  for (let by = 0; by < h; by++) {
    cols.fill(0);
    const y0 = by * factor;
    const y1 = Math.min(height, y0 + factor);
    for (let y = y0; y < y1; y++) {
      const row = y * rowLen;
      for (let i = 0; i < rowLen; i++) cols[i] += data[row + i];
    }
    const rows = y1 - y0;
    for (let bx = 0; bx < w; bx++) {
      const x0 = bx * factor;
      const x1 = Math.min(width, x0 + factor);
      const n = rows * (x1 - x0);
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let x = x0; x < x1; x++) s += cols[x * channels + c];
        out[(by * w + bx) * channels + c] = Math.round(s / n);
      }
    }
  }
  return out;
}

/**
 * The class id at the centre of each factor x factor block (clamped into the image at the edges):
 * a real class id, never a blend of two, so the overlays colour the overview as they colour the mask.
 */
export function centreSample(data: Uint8Array, width: number, height: number, factor: number): Uint8Array {
  if (factor === 1) return data;
  const w = Math.ceil(width / factor);
  const h = Math.ceil(height / factor);
  const out = new Uint8Array(w * h);
  const half = Math.floor(factor / 2);
  for (let by = 0; by < h; by++) {
    const y = Math.min(height - 1, by * factor + half);
    for (let bx = 0; bx < w; bx++) out[by * w + bx] = data[y * width + Math.min(width - 1, bx * factor + half)];
  }
  return out;
}

export function imageOverview(im: ImagePixels, maxSide: number): ImageOverview {
  const factor = overviewFactor(im.width, im.height, maxSide);
  const { data, kind: _kind, ...header } = im;
  return {
    ...header,
    kind: 'image-overview',
    width: Math.ceil(im.width / factor),
    height: Math.ceil(im.height / factor),
    fullWidth: im.width,
    fullHeight: im.height,
    factor,
    data: meanReduce(data, im.width, im.height, im.channels, factor),
  };
}

export function maskOverview(m: MaskPixels, maxSide: number): MaskOverview {
  const factor = overviewFactor(m.width, m.height, maxSide);
  return {
    kind: 'mask-overview',
    name: m.name,
    width: Math.ceil(m.width / factor),
    height: Math.ceil(m.height / factor),
    dtype: 'uint8',
    source: m.source,
    fullWidth: m.width,
    fullHeight: m.height,
    factor,
    data: centreSample(m.data, m.width, m.height, factor),
  };
}

/**
 * Decoded pixels kept a short while for the full-resolution request that follows an overview.
 * `take` hands an entry out once and forgets it, so any later request (a reload after a save, the
 * image opened again) reads the file afresh; `forget` drops an image whose mask was just saved.
 */
export class RecentPixels<T> {
  private readonly entries = new Map<string, { value: Promise<T>; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly keepMs = 30_000) {}

  /** The kept decode of `key`, or a new one (kept). A failed decode is not kept. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) return hit.value;
    const value = load();
    const timer = setTimeout(() => this.drop(key, value), this.keepMs);
    timer.unref?.();
    this.entries.set(key, { value, timer });
    value.catch(() => this.drop(key, value));
    return value;
  }

  /** The kept decode of `key`, handed out once; null when there is none. */
  take(key: string): Promise<T> | null {
    const hit = this.entries.get(key);
    if (!hit) return null;
    this.drop(key, hit.value);
    return hit.value;
  }

  /** Forget every key for which `match` is true. */
  forget(match: (key: string) => boolean): void {
    for (const [key, e] of [...this.entries]) if (match(key)) this.drop(key, e.value);
  }

  private drop(key: string, value: Promise<T>): void {
    const e = this.entries.get(key);
    if (!e || e.value !== value) return;
    clearTimeout(e.timer);
    this.entries.delete(key);
  }
}
