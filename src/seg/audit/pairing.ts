// `pairing-suspect`: does this mask belong to this image? Judged from the pixels alone. A mask's
// class boundaries should lie on intensity edges of its own image, with a consistent polarity
// (nuclei brighter than their surround, membranes darker than the cytoplasm). Boundary contrast
// measures that: for each pair of classes, the intensity steps across their shared boundary
// (4-neighbour pixel pairs of the two classes) are summed with their sign, oriented from one class
// to the other; the absolute sums are added over class pairs and divided by the number of boundary
// pixel pairs and by the image's mean absolute neighbour step. Steps on a true edge add up; steps
// at positions unrelated to the image cancel, so a mask of another image scores near 0 (0.01-0.15
// on the real sets) while the right mask scores about 1 or more (0.93-18). Keeping the sign is what
// separates the two: absolute steps put every unrelated mask near 1 and the right one at 1.3-2.
//
// One number alone cannot decide, because contrast depends on the data (thin membranes in noisy
// EM, blurred nuclei...). So each image is compared with deliberately mismatched pairings of the
// same data set: its own mask shifted by several pixels, and the other masks of the same size. If
// one of those fits clearly better than its own mask (`better-fit`), the pairing is suspect and the
// better-fitting mask (or shift) is named. Adjacent serial sections look alike, which is why the
// comparison is against the actual candidates: the mask of the neighbouring section fits "well"
// (0.2-0.5 on Drosophila VNC), but the right mask fits far better (1.7-1.8). If the right mask is
// not in the data set at all, nothing fits better, but the own mask then fits no better than the
// masks of other images (`no-fit`).
//
// Limitation: a class pair whose boundary is bright in some places and dark in others (phase
// contrast halos) partly cancels itself and scores low; `better-fit` still compares like with like,
// but `no-fit` may then fire on a correct pair.
//
// Work is done on images and masks reduced to at most WORK_SIZE pixels a side (area mean for
// images, which also averages out pixel noise; the block's centre pixel for masks), so 30 images
// of 512 x 512 take a fraction of a second after decoding.
import { normalize } from '../normalize.ts';
import { DEFAULT_NORMALIZATION, IGNORE } from '../types.ts';
import type { LabelMap, Normalization, RawImage } from '../types.ts';

/**
 * Largest side of the working grid. 256 keeps a 1024 x 1024 EM section's membranes (3-6 px wide)
 * at about a pixel, still separable, while the 4 x 4 area mean removes most shot noise.
 */
export const PAIRING_WORK_SIZE = 256;
/**
 * Shifts tried on the working grid: every (dx, dy) with components in this list, except (0, 0).
 * Two pixels is the smallest step that moves a boundary off a (blurred) edge; six covers shifts of
 * a few percent of the image, the usual export offsets. Steps of two keep every shift within one
 * pixel of a tried one along each axis.
 */
export const PAIRING_SHIFTS = [-6, -4, -2, 0, 2, 4, 6] as const;
/**
 * An alternative must fit at least this much better than the own mask (contrast ratio - 1). On the
 * correct pairings of ISBI 2012, Drosophila VNC, DAPI nuclei and the clean demo the best
 * alternative stays at least 3 % below the own mask (a 4-pixel shift of blurred 63x nuclei) and
 * usually 25-85 % below; the off-by-one Drosophila pairing and the demo's shifted masks gain +240 %
 * or more. +50 % sits well clear of both.
 */
export const PAIRING_MIN_GAIN = 0.5;
/**
 * `no-fit`: the own mask's contrast is less than this multiple of the median contrast of the other
 * masks on the image. Correct pairings reach at least 22 x (the demo) and over 100 x (ISBI 2012);
 * the demo's masks paired with the wrong image reach at most 2.3 x. 5 x is between them with a
 * margin of 2 to 4 on either side.
 */
export const PAIRING_MIN_RATIO = 5;
/** The no-fit rule needs this many other masks for their median to mean anything. */
export const PAIRING_MIN_OTHERS = 3;
/**
 * Masks compared with each image, besides its own: the neighbours in name order first (off-by-one
 * mistakes happen there), then others spread evenly over the list. Caps the O(n^2) comparison for
 * large projects.
 */
export const PAIRING_MAX_CANDIDATES = 24;
/** Masks with fewer boundary pairs than this on the working grid (nearly one class) are not judged. */
export const PAIRING_MIN_BOUNDARY = 64;

export interface PairingOptions {
  workSize?: number;
  minGain?: number;
  minRatio?: number;
  maxCandidates?: number;
  normalization?: Normalization;
}

/** An image and a mask reduced to the working grid. */
interface Reduced {
  name: string;
  /** Hash of the full-resolution labels, to spot one mask used for two images. */
  maskHash: number;
  /** Original size: only masks of the same size are compared. */
  width: number;
  height: number;
  w: number;
  h: number;
  /** Normalised grey image on the working grid. */
  image: Float32Array;
  /** Mean absolute step between horizontal and vertical neighbours of the whole image. */
  meanStep: number;
  /** Working-grid indices p with labels[p] != labels[p + 1] (horizontal) / labels[p + w] (vertical). */
  horizontal: Int32Array;
  vertical: Int32Array;
  /**
   * Per boundary pair (horizontal ones, then vertical ones): which pair of classes it separates
   * (index into the mask's list of class pairs) and the orientation, +1 when the lower class id is
   * on the left/top. Steps are summed with this sign per class pair.
   */
  pairOf: Uint16Array;
  sign: Int8Array;
  classPairs: number;
}

/** How a candidate fits one image: its boundary contrast (>= 0; about 0 for an unrelated mask). */
export interface PairingCandidate {
  /** Name of the image whose mask it is. */
  mask: string;
  /** Shift on the original pixel grid (0, 0 for unshifted masks). */
  dx: number;
  dy: number;
  contrast: number;
}

export interface PairingFit {
  name: string;
  /** Boundary contrast of the image with its own mask; NaN when the mask has too few boundaries. */
  ownContrast: number;
  /** The best alternative (another mask, or the own mask shifted), when there is one. */
  best?: PairingCandidate;
  /** best.contrast / ownContrast - 1. */
  gain: number;
  /** Median contrast of the other masks on this image: how well an unrelated mask fits. */
  otherMedian: number;
  /** ownContrast / otherMedian: how much better the own mask fits than an unrelated one. */
  ratio: number;
  /** How many alternatives were tried. */
  candidates: number;
  /** Other images whose mask is pixel-for-pixel identical to this one's. */
  sameMaskAs: string[];
  /**
   * `better-fit`: another mask or a shift fits clearly better (`best` names it).
   * `no-fit`: the own mask fits no better than masks of other images. null: nothing suspect.
   */
  reason: 'better-fit' | 'no-fit' | null;
  suspect: boolean;
}

function grey(img: RawImage, n: Normalization): Float32Array {
  // Contrast is a ratio, so the range only matters for clipping; a dataset-wide range (which needs
  // every image first) is replaced by the same rule per image.
  const norm = normalize(img, n.scope === 'dataset' && n.kind !== 'fixed' ? { ...n, scope: 'image' } : n);
  if (norm.channels === 1) return norm.data;
  const out = new Float32Array(img.width * img.height);
  const d = norm.data;
  for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = (d[j] + d[j + 1] + d[j + 2]) / 3;
  return out;
}

function reduce(name: string, img: RawImage, labels: LabelMap, o: Required<PairingOptions>): Reduced {
  const { width, height } = img;
  const f = Math.max(1, Math.ceil(Math.max(width, height) / o.workSize));
  const w = Math.max(1, Math.floor(width / f));
  const h = Math.max(1, Math.floor(height / f));
  const g = grey(img, o.normalization);
  const image = new Float32Array(w * h);
  const area = 1 / (f * f);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let yy = y * f; yy < y * f + f; yy++) {
        const row = yy * width;
        for (let xx = x * f; xx < x * f + f; xx++) s += g[row + xx];
      }
      image[y * w + x] = s * area;
    }
  }
  const lab = new Uint8Array(w * h);
  const c = f >> 1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) lab[y * w + x] = labels.data[(y * f + c) * labels.width + x * f + c];
  const horizontal: number[] = [];
  const vertical: number[] = [];
  const hPair: number[] = [];
  const vPair: number[] = [];
  const hSign: number[] = [];
  const vSign: number[] = [];
  const pairIndex = new Map<number, number>();
  const pairOf = (a: number, b: number) => {
    const key = a < b ? (a << 8) | b : (b << 8) | a;
    let k = pairIndex.get(key);
    if (k === undefined) pairIndex.set(key, (k = pairIndex.size));
    return k;
  };
  let steps = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const v = lab[p];
      if (x < w - 1) {
        steps += Math.abs(image[p] - image[p + 1]);
        const r = lab[p + 1];
        if (v !== r && v !== IGNORE && r !== IGNORE) {
          horizontal.push(p);
          hPair.push(pairOf(v, r));
          hSign.push(v < r ? 1 : -1);
        }
      }
      if (y < h - 1) {
        steps += Math.abs(image[p] - image[p + w]);
        const d = lab[p + w];
        if (v !== d && v !== IGNORE && d !== IGNORE) {
          vertical.push(p);
          vPair.push(pairOf(v, d));
          vSign.push(v < d ? 1 : -1);
        }
      }
    }
  }
  const pairs = (w - 1) * h + w * (h - 1);
  return {
    name,
    maskHash: hashLabels(labels),
    width,
    height,
    w,
    h,
    image,
    meanStep: pairs > 0 ? steps / pairs : 0,
    horizontal: Int32Array.from(horizontal),
    vertical: Int32Array.from(vertical),
    pairOf: Uint16Array.from([...hPair, ...vPair]),
    sign: Int8Array.from([...hSign, ...vSign]),
    classPairs: pairIndex.size,
  };
}

/** FNV-1a over the label bytes and the size. */
function hashLabels(m: LabelMap): number {
  let hsh = 0x811c9dc5 ^ m.width ^ (m.height << 16);
  const d = m.data;
  for (let i = 0; i < d.length; i++) hsh = Math.imul(hsh ^ d[i], 0x01000193);
  return hsh >>> 0;
}

/** Boundary contrast of mask `m`, moved by (dx, dy) working pixels, on image `im` (same grid). */
function contrast(im: Reduced, m: Reduced, dx: number, dy: number): number {
  if (im.meanStep === 0) return NaN;
  const { w, h, image } = im;
  const sums = new Float64Array(m.classPairs);
  let n = 0;
  const hs = m.horizontal;
  const pairOf = m.pairOf;
  const sign = m.sign;
  for (let k = 0; k < hs.length; k++) {
    const p = hs[k];
    const x = (p % w) + dx;
    const y = ((p / w) | 0) + dy;
    if (x < 0 || x >= w - 1 || y < 0 || y >= h) continue;
    const q = y * w + x;
    sums[pairOf[k]] += sign[k] * (image[q + 1] - image[q]);
    n++;
  }
  const vs = m.vertical;
  const off = hs.length;
  for (let k = 0; k < vs.length; k++) {
    const p = vs[k];
    const x = (p % w) + dx;
    const y = ((p / w) | 0) + dy;
    if (x < 0 || x >= w || y < 0 || y >= h - 1) continue;
    const q = y * w + x;
    sums[pairOf[off + k]] += sign[off + k] * (image[q + w] - image[q]);
    n++;
  }
  let total = 0;
  for (let k = 0; k < sums.length; k++) total += Math.abs(sums[k]);
  return n < PAIRING_MIN_BOUNDARY ? NaN : total / n / im.meanStep;
}

/** Other masks compared with item `i`: name-order neighbours outward, then evenly spread others. */
function candidatesFor(i: number, items: readonly Reduced[], max: number): number[] {
  const same = items.map((_, j) => j).filter((j) => j !== i && items[j].width === items[i].width && items[j].height === items[i].height);
  if (same.length <= max) return same;
  const byDistance = [...same].sort((a, b) => Math.abs(a - i) - Math.abs(b - i) || a - b);
  const near = byDistance.slice(0, Math.ceil(max / 2));
  const rest = byDistance.slice(near.length).sort((a, b) => a - b);
  const want = max - near.length;
  const spread = Array.from({ length: want }, (_, k) => rest[Math.floor((k * rest.length) / want)]);
  return [...near, ...spread];
}

function median(values: number[]): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/**
 * Collects image/mask pairs one at a time (only the reduced versions are kept, a few hundred kB
 * each) and compares every image with the alternatives when `result()` is called.
 */
export class PairingCheck {
  private readonly items: Reduced[] = [];
  private readonly o: Required<PairingOptions>;

  constructor(opts: PairingOptions = {}) {
    this.o = {
      workSize: opts.workSize ?? PAIRING_WORK_SIZE,
      minGain: opts.minGain ?? PAIRING_MIN_GAIN,
      minRatio: opts.minRatio ?? PAIRING_MIN_RATIO,
      maxCandidates: opts.maxCandidates ?? PAIRING_MAX_CANDIDATES,
      normalization: opts.normalization ?? DEFAULT_NORMALIZATION,
    };
  }

  /** Adds one pair. Image and mask must have the same size (a size mismatch is reported elsewhere). */
  add(name: string, image: RawImage, labels: LabelMap): void {
    if (image.width !== labels.width || image.height !== labels.height) return;
    this.items.push(reduce(name, image, labels, this.o));
  }

  result(): PairingFit[] {
    const items = this.items;
    return items.map((im, i) => {
      const own = contrast(im, im, 0, 0);
      const f = Math.max(1, Math.ceil(Math.max(im.width, im.height) / this.o.workSize));
      const shifts: PairingCandidate[] = [];
      for (const dy of PAIRING_SHIFTS) {
        for (const dx of PAIRING_SHIFTS) {
          if (dx !== 0 || dy !== 0) shifts.push({ mask: im.name, dx: dx * f, dy: dy * f, contrast: contrast(im, im, dx, dy) });
        }
      }
      const others = candidatesFor(i, items, this.o.maxCandidates).map((j) => ({ mask: items[j].name, dx: 0, dy: 0, contrast: contrast(im, items[j], 0, 0) }));
      const judged = others.filter((a) => !Number.isNaN(a.contrast));
      const otherMedian = median(judged.map((a) => a.contrast));
      const ratio = judged.length >= PAIRING_MIN_OTHERS && otherMedian > 0 ? own / otherMedian : NaN;
      const ownIsNoise = ratio < this.o.minRatio;
      // When the own mask fits no better than unrelated ones, a shifted copy of it cannot be the
      // explanation (shifting a wrong mask only finds chance alignments): only other masks compete.
      const alts = ownIsNoise ? others : [...shifts, ...others];
      let best: PairingCandidate | undefined;
      for (const a of alts) if (!Number.isNaN(a.contrast) && (!best || a.contrast > best.contrast)) best = a;
      const gain = best && own > 0 ? best.contrast / own - 1 : NaN;
      // A "better" alternative must itself fit (well above the unrelated masks), or it is noise
      // beating noise and naming it would mislead.
      const bestFits = best !== undefined && (Number.isNaN(otherMedian) || best.contrast >= this.o.minRatio * otherMedian);
      const reason = gain >= this.o.minGain && bestFits ? 'better-fit' : ownIsNoise ? 'no-fit' : null;
      const sameMaskAs = items.filter((o, j) => j !== i && o.maskHash === im.maskHash && o.width === im.width && o.height === im.height).map((o) => o.name);
      return { name: im.name, ownContrast: own, best, gain, otherMedian, ratio, candidates: shifts.length + others.length, sameMaskAs, reason, suspect: reason !== null };
    });
  }
}

/** All pairs at once. */
export function checkPairing(pairs: Iterable<{ name: string; image: RawImage; labels: LabelMap }>, opts: PairingOptions = {}): PairingFit[] {
  const check = new PairingCheck(opts);
  for (const p of pairs) check.add(p.name, p.image, p.labels);
  return check.result();
}
