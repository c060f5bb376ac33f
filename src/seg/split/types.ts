// Shapes shared by the split modules. A split is decided per image (never per tile or pixel), so
// every item here is one image with the per-class pixel counts of its mask.

/** The three sides of a split. `test` is empty unless a test fraction was asked for. */
export type SplitName = 'train' | 'val' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

/**
 * A compact description of an image's content, used to find duplicates. Computed from the decoded
 * pixels by `fingerprint()`; it survives re-encoding (PNG -> JPEG), mild noise and intensity shifts.
 */
export interface Fingerprint {
  width: number;
  height: number;
  /** sha1 of the decoded pixel data and its shape: equal means identical pixel content. */
  contentHash: string;
  /** 256-bit average hash of the thumbnail (bit = cell brighter than the median), 64 hex digits. */
  ahash: string;
  /** THUMB_SIZE x THUMB_SIZE mean grey levels, row-major, scaled to 0..1 by the bit depth. */
  thumb: number[];
  /** The smooth 64 x 64 descriptor for flipped/rotated/shifted copies (align.ts); absent in older callers. */
  align?: Float32Array;
}

export interface SplitItem {
  /** Image name as the project knows it (file name or relative path); unique in a project. */
  name: string;
  /** Labelled pixels per class id (index = class id; ignored pixels are not counted anywhere). */
  classPixels: number[];
  /** Needed for duplicate detection; items without one are never reported as duplicates. */
  fingerprint?: Fingerprint;
}

export interface DuplicatePair {
  a: string;
  b: string;
  /**
   * `exact`: identical decoded pixels. `near`: the same picture after noise, re-encoding or an
   * intensity change. `aligned`: the same picture flipped, rotated by 90 degrees or shifted.
   */
  kind: 'exact' | 'near' | 'aligned';
  /** Hamming distance between the 256-bit average hashes (0 for exact duplicates). */
  distance: number;
  /** Pearson correlation of the two thumbnails (1 for exact duplicates), or of the aligned descriptors. */
  correlation: number;
  /** `aligned` only: how b is flipped/rotated and shifted (share of the side) to match a. */
  transform?: string;
  shift?: [number, number];
}
