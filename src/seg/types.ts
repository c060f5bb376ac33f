// The shapes every part of src/seg agrees on. Pixel data is kept as flat typed arrays in row-major
// order; nothing here knows about tensors or windows.

/** Value written into a LabelMap for pixels that are unlabelled or carry an `ignore` value. */
export const IGNORE = 255;
/** Class ids are 0..K-1 with K at most this many, so that IGNORE never collides with a class. */
export const MAX_CLASSES = 254;

/**
 * A decoded mask after the class table has been applied: one class id per pixel (0..K-1, the index
 * of the class in ClassTable.classes) or IGNORE.
 */
export interface LabelMap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A decoded image with its original bit depth kept (16-bit stays 16-bit until normalisation). */
export interface RawImage {
  width: number;
  height: number;
  /** 1 for grey, 3 for RGB (alpha is dropped on read). */
  channels: 1 | 3;
  bitDepth: 8 | 16;
  /** Interleaved channels, row-major. Uint8Array for 8-bit, Uint16Array for 16-bit. */
  data: Uint8Array | Uint16Array;
}

/** A decoded mask before the class table is applied: the stored values themselves. */
export interface RawMask {
  width: number;
  height: number;
  /** 1 for label images; 3 for RGB palette masks (values are then 0xRRGGBB in `data`). */
  channels: 1 | 3;
  bitDepth: 8 | 16;
  /** One value per pixel: the grey value, or 0xRRGGBB for RGB masks. */
  data: Uint8Array | Uint16Array | Uint32Array;
  /** The file format judged from its bytes, when read from a file ('jpeg' is lossy: see audit/mask-damage.ts). */
  format?: 'png' | 'jpeg' | 'tiff';
}

/** Percentile intensity normalisation, recorded with every run so a prediction repeats it. */
export interface Normalization {
  kind: 'percentile' | 'minmax' | 'fixed';
  /** Percentiles used for `percentile` (default 1 and 99.8). */
  low: number;
  high: number;
  /** Per image (default) or one range for the whole dataset. */
  scope: 'image' | 'dataset';
  /** For `fixed`: the input range mapped to 0..1. */
  range?: [number, number];
}

export const DEFAULT_NORMALIZATION: Normalization = { kind: 'percentile', low: 1, high: 99.8, scope: 'image' };
