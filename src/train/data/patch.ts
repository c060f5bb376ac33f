// Cutting a patch out of a full-size image, never resizing it. Outside the image the image is
// mirrored (reflect without repeating the edge pixel, numpy's 'reflect') so convolutions see
// plausible texture, and the mask is IGNORE so the mirrored pixels never count in the loss.
import { IGNORE } from '../../seg/types.ts';
import type { LabelMap } from '../../seg/types.ts';

/** A normalised training image and its label map. */
export interface TrainImage {
  /** Normalised intensities, channels interleaved, row-major: width * height * channels values. */
  image: Float32Array;
  channels: number;
  labels: LabelMap;
  /** For messages and debugging (e.g. the file name). */
  id?: string;
}

/** A square patch: what the augmenter transforms and makeBatch stacks. */
export interface Sample {
  size: number;
  channels: number;
  /** size * size * channels floats, interleaved. */
  image: Float32Array;
  /** size * size class ids or IGNORE. */
  labels: Uint8Array;
}

/** Index into [0, n) for any integer i, mirroring at both ends (period 2(n-1)). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const r = ((i % period) + period) % period;
  return r < n ? r : period - r;
}

/** The patch whose top-left pixel is (x0, y0); either may be negative or run past the image. */
export function extractPatch(src: TrainImage, x0: number, y0: number, size: number): Sample {
  const { width: w, height: h } = src.labels;
  const c = src.channels;
  const image = new Float32Array(size * size * c);
  const labels = new Uint8Array(size * size);
  const inside = x0 >= 0 && y0 >= 0 && x0 + size <= w && y0 + size <= h;
  for (let y = 0; y < size; y++) {
    const sy = y0 + y;
    if (inside) {
      image.set(src.image.subarray(((sy * w) + x0) * c, ((sy * w) + x0 + size) * c), y * size * c);
      labels.set(src.labels.data.subarray(sy * w + x0, sy * w + x0 + size), y * size);
      continue;
    }
    const ry = reflectIndex(sy, h);
    const rowInside = sy >= 0 && sy < h;
    for (let x = 0; x < size; x++) {
      const sx = x0 + x;
      const rx = reflectIndex(sx, w);
      const from = (ry * w + rx) * c;
      const to = (y * size + x) * c;
      for (let k = 0; k < c; k++) image[to + k] = src.image[from + k];
      labels[y * size + x] = rowInside && sx >= 0 && sx < w ? src.labels.data[sy * w + sx] : IGNORE;
    }
  }
  return { size, channels: c, image, labels };
}
