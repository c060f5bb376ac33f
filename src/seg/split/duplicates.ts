// Exact, near and aligned duplicate images. Exact: same contentHash (identical decoded pixels).
// Near: the thumbnails correlate strongly AND the average hashes agree on most bits. Aligned: the
// same picture flipped, rotated by 90 degrees or shifted by a few percent (align.ts). The
// thresholds and their calibration on the real sets are the audit's (src/seg/audit/duplicates.ts).
// Not detected: crops at another scale, and copies shifted by more than 1/16 of the side.
import { ALIGNED_MIN_CORRELATION, DUPLICATE_MAX_HASH_DISTANCE, DUPLICATE_MIN_CORRELATION } from '../audit/duplicates.ts';
import { bestAlignment } from './align.ts';
import { correlation } from './fingerprint.ts';
import type { DuplicatePair, SplitItem } from './types.ts';

export interface DuplicateOptions {
  /** Smallest thumbnail correlation for a near-duplicate (default: the audit's). */
  minCorrelation?: number;
  /** Largest Hamming distance of the 256-bit hashes for a near-duplicate (default: the audit's). */
  maxDistance?: number;
  /** Smallest aligned-descriptor correlation for a flipped/rotated/shifted copy (default: the audit's). */
  minAlignedCorrelation?: number;
}

export const DEFAULT_MIN_CORRELATION = DUPLICATE_MIN_CORRELATION;
export const DEFAULT_MAX_DISTANCE = DUPLICATE_MAX_HASH_DISTANCE;

/** All duplicate pairs among items with a fingerprint, `a` before `b` in name order, sorted. */
export function findDuplicates(items: readonly SplitItem[], opts: DuplicateOptions = {}): DuplicatePair[] {
  const minCorr = opts.minCorrelation ?? DEFAULT_MIN_CORRELATION;
  const maxDist = opts.maxDistance ?? DEFAULT_MAX_DISTANCE;
  const minAligned = opts.minAlignedCorrelation ?? ALIGNED_MIN_CORRELATION;
  const withFp = items.filter((i) => i.fingerprint).sort((x, y) => cmp(x.name, y.name));
  // Hashes as 32-bit words once: the pair loop is O(n^2) and must stay cheap for thousands of images.
  const words = withFp.map((i) => hashWords(i.fingerprint!.ahash));
  const pairs: DuplicatePair[] = [];
  for (let i = 0; i < withFp.length; i++) {
    const fa = withFp[i].fingerprint!;
    for (let j = i + 1; j < withFp.length; j++) {
      const fb = withFp[j].fingerprint!;
      const a = withFp[i].name;
      const b = withFp[j].name;
      if (fa.contentHash === fb.contentHash) {
        pairs.push({ a, b, kind: 'exact', distance: 0, correlation: 1 });
        continue;
      }
      const distance = wordDistance(words[i], words[j]);
      if (distance <= maxDist) {
        const corr = correlation(fa.thumb, fb.thumb);
        if (corr >= minCorr) {
          pairs.push({ a, b, kind: 'near', distance, correlation: round(corr) });
          continue;
        }
      }
      // Flipped, rotated or shifted: only between images whose sides match (as they are, or swapped).
      if (!fa.align || !fb.align) continue;
      const same = fa.width === fb.width && fa.height === fb.height;
      const swapped = fa.width === fb.height && fa.height === fb.width;
      if (!same && !swapped) continue;
      const m = bestAlignment(fa.align, fb.align, fa.width === fa.height && same ? 'all' : same ? 'keep-sides' : 'swap-sides');
      if (m.correlation >= minAligned) {
        pairs.push({ a, b, kind: 'aligned', distance, correlation: round(m.correlation), transform: m.transform, shift: [round(m.shift[0]), round(m.shift[1])] });
      }
    }
  }
  return pairs;
}

function hashWords(hex: string): Uint32Array {
  const w = new Uint32Array(Math.ceil(hex.length / 8));
  for (let k = 0; k < w.length; k++) w[k] = parseInt(hex.slice(8 * k, 8 * k + 8).padEnd(8, '0'), 16);
  return w;
}

function wordDistance(a: Uint32Array, b: Uint32Array): number {
  let d = 0;
  for (let k = 0; k < a.length; k++) {
    let x = a[k] ^ b[k];
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    d += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return d;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Code-point order, independent of the locale, so splits repeat on every machine. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
