// Contrast for 8- and 16-bit images: a lookup table from every possible pixel value to a packed
// RGBA colour, so re-contrasting a 4096 x 4096 16-bit image is one table build (65 536 entries) and
// one pass of `out[i] = table[data[i]]`, never a new request to the engine.
// Packed colours are for a Uint32Array view of ImageData, whose bytes are R, G, B, A: on the
// little-endian machines the frame format requires (src/api/frame.ts) that is A<<24 | B<<16 | G<<8 | R.

export const LUT_NAMES = ['grey', 'inverted', 'green', 'magenta', 'fire'] as const;
export type LutName = (typeof LUT_NAMES)[number];

export interface Contrast {
  /** Pixel value shown black (first palette entry). */
  lo: number;
  /** Pixel value shown white (last palette entry). */
  hi: number;
  /** Exponent on the normalised value: < 1 brightens dim structures, > 1 darkens them. */
  gamma: number;
  lut: LutName;
}

export const pack = (r: number, g: number, b: number, a = 255): number => ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;

export function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** 256 packed colours from black (index 0) to the brightest (255). */
export function palette(name: LutName): Uint32Array {
  const out = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    switch (name) {
      case 'grey':
        out[i] = pack(i, i, i);
        break;
      case 'inverted':
        out[i] = pack(255 - i, 255 - i, 255 - i);
        break;
      case 'green':
        out[i] = pack(0, i, 0);
        break;
      case 'magenta':
        out[i] = pack(i, 0, i);
        break;
      case 'fire': {
        // Black -> red -> yellow -> white, the usual "hot" ramp.
        const r = Math.min(1, t * 3);
        const g = Math.min(1, Math.max(0, t * 3 - 1));
        const b = Math.min(1, Math.max(0, t * 3 - 2));
        out[i] = pack(Math.round(r * 255), Math.round(g * 255), Math.round(b * 255));
        break;
      }
    }
  }
  return out;
}

/** Number of distinct values of a bit depth: the table size. */
export const valuesOf = (bitDepth: 8 | 16): number => (bitDepth === 16 ? 65536 : 256);

/** Display level 0..255 of every value 0..size-1 under lo/hi/gamma. */
export function levels(c: Contrast, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const lo = c.lo;
  const span = Math.max(c.hi - c.lo, 1e-9);
  const gamma = c.gamma > 0 ? c.gamma : 1;
  for (let v = 0; v < size; v++) {
    const t = (v - lo) / span;
    out[v] = t <= 0 ? 0 : t >= 1 ? 255 : Math.round(255 * (gamma === 1 ? t : Math.pow(t, gamma)));
  }
  return out;
}

/** Packed colour of every value: the table applied to single-channel images. */
export function colourTable(c: Contrast, bitDepth: 8 | 16): Uint32Array {
  const lv = levels(c, valuesOf(bitDepth));
  const pal = palette(c.lut);
  const out = new Uint32Array(lv.length);
  for (let v = 0; v < lv.length; v++) out[v] = pal[lv[v]];
  return out;
}

export interface PixelSource {
  width: number;
  height: number;
  channels: 1 | 3;
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

/**
 * The image through the contrast, into `out` (width x height packed pixels). Single channel:
 * palette colours. Three channels: each channel through the same levels (the palette is ignored).
 */
export function renderImage(src: PixelSource, c: Contrast, out: Uint32Array): void {
  const n = src.width * src.height;
  const d = src.data;
  if (src.channels === 1) {
    const table = colourTable(c, src.bitDepth);
    for (let i = 0; i < n; i++) out[i] = table[d[i]];
    return;
  }
  const lv = levels(c, valuesOf(src.bitDepth));
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = pack(lv[d[j]], lv[d[j + 1]], lv[d[j + 2]]);
}

/** Count of every value over all channels (length 256 or 65 536). */
export function histogram(src: PixelSource): Uint32Array {
  const h = new Uint32Array(valuesOf(src.bitDepth));
  const d = src.data;
  for (let i = 0; i < d.length; i++) h[d[i]]++;
  return h;
}

/**
 * The values below which `low` and above which `high` of the pixels lie (fractions, e.g. 0.0035
 * like ImageJ's "Auto"). A flat image gives lo = hi - 1 so the range is never empty.
 */
export function percentileRange(hist: Uint32Array, low: number, high: number): { lo: number; hi: number } {
  let total = 0;
  for (let v = 0; v < hist.length; v++) total += hist[v];
  if (total === 0) return { lo: 0, hi: hist.length - 1 };
  const loCount = total * low;
  const hiCount = total * (1 - high);
  let acc = 0;
  let lo = 0;
  for (let v = 0; v < hist.length; v++) {
    acc += hist[v];
    if (acc > loCount) {
      lo = v;
      break;
    }
  }
  acc = 0;
  let hi = hist.length - 1;
  for (let v = 0; v < hist.length; v++) {
    acc += hist[v];
    if (acc >= hiCount) {
      hi = v;
      break;
    }
  }
  if (hi <= lo) hi = Math.min(hist.length - 1, lo + 1);
  if (hi <= lo) lo = hi - 1;
  return { lo, hi };
}

/** The histogram folded into `bins` equal bins over [from, to] (for the small plot by the sliders). */
export function foldHistogram(hist: Uint32Array, from: number, to: number, bins: number): Uint32Array {
  const out = new Uint32Array(bins);
  const span = Math.max(1, to - from + 1);
  for (let v = Math.max(0, Math.floor(from)); v <= Math.min(hist.length - 1, to); v++) {
    out[Math.min(bins - 1, Math.floor(((v - from) / span) * bins))] += hist[v];
  }
  return out;
}
