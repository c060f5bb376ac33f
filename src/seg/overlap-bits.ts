// Targets of a project whose classes overlap (`"overlapping": true`): one byte per pixel holding
// one BIT per class (bit k set = the pixel belongs to class k), or IGNORE (255) for a pixel that
// must not count. The background's bit is set exactly when no foreground bit is, so every class,
// background included, is an independent binary target and a sigmoid head has one output per
// class, as a softmax head has.
//
// Why a bit mask in a LabelMap-shaped byte array rather than K planes: patches, flips, rotations,
// elastic deformation (nearest neighbour) and batching move mask bytes without reading them, so
// the whole data path carries K binary targets unchanged; only the loss, the sampler's index and
// the metrics decode the bits. Seven classes use bits 0..6 (values up to 127), so no combination
// can be mistaken for IGNORE.
import { ShapeError } from './errors.ts';
import { IGNORE } from './types.ts';
import type { LabelMap } from './types.ts';

/** Classes (background included) an overlapping project may have: one bit each, below IGNORE. */
export const MAX_OVERLAPPING_CLASSES = 7;

/** A LabelMap whose values are class bit masks (see the file comment), not class ids. */
export interface MultiLabelMap extends LabelMap {
  readonly multiLabel: true;
}

export function multiLabelMap(width: number, height: number, data: Uint8Array): MultiLabelMap {
  if (data.length !== width * height) throw new ShapeError(`A multi-label map has ${data.length} values for ${width} x ${height} pixels.`, { width, height });
  return { width, height, data, multiLabel: true };
}

export function isMultiLabel(m: LabelMap): m is MultiLabelMap {
  return (m as Partial<MultiLabelMap>).multiLabel === true;
}

/** Whether stored value `v` (not IGNORE) has class `k`. */
export function hasClass(v: number, k: number): boolean {
  return ((v >> k) & 1) === 1;
}

/**
 * Class-id view of a multi-label map, for what needs one class per pixel (split stratification,
 * pairing checks, display): the LAST class in table order that claims the pixel, so a nucleolus
 * inside its nucleus shows as nucleolus. Never used for training or scores.
 */
export function flattenMultiLabel(m: LabelMap, numClasses: number): LabelMap {
  const out = new Uint8Array(m.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = m.data[i];
    if (v === IGNORE) {
      out[i] = IGNORE;
      continue;
    }
    let c = IGNORE;
    for (let k = numClasses - 1; k >= 0; k--) {
      if (hasClass(v, k)) {
        c = k;
        break;
      }
    }
    out[i] = c;
  }
  return { width: m.width, height: m.height, data: out };
}

/** Pixels per class (IGNORE excluded), counting a pixel once for every class it has. */
export function multiLabelCounts(m: LabelMap, numClasses: number): number[] {
  const hist = new Float64Array(256);
  for (let i = 0; i < m.data.length; i++) hist[m.data[i]]++;
  const counts = new Array<number>(numClasses).fill(0);
  for (let v = 0; v < IGNORE; v++) {
    if (!hist[v]) continue;
    for (let k = 0; k < numClasses; k++) if (hasClass(v, k)) counts[k] += hist[v];
  }
  return counts;
}

/** K x K pixel counts: [a][b] = pixels that are both a and b (the diagonal: pixels of a). */
export function cooccurrencePixels(m: LabelMap, numClasses: number): number[][] {
  const hist = new Float64Array(256);
  for (let i = 0; i < m.data.length; i++) hist[m.data[i]]++;
  const out = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let v = 0; v < IGNORE; v++) {
    if (!hist[v]) continue;
    for (let a = 0; a < numClasses; a++) {
      if (!hasClass(v, a)) continue;
      for (let b = 0; b < numClasses; b++) if (hasClass(v, b)) out[a][b] += hist[v];
    }
  }
  return out;
}

/** The multi-label map of binary masks per class; the background's bit is "no other bit". */
export function encodeMultiLabel(planes: readonly (Uint8Array | null)[], width: number, height: number, backgroundId: number): MultiLabelMap {
  const n = width * height;
  const data = new Uint8Array(n);
  planes.forEach((p, k) => {
    if (!p) return;
    const bit = 1 << k;
    for (let i = 0; i < n; i++) if (p[i]) data[i] |= bit;
  });
  const bgBit = 1 << backgroundId;
  for (let i = 0; i < n; i++) if (data[i] === 0) data[i] = bgBit;
  return multiLabelMap(width, height, data);
}
