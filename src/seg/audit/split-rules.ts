// The split's judgements: class imbalance between train and held-out splits, and shares the split
// could not give. src/seg/split computes the numbers and reports with these rules.

/**
 * Imbalance policy: a class whose share of the whole dataset is at least IMBALANCE_MIN_SHARE (0.5 %)
 * is flagged when its share in val (or test) is more than IMBALANCE_RATIO (2x) or less than
 * 1/IMBALANCE_RATIO of its share in train. Rarer classes are too noisy at pixel level for the ratio
 * to mean anything; their presence per split is checked instead (class-missing-in-split).
 */
export const IMBALANCE_RATIO = 2;
export const IMBALANCE_MIN_SHARE = 0.005;

/**
 * A split share may miss the requested one by one image (whole images are split) or by this much,
 * whichever is larger. More than that means the groups (--group, duplicates kept together) made the
 * request impossible, and the user must hear what they got: 2 groups and --val 0.2 give 0.5.
 */
export const SPLIT_SHARE_TOLERANCE = 0.05;

/** Does a split's share `got` (of `images` images) miss the requested `want`? */
export function shareUnmet(want: number, got: number, images: number): boolean {
  return Math.abs(got - want) > Math.max(SPLIT_SHARE_TOLERANCE, images > 0 ? 1 / images : 1) + 1e-9;
}
