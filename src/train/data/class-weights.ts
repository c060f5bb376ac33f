// Class frequencies of the training split turned into (a) loss weights and (b) the class choice of
// foreground-aware sampling. Both only ever see the TRAINING split's counts.

export interface ClassWeightOptions {
  /** Weights are clipped into [min, max] so one tiny class cannot dominate the loss. */
  min?: number;
  max?: number;
}

export const DEFAULT_CLASS_WEIGHT_CLIP = { min: 0.1, max: 10 } as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median-frequency balancing (Eigen & Fergus 2015): w_k = median(f) / f_k, where f_k is class k's
 * share of the labelled pixels of the training split and the median is taken over the classes that
 * occur. A class at the median frequency gets 1, rarer classes more, the background less; then
 * weights are clipped to [0.1, 10] by default. A class with no pixel gets 1: no pixel carries it,
 * so its weight never enters the loss. (Eigen & Fergus divide by the pixels of the images where the
 * class occurs; the whole split is used here, which is simpler and close on patch-sampled data.)
 */
export function classWeightsFromCounts(pixelCounts: readonly number[], opts: ClassWeightOptions = {}): number[] {
  const min = opts.min ?? DEFAULT_CLASS_WEIGHT_CLIP.min;
  const max = opts.max ?? DEFAULT_CLASS_WEIGHT_CLIP.max;
  const total = pixelCounts.reduce((a, b) => a + b, 0);
  const present = pixelCounts.filter((c) => c > 0).map((c) => c / total);
  if (!present.length) return pixelCounts.map(() => 1);
  const med = median(present);
  return pixelCounts.map((c) => (c > 0 ? Math.min(max, Math.max(min, med / (c / total))) : 1));
}

/**
 * Probability of choosing each class when a patch is centred on a foreground pixel: proportional to
 * 1 / frequency among the foreground classes present in the training split (rare classes first),
 * 0 for the background and for absent classes. All zeros when no foreground class is present.
 */
export function foregroundClassProbabilities(pixelCounts: readonly number[], backgroundId: number | null): number[] {
  const inv = pixelCounts.map((c, k) => (k !== backgroundId && c > 0 ? 1 / c : 0));
  const sum = inv.reduce((a, b) => a + b, 0);
  return sum > 0 ? inv.map((x) => x / sum) : inv;
}
