import { describe, expect, it } from 'vitest';
import { IGNORE } from '../../src/seg/types.ts';
import { AugmentConfigSchema, DEFAULT_AUGMENT, augment, dihedralPermutation } from '../../src/train/data/augment.ts';
import type { AugmentConfig } from '../../src/train/data/augment.ts';
import { displacementField, warp } from '../../src/train/data/elastic.ts';
import { reflectIndex } from '../../src/train/data/patch.ts';
import type { Sample } from '../../src/train/data/patch.ts';
import { Rng } from '../../src/train/data/rng.ts';

const geometricOnly: AugmentConfig = { flip: true, rotate90: true, intensity: false, elastic: false };

/** An asymmetric label pattern (no symmetry of the square maps it onto itself), IGNORE included. */
function pattern(size: number, channels = 1): Sample {
  const labels = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      labels[y * size + x] = x === 0 && y < 3 ? IGNORE : y < size / 4 ? 3 : x < size / 3 ? 1 : (x + 2 * y) % 5 === 0 ? 2 : 0;
    }
  }
  // The image IS the mask (times the channel number), so any mismatch between the two shows.
  const image = new Float32Array(size * size * channels);
  labels.forEach((v, p) => {
    for (let c = 0; c < channels; c++) image[p * channels + c] = v * (c + 1);
  });
  return { size, channels, image, labels };
}

const valueSet = (a: Uint8Array) => new Set(a);
const key = (s: Sample) => Array.from(s.labels).join(',');

describe('dihedral transforms', () => {
  it('rotates counter-clockwise and flips as documented', () => {
    // [[1,2],[3,4]] rotated CCW is [[2,4],[1,3]]; perm[o] is the input index read by output o.
    expect(Array.from(dihedralPermutation(2, 1, false, false))).toEqual([1, 3, 0, 2]);
    expect(Array.from(dihedralPermutation(2, 0, true, false))).toEqual([1, 0, 3, 2]);
    expect(Array.from(dihedralPermutation(2, 0, false, true))).toEqual([2, 3, 0, 1]);
    expect(Array.from(dihedralPermutation(3, 2, false, false))).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('applies the same transform to image and mask: an image equal to its mask stays equal', () => {
    const src = pattern(12, 3);
    const rng = Rng.fromSeed('same');
    const seen = new Set<string>();
    for (let i = 0; i < 64; i++) {
      const out = augment(src, rng, geometricOnly);
      seen.add(key(out));
      out.labels.forEach((v, p) => {
        for (let c = 0; c < 3; c++) expect(out.image[p * 3 + c]).toBe(v * (c + 1));
      });
      // A permutation: the histogram of values is unchanged.
      for (const v of [0, 1, 2, 3, IGNORE]) expect(out.labels.filter((x) => x === v).length).toBe(src.labels.filter((x) => x === v).length);
    }
    // All 8 symmetries of the square occur.
    expect(seen.size).toBe(8);
  });

  it('flip only gives the 4 flip combinations, rotation only the 4 rotations, both off the identity', () => {
    const src = pattern(8);
    const count = (cfg: AugmentConfig) => {
      const rng = Rng.fromSeed(4);
      return new Set(Array.from({ length: 60 }, () => key(augment(src, rng, cfg)))).size;
    };
    expect(count({ ...geometricOnly, rotate90: false })).toBe(4);
    expect(count({ ...geometricOnly, flip: false })).toBe(4);
    expect(count({ ...geometricOnly, flip: false, rotate90: false })).toBe(1);
  });

  it('does not modify its input', () => {
    const src = pattern(8);
    const copy = { image: src.image.slice(), labels: src.labels.slice() };
    augment(src, Rng.fromSeed(1), { ...DEFAULT_AUGMENT, elastic: { sigma: 3, spacing: 4, probability: 1 } });
    expect(src.image).toEqual(copy.image);
    expect(src.labels).toEqual(copy.labels);
  });
});

describe('intensity', () => {
  it('changes the image only, within the stated bounds, one draw per patch', () => {
    const src: Sample = { size: 4, channels: 1, image: new Float32Array(16).fill(0.5), labels: new Uint8Array(16).fill(1) };
    const rng = Rng.fromSeed(8);
    const cfg: AugmentConfig = { flip: false, rotate90: false, intensity: { scale: 0.1, shift: 0.1, gamma: 0.2 }, elastic: false };
    let changed = 0;
    for (let i = 0; i < 100; i++) {
      const out = augment(src, rng, cfg);
      expect(out.labels).toEqual(src.labels);
      const v = out.image[0];
      expect(out.image.every((x) => x === v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0.5 ** 1.2 * 0.9 - 0.1 - 1e-6);
      expect(v).toBeLessThanOrEqual(0.5 ** (1 / 1.2) * 1.1 + 0.1 + 1e-6);
      if (Math.abs(v - 0.5) > 1e-3) changed++;
    }
    expect(changed).toBeGreaterThan(90);
  });

  it('keeps the sign of negative values under gamma (no NaN)', () => {
    const src: Sample = { size: 2, channels: 1, image: Float32Array.from([-0.5, -2, 0, 3]), labels: new Uint8Array(4) };
    const out = augment(src, Rng.fromSeed(2), { flip: false, rotate90: false, intensity: { scale: 0, shift: 0, gamma: 0.5 }, elastic: false });
    expect(out.image.every(Number.isFinite)).toBe(true);
    expect(out.image[0]).toBeLessThan(0);
    expect(out.image[1]).toBeLessThan(-1);
    expect(out.image[2]).toBe(0);
  });
});

describe('elastic deformation', () => {
  it('is off by default and validated when configured', () => {
    expect(DEFAULT_AUGMENT.elastic).toBe(false);
    expect(AugmentConfigSchema.parse({ elastic: {} }).elastic).toEqual({ sigma: 4, spacing: 32, probability: 0.5 });
    expect(() => AugmentConfigSchema.parse({ elastic: { sigma: -1 } })).toThrow();
  });

  it('with zero displacement it is the identity', () => {
    const src = pattern(16, 2);
    const zero = new Float32Array(256);
    const out = warp(src, zero, zero);
    expect(out.image).toEqual(src.image);
    expect(out.labels).toEqual(src.labels);
  });

  it('mask by nearest neighbour: no new class values, and the mask moves with the image', () => {
    const src = pattern(32);
    const before = valueSet(src.labels);
    const rng = Rng.fromSeed('elastic');
    const cfg: AugmentConfig = { flip: true, rotate90: true, intensity: false, elastic: { sigma: 3, spacing: 8, probability: 1 } };
    for (let i = 0; i < 20; i++) {
      const out = augment(src, rng, cfg);
      for (const v of out.labels) expect(before.has(v)).toBe(true);
      const geometric = augment(src, Rng.fromSeed(`ref${i}`), geometricOnly);
      expect(key(out)).not.toBe(key(geometric));
    }
  });

  it('where the 4 source neighbours share a label, warped image and mask both carry exactly it', () => {
    const src = pattern(32);
    const n = 32;
    const { dx, dy } = displacementField(n, { sigma: 3, spacing: 8 }, Rng.fromSeed(6));
    const out = warp(src, dx, dy);
    const at = (y: number, x: number) => src.labels[reflectIndex(y, n) * n + reflectIndex(x, n)];
    let checked = 0;
    for (let o = 0; o < n * n; o++) {
      const sy = Math.floor(o / n) + dy[o];
      const sx = (o % n) + dx[o];
      const [fy, fx] = [Math.floor(sy), Math.floor(sx)];
      const v = at(fy, fx);
      if (at(fy + 1, fx) !== v || at(fy, fx + 1) !== v || at(fy + 1, fx + 1) !== v) continue;
      checked++;
      expect(out.labels[o]).toBe(v);
      expect(out.image[o]).toBeCloseTo(v, 4);
    }
    expect(checked).toBeGreaterThan(n * n * 0.4);
  });

  it('the displacement field is smooth and has the stated scale', () => {
    const { dx, dy } = displacementField(64, { sigma: 4, spacing: 16 }, Rng.fromSeed(3));
    let sq = 0;
    let maxStep = 0;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const o = y * 64 + x;
        sq += dx[o] ** 2 + dy[o] ** 2;
        if (x > 0) maxStep = Math.max(maxStep, Math.abs(dx[o] - dx[o - 1]), Math.abs(dy[o] - dy[o - 1]));
      }
    }
    const rms = Math.sqrt(sq / (2 * 64 * 64));
    expect(rms).toBeGreaterThan(1);
    expect(rms).toBeLessThan(8);
    // Neighbouring pixels move almost together (control points 16 px apart).
    expect(maxStep).toBeLessThan(2);
  });
});

describe('augment input checks', () => {
  it('refuses a sample whose arrays do not fit its size', () => {
    const bad: Sample = { size: 4, channels: 1, image: new Float32Array(12), labels: new Uint8Array(16) };
    expect(() => augment(bad, Rng.fromSeed(1))).toThrow(/square/);
  });
});
