// A bitmap layer of the image view: packed RGBA pixels (lut.ts) in an ImageData, mirrored into an
// offscreen canvas that the panes draw. Written in full when a setting changes, or by rectangle
// (the annotation editor's strokes), and never on pan or zoom.
// Zoomed out, a pane draws from a half-, quarter-, ... size copy (a mipmap level, made on first
// use after a change), so a frame costs what the screen shows, not the 16 M pixels of a 4096 x 4096
// image, and shrinking does not alias.
// A bitmap can hold fewer pixels than the image it covers (`factor` image pixels per bitmap pixel):
// the overview drawn before the full resolution arrives (issue 14). The panes place it in image
// pixels all the same, so nothing else knows.

type Rect = readonly [number, number, number, number];

interface Level {
  canvas: HTMLCanvasElement;
  ctx: CanvasRenderingContext2D;
  /** Image pixels per level pixel (2, 4, 8, ...). */
  factor: number;
  /** Part of the level (in image pixels) older than the base, or null when current. */
  dirty: Rect | null;
}

/** Smallest level side worth making. */
const MIN_LEVEL_SIDE = 64;

function context(c: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = c.getContext('2d');
  if (!ctx) throw new Error('This browser gives no 2D canvas: the image view cannot draw.');
  return ctx;
}

const union = (a: Rect | null, b: Rect): Rect => (a ? [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])] : b);

export class Bitmap {
  /** Size of the image it covers, in image pixels. */
  readonly width: number;
  readonly height: number;
  /** Image pixels per bitmap pixel along each axis: 1, or the overview's factor. */
  readonly factor: number;
  readonly canvas: HTMLCanvasElement;
  /** Packed RGBA, one entry per bitmap pixel, ceil(width / factor) x ceil(height / factor) (a view of the ImageData's bytes). */
  readonly pixels: Uint32Array;
  /** Bumped on every commit, so the panes know to redraw. */
  version = 0;
  private readonly image: ImageData;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly levels: Level[] = [];

  constructor(width: number, height: number, factor = 1) {
    this.width = width;
    this.height = height;
    this.factor = factor;
    this.canvas = document.createElement('canvas');
    this.canvas.width = Math.ceil(width / factor);
    this.canvas.height = Math.ceil(height / factor);
    this.ctx = context(this.canvas);
    this.image = this.ctx.createImageData(this.canvas.width, this.canvas.height);
    this.pixels = new Uint32Array(this.image.data.buffer);
  }

  /** Copy the pixels (all, or the rectangle [x0, y0, x1, y1) of bitmap pixels) to the canvas. */
  commit(rect?: Rect): void {
    const r: Rect = rect ?? [0, 0, this.canvas.width, this.canvas.height];
    this.ctx.putImageData(this.image, 0, 0, r[0], r[1], r[2] - r[0], r[3] - r[1]);
    const f = this.factor;
    const inImage: Rect = [r[0] * f, r[1] * f, Math.min(this.width, r[2] * f), Math.min(this.height, r[3] * f)];
    for (const l of this.levels) l.dirty = union(l.dirty, inImage);
    this.version++;
  }

  /** Fill with one packed colour (0 = transparent). */
  clear(packed = 0): void {
    this.pixels.fill(packed);
  }

  /**
   * What to draw at `scale` screen pixels per image pixel: the full canvas when magnifying or
   * near 1:1, else the smallest level that still has at least one pixel per screen pixel.
   */
  source(scale: number): { canvas: HTMLCanvasElement; factor: number } {
    let k = 0;
    const f = this.factor;
    while (f * 2 ** (k + 1) <= 1 / scale && Math.max(this.width, this.height) / (f * 2 ** (k + 1)) >= MIN_LEVEL_SIDE) k++;
    if (k === 0) return { canvas: this.canvas, factor: f };
    return this.level(k);
  }

  /** Level k (factor 2^k), brought up to date through the levels below it. */
  private level(k: number): Level {
    while (this.levels.length < k) {
      const factor = this.factor * 2 ** (this.levels.length + 1);
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.ceil(this.width / factor));
      canvas.height = Math.max(1, Math.ceil(this.height / factor));
      this.levels.push({ canvas, ctx: context(canvas), factor, dirty: [0, 0, this.width, this.height] });
    }
    for (let i = 0; i < k; i++) {
      const l = this.levels[i];
      if (!l.dirty) continue;
      const src = i === 0 ? this.canvas : this.levels[i - 1].canvas;
      const sf = i === 0 ? this.factor : this.levels[i - 1].factor;
      // Whole level pixels covering the dirty part, read from the level below (twice the size).
      const x0 = Math.floor(l.dirty[0] / l.factor);
      const y0 = Math.floor(l.dirty[1] / l.factor);
      const x1 = Math.min(l.canvas.width, Math.ceil(l.dirty[2] / l.factor));
      const y1 = Math.min(l.canvas.height, Math.ceil(l.dirty[3] / l.factor));
      const k2 = l.factor / sf;
      l.ctx.imageSmoothingEnabled = true;
      l.ctx.imageSmoothingQuality = 'low'; // exactly 2:1, bilinear averages each 2 x 2 block
      l.ctx.clearRect(x0, y0, x1 - x0, y1 - y0);
      l.ctx.drawImage(src, x0 * k2, y0 * k2, (x1 - x0) * k2, (y1 - y0) * k2, x0, y0, x1 - x0, y1 - y0);
      l.dirty = null;
    }
    return this.levels[k - 1];
  }
}
