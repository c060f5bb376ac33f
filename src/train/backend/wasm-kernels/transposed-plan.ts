// The phase (sub-pixel) decomposition of a transposed convolution along one axis.
//
// A forward convolution with stride s reads x[i*s + k - pad] for output i and tap k. Its transpose
// (the gradient w.r.t. x, and conv2dTranspose) writes dy[i] * w[k] to dx[i*s + k - pad]. Output
// rows h = q*s + r of one phase r receive only taps k with (r + pad - k) divisible by s, from
// dy[q + d] with d = (r + pad - k) / s. So every phase is an ordinary stride-1 correlation of dy
// with a few taps of w, and all phases share one grid q: one stride-1 convolution with s*s times
// the output channels computes them all, and a depth-to-space interleaves them. No zeros are
// inserted into dy, so no multiply is wasted on them (zero insertion would waste (s^2-1)/s^2).

export interface AxisPlan {
  stride: number;
  /** Taps of the combined stride-1 filter along this axis. */
  taps: number;
  /** Zero padding before dy so that the first tap lands on d = -padBefore. */
  padBefore: number;
  /** source[r * taps + t]: tap of the original filter feeding phase r at combined tap t, or -1. */
  source: Int32Array;
}

/**
 * Plans one axis: output[q] of phase r = sum_t dyPadded[q + t] * w[source[r][t]], where dyPadded
 * has padBefore zeros in front.
 */
export function planAxis(filterSize: number, stride: number, pad: number): AxisPlan {
  const entries: Array<{ r: number; k: number; d: number }> = [];
  for (let r = 0; r < stride; r++) {
    for (let k = 0; k < filterSize; k++) {
      const n = r + pad - k;
      if (((n % stride) + stride) % stride === 0) entries.push({ r, k, d: n / stride });
    }
  }
  const ds = entries.map((e) => e.d);
  const minD = Math.min(...ds);
  const maxD = Math.max(...ds);
  const padBefore = Math.max(0, -minD);
  const taps = maxD + padBefore + 1;
  const source = new Int32Array(stride * taps).fill(-1);
  for (const e of entries) source[e.r * taps + e.d + padBefore] = e.k;
  return { stride, taps, padBefore, source };
}

/**
 * Padding after dy so that the combined convolution yields at least ceil(outSize / stride) rows,
 * and how many rows it then yields.
 */
export function axisOutput(plan: AxisPlan, dySize: number, outSize: number): { padAfter: number; rows: number } {
  const need = Math.ceil(outSize / plan.stride);
  const padAfter = Math.max(0, need - dySize - plan.padBefore + plan.taps - 1);
  return { padAfter, rows: dySize + plan.padBefore + padAfter - plan.taps + 1 };
}
