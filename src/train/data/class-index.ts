// Where each class is in each training image, computed once so that "a random pixel of class k"
// is a table look-up instead of a scan of the image.
import { ShapeError } from '../../seg/errors.ts';
import { IGNORE } from '../../seg/types.ts';
import type { LabelMap } from '../../seg/types.ts';

/** A class's list is thinned to at most this many pixels (every n-th in raster order). */
export const DEFAULT_MAX_INDEX_PER_CLASS = 1 << 16;

export interface ImageClassIndex {
  /** Exact pixel count per class (IGNORE pixels are in none). */
  counts: number[];
  /** Per class, pixel indices (y * width + x) of that class: all of them, or an even subsample. */
  pixels: Uint32Array[];
}

export function indexClasses(labels: LabelMap, numClasses: number, maxPerClass = DEFAULT_MAX_INDEX_PER_CLASS, multiLabel = false): ImageClassIndex {
  if (multiLabel) return indexMultiLabel(labels, numClasses, maxPerClass);
  const { data } = labels;
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === IGNORE) continue;
    if (v >= numClasses) {
      throw new ShapeError(`Label map holds class id ${v} at pixel ${i} but there are only ${numClasses} classes.`, { value: v, pixel: i, numClasses });
    }
    counts[v]++;
  }
  const stride = counts.map((c) => Math.max(1, Math.ceil(c / maxPerClass)));
  const pixels = counts.map((c, k) => new Uint32Array(Math.ceil(c / stride[k])));
  const seen = new Array<number>(numClasses).fill(0);
  const filled = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === IGNORE) continue;
    if (seen[v]++ % stride[v] === 0) pixels[v][filled[v]++] = i;
  }
  return { counts, pixels };
}

/**
 * The index of a multi-label map (src/seg/overlap-bits.ts): a pixel is listed under every class
 * whose bit it has, so a foreground patch of a nucleolus is centred on a nucleolus pixel even
 * though that pixel is also nucleus (per-class foreground sampling).
 */
function indexMultiLabel(labels: LabelMap, numClasses: number, maxPerClass: number): ImageClassIndex {
  const { data } = labels;
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === IGNORE) continue;
    if (v >> numClasses) throw new ShapeError(`Multi-label map holds ${v} at pixel ${i}: a bit beyond the ${numClasses} classes.`, { value: v, pixel: i, numClasses });
    for (let k = 0; k < numClasses; k++) counts[k] += (v >> k) & 1;
  }
  const stride = counts.map((c) => Math.max(1, Math.ceil(c / maxPerClass)));
  const pixels = counts.map((c, k) => new Uint32Array(Math.ceil(c / stride[k])));
  const seen = new Array<number>(numClasses).fill(0);
  const filled = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === IGNORE) continue;
    for (let k = 0; k < numClasses; k++) if ((v >> k) & 1 && seen[k]++ % stride[k] === 0) pixels[k][filled[k]++] = i;
  }
  return { counts, pixels };
}
