// Image fingerprints for duplicate detection. Pure: takes decoded pixels, returns numbers. The
// thumbnail is an area mean (box filter) over THUMB_SIZE x THUMB_SIZE cells, so pixel noise and JPEG
// artefacts average out: on a 512x512 image each cell is the mean of 1024 pixels.
import { createHash } from 'node:crypto';
import type { RawImage } from '../types.ts';
import { alignDescriptor } from './align.ts';
import type { Fingerprint } from './types.ts';

export const THUMB_SIZE = 16;
const CELLS = THUMB_SIZE * THUMB_SIZE;

export function fingerprint(image: RawImage): Fingerprint {
  const { width, height, channels, bitDepth, data } = image;
  const hash = createHash('sha1');
  hash.update(`${width}x${height}x${channels}x${bitDepth}:`);
  hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  const thumb = thumbnail(image);
  return { width, height, contentHash: hash.digest('hex'), ahash: averageHash(thumb), thumb, align: alignDescriptor(image) };
}

/** Mean grey per cell (channels averaged), scaled to 0..1 by the largest value of the bit depth. */
export function thumbnail(image: RawImage): number[] {
  const { width, height, channels, bitDepth, data } = image;
  const max = bitDepth === 16 ? 65535 : 255;
  const out = new Array<number>(CELLS);
  for (let ty = 0; ty < THUMB_SIZE; ty++) {
    const [y0, y1] = span(ty, height);
    for (let tx = 0; tx < THUMB_SIZE; tx++) {
      const [x0, x1] = span(tx, width);
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        const row = y * width * channels;
        for (let i = row + x0 * channels; i < row + x1 * channels; i++) sum += data[i];
      }
      out[ty * THUMB_SIZE + tx] = sum / ((y1 - y0) * (x1 - x0) * channels * max);
    }
  }
  return out;
}

/** Pixel range [start, end) of thumbnail cell `t` along an axis of `n` pixels; never empty. */
function span(t: number, n: number): [number, number] {
  const start = Math.min(n - 1, Math.floor((t * n) / THUMB_SIZE));
  return [start, Math.max(start + 1, Math.floor(((t + 1) * n) / THUMB_SIZE))];
}

/** One bit per cell, set when the cell is brighter than the median cell; as hex. */
export function averageHash(thumb: number[]): string {
  const sorted = [...thumb].sort((a, b) => a - b);
  const median = (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2;
  let hex = '';
  for (let i = 0; i < thumb.length; i += 4) {
    let nibble = 0;
    for (let k = 0; k < 4; k++) nibble = (nibble << 1) | (thumb[i + k] > median ? 1 : 0);
    hex += nibble.toString(16);
  }
  return hex;
}

const POPCOUNT = Array.from({ length: 16 }, (_, v) => (v & 1) + ((v >> 1) & 1) + ((v >> 2) & 1) + ((v >> 3) & 1));

/** Number of differing bits between two hex hashes of equal length. */
export function hamming(a: string, b: string): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POPCOUNT[parseInt(a[i], 16) ^ parseInt(b[i], 16)];
  return d;
}

/**
 * Pearson correlation of two thumbnails: 1 for the same picture under any brightness/contrast change.
 * Flat thumbnails have no defined correlation; two flat ones of similar grey count as 1, else 0.
 */
export function correlation(a: number[], b: number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  // Relative test: dark 16-bit images (values ~10 of 65535) have tiny but real variation.
  const flatA = saa <= 1e-12 * n * ma * ma;
  const flatB = sbb <= 1e-12 * n * mb * mb;
  if (flatA || flatB) return flatA && flatB && Math.abs(ma - mb) < 0.02 ? 1 : 0;
  return sab / Math.sqrt(saa * sbb);
}
