// Elastic deformation: a smooth random displacement field applied to image and mask alike. The
// field is drawn on a coarse grid (one control point every `spacing` pixels, each displaced by a
// normal draw with standard deviation `sigma` pixels) and interpolated bilinearly in between, a
// cheap stand-in for Simard et al.'s Gaussian-smoothed field. The image is resampled bilinearly;
// the mask by NEAREST neighbour, so it only ever holds values it held before (no invented class
// between class 1 and class 3). Outside the patch both are mirrored, like patch padding.
import { reflectIndex } from './patch.ts';
import type { Sample } from './patch.ts';
import type { Rng } from './rng.ts';

export interface ElasticOptions {
  /** Standard deviation of the control-point displacements, in pixels. */
  sigma: number;
  /** Distance between control points, in pixels. */
  spacing: number;
}

/** Displacement field [size*size] for rows (dy) and columns (dx). */
export function displacementField(size: number, opts: ElasticOptions, rng: Rng): { dx: Float32Array; dy: Float32Array } {
  const g = Math.ceil((size - 1) / opts.spacing) + 1;
  const cx = new Float32Array(g * g);
  const cy = new Float32Array(g * g);
  for (let i = 0; i < g * g; i++) {
    cy[i] = rng.normal() * opts.sigma;
    cx[i] = rng.normal() * opts.sigma;
  }
  const dx = new Float32Array(size * size);
  const dy = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const gy = Math.min(y / opts.spacing, g - 1);
    const y0 = Math.min(Math.floor(gy), Math.max(0, g - 2));
    const ty = gy - y0;
    for (let x = 0; x < size; x++) {
      const gx = Math.min(x / opts.spacing, g - 1);
      const x0 = Math.min(Math.floor(gx), Math.max(0, g - 2));
      const tx = gx - x0;
      const x1 = Math.min(x0 + 1, g - 1);
      const y1 = Math.min(y0 + 1, g - 1);
      const lerp2 = (f: Float32Array) =>
        (1 - ty) * ((1 - tx) * f[y0 * g + x0] + tx * f[y0 * g + x1]) + ty * ((1 - tx) * f[y1 * g + x0] + tx * f[y1 * g + x1]);
      dx[y * size + x] = lerp2(cx);
      dy[y * size + x] = lerp2(cy);
    }
  }
  return { dx, dy };
}

/** Resamples a sample through a displacement field: output (y, x) reads input (y + dy, x + dx). */
export function warp(s: Sample, dx: Float32Array, dy: Float32Array): Sample {
  const { size: n, channels: c } = s;
  const image = new Float32Array(s.image.length);
  const labels = new Uint8Array(s.labels.length);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const o = y * n + x;
      const sy = y + dy[o];
      const sx = x + dx[o];
      labels[o] = s.labels[reflectIndex(Math.round(sy), n) * n + reflectIndex(Math.round(sx), n)];
      const fy = Math.floor(sy);
      const fx = Math.floor(sx);
      const ty = sy - fy;
      const tx = sx - fx;
      const r0 = reflectIndex(fy, n) * n;
      const r1 = reflectIndex(fy + 1, n) * n;
      const c0 = reflectIndex(fx, n);
      const c1 = reflectIndex(fx + 1, n);
      for (let k = 0; k < c; k++) {
        const v00 = s.image[(r0 + c0) * c + k];
        const v01 = s.image[(r0 + c1) * c + k];
        const v10 = s.image[(r1 + c0) * c + k];
        const v11 = s.image[(r1 + c1) * c + k];
        image[o * c + k] = (1 - ty) * ((1 - tx) * v00 + tx * v01) + ty * ((1 - tx) * v10 + tx * v11);
      }
    }
  }
  return { size: n, channels: c, image, labels };
}
