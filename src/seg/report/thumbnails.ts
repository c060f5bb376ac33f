// Small inline pictures of one image: original | ground truth | prediction | one error map per
// foreground class, each a PNG data URI (sharp encodes). Pictures are built at full resolution and
// then reduced by exact area averaging, so an error one pixel wide still tints its thumbnail pixel
// instead of vanishing as it would with nearest-neighbour or point sampling; images smaller than
// the thumbnail are enlarged by an integer factor with nearest neighbour (pixels stay square).
import { encodePng } from '../image-encode.ts';
import { backgroundId, colorToInt } from '../classes.ts';
import type { ClassTable } from '../classes.ts';
import { ShapeError } from '../errors.ts';
import { normalize } from '../normalize.ts';
import { DEFAULT_NORMALIZATION, IGNORE } from '../types.ts';
import type { LabelMap, RawImage } from '../types.ts';
import { ERROR_COLORS, ERROR_MAP_DIM } from './palette.ts';

export const DEFAULT_THUMBNAIL_SIZE = 192;

export interface ErrorThumbnail {
  classId: number;
  className: string;
  uri: string;
}

export interface ImageThumbnails {
  /** Size of the thumbnails in pixels, and of the image they show. */
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
  original: string;
  groundTruth: string;
  prediction: string;
  /** One per foreground class, in class order. */
  errors: ErrorThumbnail[];
}

/** An RGB picture, 3 bytes per pixel, row-major. */
interface Rgb {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Thumbnail size: the long side becomes `size` (shrinking), or the largest integer multiple <= size (enlarging). */
export function thumbnailSize(width: number, height: number, size: number): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long > size) {
    const s = size / long;
    return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
  }
  const k = Math.max(1, Math.floor(size / long));
  return { width: width * k, height: height * k };
}

/** Area-average weights of source pixels for each output pixel along one axis. */
function axisWeights(src: number, dst: number): { start: Int32Array; weights: Float64Array[] } {
  const scale = src / dst;
  const start = new Int32Array(dst);
  const weights: Float64Array[] = [];
  for (let o = 0; o < dst; o++) {
    const a = o * scale;
    const b = (o + 1) * scale;
    const i0 = Math.floor(a);
    const i1 = Math.min(src, Math.ceil(b));
    start[o] = i0;
    const w = new Float64Array(i1 - i0);
    for (let i = i0; i < i1; i++) w[i - i0] = (Math.min(b, i + 1) - Math.max(a, i)) / scale;
    weights.push(w);
  }
  return { start, weights };
}

/** Exact area-average reduction (separable) or integer nearest-neighbour enlargement. */
export function resampleRgb(img: Rgb, width: number, height: number): Rgb {
  if (width === img.width && height === img.height) return img;
  const out = new Uint8Array(width * height * 3);
  if (width >= img.width) {
    for (let y = 0; y < height; y++) {
      const sy = Math.min(img.height - 1, Math.floor((y * img.height) / height));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(img.width - 1, Math.floor((x * img.width) / width));
        const s = (sy * img.width + sx) * 3;
        const d = (y * width + x) * 3;
        out[d] = img.data[s];
        out[d + 1] = img.data[s + 1];
        out[d + 2] = img.data[s + 2];
      }
    }
    return { width, height, data: out };
  }
  const wx = axisWeights(img.width, width);
  const wy = axisWeights(img.height, height);
  const rows = new Float64Array(img.height * width * 3);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < width; x++) {
      const w = wx.weights[x];
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < w.length; k++) {
        const s = (y * img.width + wx.start[x] + k) * 3;
        r += w[k] * img.data[s];
        g += w[k] * img.data[s + 1];
        b += w[k] * img.data[s + 2];
      }
      const d = (y * width + x) * 3;
      rows[d] = r;
      rows[d + 1] = g;
      rows[d + 2] = b;
    }
  }
  for (let y = 0; y < height; y++) {
    const w = wy.weights[y];
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < w.length; k++) {
        const s = ((wy.start[y] + k) * width + x) * 3;
        r += w[k] * rows[s];
        g += w[k] * rows[s + 1];
        b += w[k] * rows[s + 2];
      }
      const d = (y * width + x) * 3;
      out[d] = Math.round(r);
      out[d + 1] = Math.round(g);
      out[d + 2] = Math.round(b);
    }
  }
  return { width, height, data: out };
}

/** The image as 8-bit grey levels (percentile-stretched, 16-bit included) and as RGB. */
function displayImage(img: RawImage): { grey: Uint8Array; rgb: Rgb } {
  const n = normalize(img, DEFAULT_NORMALIZATION);
  const px = img.width * img.height;
  const grey = new Uint8Array(px);
  const rgb = new Uint8Array(px * 3);
  for (let i = 0; i < px; i++) {
    if (img.channels === 1) {
      const v = Math.round(n.data[i] * 255);
      grey[i] = v;
      rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = v;
    } else {
      const r = n.data[i * 3];
      const g = n.data[i * 3 + 1];
      const b = n.data[i * 3 + 2];
      grey[i] = Math.round(((r + g + b) / 3) * 255);
      rgb[i * 3] = Math.round(r * 255);
      rgb[i * 3 + 1] = Math.round(g * 255);
      rgb[i * 3 + 2] = Math.round(b * 255);
    }
  }
  return { grey, rgb: { width: img.width, height: img.height, data: rgb } };
}

/** Class id -> [r, g, b] from the class table's colours; IGNORE -> the ignore colour. */
function classColours(table: ClassTable): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  table.classes.forEach((c, id) => {
    const v = colorToInt(c.color);
    lut[id * 3] = (v >> 16) & 255;
    lut[id * 3 + 1] = (v >> 8) & 255;
    lut[id * 3 + 2] = v & 255;
  });
  lut.set(ERROR_COLORS.ignore.rgb, IGNORE * 3);
  return lut;
}

function labelPicture(m: LabelMap, lut: Uint8Array): Rgb {
  const data = new Uint8Array(m.data.length * 3);
  for (let i = 0; i < m.data.length; i++) {
    const o = m.data[i] * 3;
    data[i * 3] = lut[o];
    data[i * 3 + 1] = lut[o + 1];
    data[i * 3 + 2] = lut[o + 2];
  }
  return { width: m.width, height: m.height, data };
}

/**
 * The error map of class `c`, one class against the rest: true positives, false positives and
 * false negatives in ERROR_COLORS, ignored ground truth in the ignore colour, everything else the
 * dimmed original.
 */
export function errorMap(gt: LabelMap, pred: LabelMap, c: number, grey: Uint8Array, bits = false): Rgb {
  const n = gt.data.length;
  const data = new Uint8Array(n * 3);
  // Colour by code: 0 tp, 1 fp, 2 fn, 3 ignored; code 4 = the dimmed original.
  const pal = new Uint8Array([...ERROR_COLORS.tp.rgb, ...ERROR_COLORS.fp.rgb, ...ERROR_COLORS.fn.rgb, ...ERROR_COLORS.ignore.rgb]);
  const dim = new Uint8Array(256);
  for (let v = 0; v < 256; v++) dim[v] = Math.round(v * ERROR_MAP_DIM);
  const g = gt.data;
  const p = pred.data;
  for (let i = 0, d = 0; i < n; i++, d += 3) {
    const gi = g[i];
    // Overlapping classes (bits): membership is the class's bit, so a nucleolus pixel is also nucleus.
    const hit = bits ? ((p[i] >> c) & 1) === 1 : p[i] === c;
    const truth = bits ? gi !== IGNORE && ((gi >> c) & 1) === 1 : gi === c;
    const code = gi === IGNORE ? 3 : truth ? (hit ? 0 : 2) : hit ? 1 : 4;
    if (code === 4) {
      const v = dim[grey[i]];
      data[d] = v;
      data[d + 1] = v;
      data[d + 2] = v;
    } else {
      const o = code * 3;
      data[d] = pal[o];
      data[d + 1] = pal[o + 1];
      data[d + 2] = pal[o + 2];
    }
  }
  return { width: gt.width, height: gt.height, data };
}

async function pngUri(img: Rgb): Promise<string> {
  const png = await encodePng({ data: img.data, width: img.width, height: img.height, channels: 3 }, { compressionLevel: 9 });
  return `data:image/png;base64,${png.toString('base64')}`;
}

export interface ThumbnailInput {
  image: RawImage;
  gt: LabelMap;
  pred: LabelMap;
  table: ClassTable;
  /** Long side of the thumbnails in pixels (default DEFAULT_THUMBNAIL_SIZE). */
  size?: number;
  /**
   * Overlapping classes: ground truth and prediction as class bits (src/seg/overlap-bits.ts); the
   * error map of each class is then drawn from its own bit, `gt`/`pred` only for the class pictures.
   */
  bits?: { gt: LabelMap; pred: LabelMap };
}

export async function imageThumbnails(o: ThumbnailInput): Promise<ImageThumbnails> {
  const { image, gt, pred, table } = o;
  for (const [m, what] of [
    [gt, 'ground truth'],
    [pred, 'prediction'],
  ] as const) {
    if (m.width !== image.width || m.height !== image.height) {
      throw new ShapeError(`The ${what} is ${m.width}x${m.height} but the image is ${image.width}x${image.height}.`, { what });
    }
  }
  const size = thumbnailSize(image.width, image.height, o.size ?? DEFAULT_THUMBNAIL_SIZE);
  const small = (p: Rgb) => pngUri(resampleRgb(p, size.width, size.height));
  const { grey, rgb } = displayImage(image);
  const lut = classColours(table);
  const bg = backgroundId(table);
  const fg = table.classes.map((c, id) => ({ id, name: c.name })).filter((c) => c.id !== bg);
  const [original, groundTruth, prediction, ...errs] = await Promise.all([
    small(rgb),
    small(labelPicture(gt, lut)),
    small(labelPicture(pred, lut)),
    ...fg.map((c) => small(o.bits ? errorMap(o.bits.gt, o.bits.pred, c.id, grey, true) : errorMap(gt, pred, c.id, grey))),
  ]);
  return {
    ...size,
    sourceWidth: image.width,
    sourceHeight: image.height,
    original,
    groundTruth,
    prediction,
    errors: fg.map((c, k) => ({ classId: c.id, className: c.name, uri: errs[k] })),
  };
}
