// When two images are the same picture (split-leakage): the thresholds behind src/seg/split's
// duplicate search. Three tests, from cheapest to most tolerant:
// - exact: identical decoded pixels (content hash);
// - near: the 16 x 16 thumbnails correlate strongly AND the 256-bit average hashes agree on most
//   bits (noise, re-encoding, intensity changes);
// - aligned: after the best of the 8 flips / 90-degree rotations and a shift of up to
//   ALIGNED_MAX_SHIFT of the image side, smooth 64 x 64 descriptors (the image blurred at 1/32 of
//   its side) correlate strongly. Training augmentation flips, rotates and crops patches, so such a
//   copy on the other side of a split is the same sample.
// Calibration on the real sets in ../shared/data: distinct serial EM sections reach thumbnail
// correlation 0.84 (ISBI 2012, Drosophila VNC) with >= 48 differing hash bits, and aligned
// correlation 0.84 / 0.87; distinct DAPI fields reach 0.92 aligned (the same tissue at 40x and
// 63x). The same image with noise, a linear intensity change or JPEG re-encoding correlates
// >= 0.999 with <= 8 differing bits; flipped or rotated and shifted by up to 1/16 of the side it
// reaches >= 0.97 aligned.

/** Smallest thumbnail correlation of a near-duplicate. */
export const DUPLICATE_MIN_CORRELATION = 0.95;
/** Largest Hamming distance of the 256-bit average hashes of a near-duplicate. */
export const DUPLICATE_MAX_HASH_DISTANCE = 64;
/** Smallest correlation of the aligned descriptors (0.92 distinct at most, 0.97 duplicates at least). */
export const ALIGNED_MIN_CORRELATION = 0.95;
/** Largest shift searched, as a share of the image side: crops a few percent apart. */
export const ALIGNED_MAX_SHIFT = 1 / 16;
/**
 * The coarse 16 x 16 stage must reach this correlation before the fine search runs (a prefilter
 * for speed only: shifted duplicates stay above 0.7 there, and every final decision is the fine one).
 */
export const ALIGNED_COARSE_MIN_CORRELATION = 0.5;

/** The near-duplicate rule on the thumbnails. */
export function isNearDuplicate(correlation: number, hashDistance: number): boolean {
  return hashDistance <= DUPLICATE_MAX_HASH_DISTANCE && correlation >= DUPLICATE_MIN_CORRELATION;
}
