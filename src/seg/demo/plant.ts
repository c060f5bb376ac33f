// Annotation errors planted in the demo's masks, so that a review has real findings to show. Each
// is a pure function on a label map and is the kind of mistake real annotators make: a nucleus
// forgotten, a mask exported with an offset, a nucleus painted with the wrong class. (The fourth
// kind, a mask paired with the wrong image, needs no pixel change: the generator writes another
// image's mask.)
import { BACKGROUND, type InstanceStats } from './raster.ts';
import { intBetween, type Rng } from './random.ts';

/** Copy of `labels` with every pixel of instance `id` set to `value`. */
export function relabelInstance(labels: Uint8Array, instances: Uint16Array, id: number, value: number): Uint8Array {
  const out = labels.slice();
  for (let i = 0; i < out.length; i++) if (instances[i] === id) out[i] = value;
  return out;
}

/** Copy of `labels` moved by (dx, dy) pixels; the strip uncovered at the edge becomes background. */
export function shiftLabels(labels: Uint8Array, width: number, height: number, dx: number, dy: number): Uint8Array {
  const out = new Uint8Array(width * height).fill(BACKGROUND);
  for (let y = 0; y < height; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < width) out[y * width + x] = labels[sy * width + sx];
    }
  }
  return out;
}

/**
 * A nucleus worth planting an error on: clear of the image edge and of every other nucleus (so the
 * error is exactly that nucleus and nothing else), and at least median-sized (so it is visible).
 * Falls back to any nucleus clear of the edge; undefined when there is none.
 */
export function pickNucleus(stats: InstanceStats[], rng: Rng): InstanceStats | undefined {
  const inner = stats.filter((s) => !s.atEdge && s.pixels > 0);
  if (inner.length === 0) return undefined;
  const sizes = inner.map((s) => s.pixels).sort((a, b) => a - b);
  const median = sizes[Math.floor(sizes.length / 2)];
  const isolated = inner.filter((s) => s.touches.length === 0 && s.pixels >= median);
  const pool = isolated.length > 0 ? isolated : inner;
  return pool[intBetween(rng, 0, pool.length - 1)];
}

/** A shift of 3 to 5 pixels along each axis, in a random direction. */
export function pickShift(rng: Rng): { dx: number; dy: number } {
  const sign = () => (rng() < 0.5 ? -1 : 1);
  return { dx: sign() * intBetween(rng, 3, 5), dy: sign() * intBetween(rng, 3, 5) };
}
