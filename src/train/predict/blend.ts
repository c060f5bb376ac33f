// Blending of overlapping tile predictions. A network sees less context near a tile's border, so
// its output there is less trustworthy than in the middle; each tile therefore contributes with a
// weight that falls off towards its borders, and every pixel's probabilities are the weighted mean
// of the tiles covering it. The window never reaches 0 (WINDOW_FLOOR), so a pixel covered only by
// tile corners (image corners, the border of a lone tile) still gets a well-defined value.

/** Smallest value of the 1-D window; a tile corner weighs about WINDOW_FLOOR^2 relative to its centre. */
export const WINDOW_FLOOR = 0.1;

/**
 * 1-D raised-cosine (Hann) window of `length` samples lifted to [floor, 1]: sampled at pixel
 * centres, so it is symmetric and never exactly 0 or 1 at the ends.
 */
export function blendWindow1d(length: number, floor = WINDOW_FLOOR): Float32Array {
  const w = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const s = Math.sin((Math.PI * (i + 0.5)) / length);
    w[i] = floor + (1 - floor) * s * s;
  }
  return w;
}

/** Separable 2-D window (outer product of the 1-D windows), row-major height x width. */
export function blendWindow2d(height: number, width: number, floor = WINDOW_FLOOR): Float32Array {
  const wy = blendWindow1d(height, floor);
  const wx = blendWindow1d(width, floor);
  const w = new Float32Array(height * width);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) w[y * width + x] = wy[y] * wx[x];
  return w;
}

/**
 * Weighted sum of tile probabilities over an image of height x width pixels and `classes`
 * channels (pixel-major, like the result). Tiles are placed in the coordinates of a possibly
 * padded canvas; `offsetY/offsetX` is where the image starts in that canvas, and pixels of a tile
 * that fall in the padding are dropped.
 */
export class Blender {
  private readonly acc: Float32Array;
  private readonly wsum: Float32Array;

  constructor(
    readonly height: number,
    readonly width: number,
    readonly classes: number,
    private readonly offsetY = 0,
    private readonly offsetX = 0,
  ) {
    this.acc = new Float32Array(height * width * classes);
    this.wsum = new Float32Array(height * width);
  }

  /**
   * Adds one tile: `probs` holds th x tw x classes values starting at `start` (a batch slice),
   * placed with its top-left corner at canvas (y0, x0), weighted by `window` (th x tw).
   */
  add(probs: Float32Array, start: number, y0: number, x0: number, th: number, tw: number, window: Float32Array): void {
    const K = this.classes;
    for (let ty = 0; ty < th; ty++) {
      const y = y0 + ty - this.offsetY;
      if (y < 0 || y >= this.height) continue;
      const xFrom = Math.max(0, this.offsetX - x0);
      const xTo = Math.min(tw, this.width + this.offsetX - x0);
      for (let tx = xFrom; tx < xTo; tx++) {
        const w = window[ty * tw + tx];
        const p = y * this.width + (x0 + tx - this.offsetX);
        this.wsum[p] += w;
        const src = start + (ty * tw + tx) * K;
        const dst = p * K;
        for (let k = 0; k < K; k++) this.acc[dst + k] += w * probs[src + k];
      }
    }
  }

  /** The blended probabilities (the accumulator, divided in place). Every pixel must be covered. */
  finish(): Float32Array {
    const K = this.classes;
    for (let p = 0; p < this.wsum.length; p++) {
      const inv = 1 / this.wsum[p];
      for (let k = 0; k < K; k++) this.acc[p * K + k] *= inv;
    }
    return this.acc;
  }
}
