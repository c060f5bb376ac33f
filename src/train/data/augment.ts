// Augmentation of a patch, geometric transforms applied identically to image and mask.
// Order and meaning:
// 1. dihedral: with `flip` and `rotate90` both on, one of the 8 symmetries of the square, drawn
//    uniformly (a 90-degree rotation k = 0..3 times, then an optional horizontal flip); with only
//    `flip`, independent horizontal and vertical flips; with only `rotate90`, a rotation. Pure
//    permutations of pixels: no interpolation, mask values untouched.
// 2. elastic (off by default): see elastic.ts (image bilinear, mask nearest-neighbour).
// 3. intensity, image only: x -> sign(x)|x|^gamma * scale + shift, one draw per patch for all
//    channels; gamma in [1/(1+g), 1+g] log-uniform, scale in [1-s, 1+s], shift in [-t, t]. Mild by
//    default (g 0.2, s 0.1, t 0.1 on percentile-normalised data whose bulk lies in 0..1).
// Random numbers are drawn in this fixed order from the Rng passed in, so a restored RNG state
// reproduces the same augmentations.
import { z } from 'zod';
import { ShapeError } from '../../seg/errors.ts';
import { displacementField, warp } from './elastic.ts';
import type { Sample } from './patch.ts';
import type { Rng } from './rng.ts';

const rate = z.number().min(0).max(1);

export const IntensityConfigSchema = z.object({
  scale: z.number().min(0).max(1).default(0.1),
  shift: z.number().min(0).max(1).default(0.1),
  gamma: z.number().min(0).max(2).default(0.2),
});

export const ElasticConfigSchema = z.object({
  sigma: z.number().min(0).max(64).default(4),
  spacing: z.number().int().min(2).max(1024).default(32),
  /** Share of patches deformed. */
  probability: rate.default(0.5),
});

export const AugmentConfigSchema = z.object({
  flip: z.boolean().default(true),
  rotate90: z.boolean().default(true),
  intensity: z.union([z.literal(false), IntensityConfigSchema]).default({ scale: 0.1, shift: 0.1, gamma: 0.2 }),
  elastic: z.union([z.literal(false), ElasticConfigSchema]).default(false),
});

export type AugmentConfig = z.infer<typeof AugmentConfigSchema>;
export const DEFAULT_AUGMENT: AugmentConfig = AugmentConfigSchema.parse({});

/**
 * Permutation `perm` of a size x size grid such that output pixel o takes input pixel perm[o]:
 * a counter-clockwise rotation by 90 degrees `rot` times, then flips.
 */
export function dihedralPermutation(size: number, rot: number, flipH: boolean, flipV: boolean): Uint32Array {
  const n = size;
  const perm = new Uint32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      // Undo the ops last-first: flips, then rotations, mapping output (i, j) to input (si, sj).
      let si = flipV ? n - 1 - i : i;
      let sj = flipH ? n - 1 - j : j;
      for (let r = 0; r < rot; r++) {
        // CCW rotation: out[i][j] = in[j][n-1-i].
        const t = si;
        si = sj;
        sj = n - 1 - t;
      }
      perm[i * n + j] = si * n + sj;
    }
  }
  return perm;
}

function permute(s: Sample, perm: Uint32Array): Sample {
  const c = s.channels;
  const image = new Float32Array(s.image.length);
  const labels = new Uint8Array(s.labels.length);
  for (let o = 0; o < perm.length; o++) {
    const p = perm[o];
    labels[o] = s.labels[p];
    for (let k = 0; k < c; k++) image[o * c + k] = s.image[p * c + k];
  }
  return { size: s.size, channels: c, image, labels };
}

/** Returns a new augmented sample; the input is not modified. */
export function augment(sample: Sample, rng: Rng, config: AugmentConfig = DEFAULT_AUGMENT): Sample {
  if (sample.labels.length !== sample.size * sample.size || sample.image.length !== sample.size * sample.size * sample.channels) {
    throw new ShapeError(`augment: a sample must be square, ${sample.size}x${sample.size}`, { size: sample.size });
  }
  let s: Sample = { size: sample.size, channels: sample.channels, image: sample.image, labels: sample.labels };
  let rot = 0;
  let flipH = false;
  let flipV = false;
  if (config.rotate90) {
    rot = rng.int(4);
    if (config.flip) flipH = rng.bool();
  } else if (config.flip) {
    flipH = rng.bool();
    flipV = rng.bool();
  }
  if (rot || flipH || flipV) s = permute(s, dihedralPermutation(s.size, rot, flipH, flipV));
  if (config.elastic && rng.bool(config.elastic.probability)) {
    const { dx, dy } = displacementField(s.size, config.elastic, rng);
    s = warp(s, dx, dy);
  }
  if (config.intensity) {
    const { scale, shift, gamma } = config.intensity;
    const g = Math.exp(rng.uniform(-Math.log1p(gamma), Math.log1p(gamma)));
    const a = rng.uniform(1 - scale, 1 + scale);
    const b = rng.uniform(-shift, shift);
    const image = new Float32Array(s.image.length);
    for (let i = 0; i < image.length; i++) {
      const x = s.image[i];
      image[i] = (x >= 0 ? Math.pow(x, g) : -Math.pow(-x, g)) * a + b;
    }
    s = { ...s, image };
  }
  if (s.image === sample.image) s = { ...s, image: sample.image.slice(), labels: sample.labels.slice() };
  return s;
}
