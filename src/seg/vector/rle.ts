// COCO run-length encoding of binary masks (pycocotools' maskApi.c): runs counted in column-major
// order (down each column, columns left to right), starting with a run of zeros (possibly empty).
// Two spellings: `counts` as a list of numbers (what CVAT exports for masks, "uncompressed RLE")
// and as a string (pycocotools' compressed form: each count, from the third on as the difference to
// the count two before, in 5-bit groups with a continuation bit, offset by 48).
import { ShapeError } from '../errors.ts';

export interface Rle {
  /** [height, width], as COCO writes it. */
  size: [number, number];
  counts: number[] | string;
}

/**
 * Run lengths of the set pixels (row-major index i, `isSet(i)`) of a width x height mask. With
 * `box` [x0, y0, x1, y1] (inclusive), pixels outside it are known to be unset and are not visited,
 * so an object costs its bounding box, not the whole image.
 */
export function encodeRle(isSet: (i: number) => boolean, width: number, height: number, box: [number, number, number, number] = [0, 0, width - 1, height - 1]): number[] {
  const counts: number[] = [];
  let current = false;
  let run = 0;
  const add = (v: boolean, n: number) => {
    if (n <= 0) return;
    if (v !== current) {
      counts.push(run);
      run = 0;
      current = v;
    }
    run += n;
  };
  const [x0, y0, x1, y1] = box;
  add(false, x0 * height);
  for (let x = x0; x <= x1; x++) {
    add(false, y0);
    for (let y = y0; y <= y1; y++) add(isSet(y * width + x), 1);
    add(false, height - 1 - y1);
  }
  add(false, (width - 1 - x1) * height);
  counts.push(run);
  return counts;
}

export function countsToString(counts: readonly number[]): string {
  let s = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  }
  return s;
}

export function countsFromString(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new ShapeError('A compressed COCO RLE string ends in the middle of a count.');
      const c = s.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

/** Calls `set(i)` for every set pixel (row-major index) of the RLE; checks that the runs fill the image. */
export function decodeRle(rle: Rle, set: (i: number) => void): void {
  const [h, w] = rle.size;
  const counts = typeof rle.counts === 'string' ? countsFromString(rle.counts) : rle.counts;
  let pos = 0;
  let on = false;
  for (const n of counts) {
    if (!Number.isInteger(n) || n < 0) throw new ShapeError(`A COCO RLE count is ${n}; counts are whole numbers of at least 0.`);
    if (on) for (let k = pos; k < pos + n; k++) set((k % h) * w + Math.floor(k / h));
    pos += n;
    on = !on;
  }
  if (pos !== w * h) throw new ShapeError(`A COCO RLE covers ${pos} pixels but its size is ${h} x ${w} = ${w * h}.`, { covered: pos, size: [h, w] });
}
