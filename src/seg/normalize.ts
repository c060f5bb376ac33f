// Intensity normalisation: stored values (8- or 16-bit) -> float 0..1, clipped. The range used is
// returned so a run can record it and a prediction repeat it exactly. One range serves all
// channels of an image (colour balance is kept). Percentiles come from a histogram, not a sort: a
// 16-bit image needs 65536 bins and one pass, and the mapping itself is a lookup table.
import { ConfigError } from './errors.ts';
import type { Normalization, RawImage } from './types.ts';

/** The input range mapped to 0..1: values <= lo become 0, values >= hi become 1. */
export interface IntensityRange {
  lo: number;
  hi: number;
}

export interface NormalizedImage extends IntensityRange {
  width: number;
  height: number;
  channels: 1 | 3;
  /** Interleaved like the RawImage, each value in 0..1. */
  data: Float32Array;
}

function checkNormalization(n: Normalization): void {
  if (n.kind === 'percentile') {
    const ok = Number.isFinite(n.low) && Number.isFinite(n.high) && n.low >= 0 && n.high <= 100 && n.low < n.high;
    if (!ok) throw new ConfigError(`Percentile normalisation needs 0 <= low < high <= 100; got low ${n.low}, high ${n.high}.`, { normalization: n });
  }
  if (n.kind === 'fixed') {
    const r = n.range;
    if (!r || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || r[0] > r[1]) {
      throw new ConfigError('Fixed normalisation needs "range": [lo, hi] with lo <= hi (the stored values mapped to 0 and 1).', { normalization: n });
    }
  }
}

/**
 * Count of each stored value over all channels. Pass `into` to add several images into one
 * histogram (dataset scope); it needs 65536 bins if any image is 16-bit.
 */
export function intensityHistogram(img: RawImage, into?: Uint32Array): Uint32Array {
  const bins = img.bitDepth === 16 ? 65536 : 256;
  const h = into ?? new Uint32Array(bins);
  if (h.length < bins) throw new ConfigError(`A ${img.bitDepth}-bit image needs a histogram of ${bins} bins; got ${h.length}.`);
  const d = img.data;
  for (let i = 0; i < d.length; i++) h[d[i]]++;
  return h;
}

/**
 * The p-th percentile (0..100) of the values counted in `hist`, interpolated linearly between
 * order statistics as numpy.percentile does by default. NaN for an empty histogram.
 */
export function percentileFromHistogram(hist: Uint32Array, p: number): number {
  let total = 0;
  for (let v = 0; v < hist.length; v++) total += hist[v];
  if (total === 0) return NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (total - 1);
  const k = Math.floor(rank);
  const frac = rank - k;
  // The value at 0-based order statistic k and k + 1.
  let below = 0;
  let vk = -1;
  for (let v = 0; v < hist.length; v++) {
    below += hist[v];
    if (vk < 0 && below > k) vk = v;
    if (below > k + 1 || (below === total && vk >= 0)) {
      return frac === 0 ? vk : vk + frac * (v - vk);
    }
  }
  return vk;
}

/** The range `n` prescribes for the values in `hist` (percentile or minmax kinds). */
export function rangeFromHistogram(hist: Uint32Array, n: Normalization): IntensityRange {
  checkNormalization(n);
  if (n.kind === 'fixed') return { lo: n.range![0], hi: n.range![1] };
  if (n.kind === 'minmax') {
    let lo = -1;
    let hi = -1;
    for (let v = 0; v < hist.length; v++) {
      if (hist[v] === 0) continue;
      if (lo < 0) lo = v;
      hi = v;
    }
    return lo < 0 ? { lo: 0, hi: 0 } : { lo, hi };
  }
  const lo = percentileFromHistogram(hist, n.low);
  const hi = percentileFromHistogram(hist, n.high);
  return Number.isNaN(lo) ? { lo: 0, hi: 0 } : { lo, hi };
}

/** The range normalize() will use for this image. */
export function normalizationRange(img: RawImage, n: Normalization, datasetRange?: IntensityRange): IntensityRange {
  checkNormalization(n);
  if (n.kind === 'fixed') return { lo: n.range![0], hi: n.range![1] };
  if (n.scope === 'dataset') {
    if (!datasetRange) {
      throw new ConfigError(
        'Dataset-scope normalisation needs the range of the whole dataset: add every image into one intensityHistogram and pass rangeFromHistogram(...) as datasetRange.',
        { normalization: n },
      );
    }
    return datasetRange;
  }
  return rangeFromHistogram(intensityHistogram(img), n);
}

/**
 * Map stored values to 0..1 with the range of `n` (per image by default; `datasetRange` for
 * dataset scope). A flat image (lo = hi) maps to 0 everywhere, never NaN.
 */
export function normalize(img: RawImage, n: Normalization, datasetRange?: IntensityRange): NormalizedImage {
  const { lo, hi } = normalizationRange(img, n, datasetRange);
  const size = img.bitDepth === 16 ? 65536 : 256;
  const lut = new Float32Array(size);
  const scale = hi > lo ? 1 / (hi - lo) : 0;
  for (let v = 0; v < size; v++) lut[v] = v <= lo ? 0 : v >= hi ? 1 : (v - lo) * scale;
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]];
  return { width: img.width, height: img.height, channels: img.channels, data: out, lo, hi };
}
