// The 16-bit probability maps kept for overlapping runs (predict-files.ts storedProbability): the
// stored value stays in the probability's 1/1000 threshold bin, so cutting the map at a threshold
// gives exactly the mask cut from the probability itself, and it is never more than 1.5 steps off.
import { describe, expect, it } from 'vitest';
import { atThreshold, binOf } from '../../src/seg/metrics/index.ts';
import { PROB_SCALE, storedProbability } from '../../src/train/predict/predict-files.ts';

describe('storedProbability', () => {
  it('keeps every probability in its threshold bin, within 1.5/65535, at and around every bin edge', () => {
    const probs: number[] = [0, 1, -0.2, 1.3];
    for (let b = 0; b <= 1000; b++) for (const d of [-1e-6, -4e-6, -7e-6, 0, 1e-9, 4e-6, 7e-6]) probs.push(b / 1000 + d);
    // Float32 values, as the model gives them.
    const f32 = Array.from(new Float32Array(probs));
    let moved = 0;
    for (const p of f32) {
      const v = storedProbability(p);
      expect(Number.isInteger(v) && v >= 0 && v <= PROB_SCALE).toBe(true);
      const c = Math.min(1, Math.max(0, p));
      expect(binOf(v / PROB_SCALE)).toBe(binOf(c));
      expect(Math.abs(v / PROB_SCALE - c)).toBeLessThanOrEqual(1.5 / PROB_SCALE);
      if (v !== Math.round(c * PROB_SCALE)) moved++;
      for (const t of [0.2, 0.3, 0.4, 0.5, 0.642, 0.9]) expect(atThreshold(v / PROB_SCALE, t)).toBe(atThreshold(p, t));
    }
    // Plain rounding would have crossed a bin edge for some of these.
    expect(moved).toBeGreaterThan(0);
  });
});
