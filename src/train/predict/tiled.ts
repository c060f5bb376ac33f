// Sliding-window prediction of a whole image of any size with a fully convolutional model: the one
// path by which seglens turns an image into class probabilities, used both by the trainer's
// per-epoch validation and by `seglens predict`, so the validation figure seen during training is
// the figure any later report computes on the same images (issue 3, sections 4 and 5).
//
// `tile` is the largest tile side. Along each side the fewest tiles overlapping by at least
// `overlap` are used, shrunk to the smallest size (a multiple of 2^depth) that still covers the side
// with them, and spread evenly with the last tile flush with the border (tileLayout): an image at
// least one tile large needs no padding and no pixel is predicted more often than the overlap
// requires. A side shorter than a tile is reflect-padded only up to the next multiple the model
// needs, and the padding is cropped away again. Overlapping tiles are blended with a
// border-tapered window (blend.ts).
import { ConfigError, ShapeError } from '../../seg/errors.ts';
import type { LabelMap } from '../../seg/types.ts';
import { tf } from '../tf.ts';
import type { tfl } from '../tf.ts';
import { checkInputSize } from '../model/config.ts';
import { Blender, blendWindow2d } from './blend.ts';
import { DEFAULT_BATCH, DEFAULT_TILE } from './defaults.ts';

/** A normalised image (normalize() output): interleaved channels, row-major, values 0..1. */
export interface PredictInput {
  width: number;
  height: number;
  channels: number;
  data: Float32Array;
}

export interface PredictOptions {
  /**
   * Largest tile side in pixels, a multiple of the model's size multiple (2^depth); tiles may be
   * shrunk to fit the image (tileLayout). Default DEFAULT_TILE.
   */
  tile?: number;
  /** Pixels shared by neighbouring tiles, 0 <= overlap < tile. Default tile / 4. */
  overlap?: number;
  /** Tiles per model call. Default 4. */
  batch?: number;
  /** The model's head: decides how logits become probabilities and how labels are derived. */
  head: 'softmax' | 'sigmoid';
  /** K, checked against the model's output channels. */
  numClasses: number;
  /**
   * What the model outputs: 'probabilities' (buildUNet's model, ending in its 'probs' layer;
   * default) or 'logits' (logitsModel; the head is then applied per tile before blending).
   * Probabilities, not logits, are blended in both cases.
   */
  modelOutput?: 'probabilities' | 'logits';
  /** Spatial multiple the model needs; inferred from its pooling layers when absent. */
  sizeMultiple?: number;
  /** Called after every batch of tiles with tiles done and total. */
  onProgress?: (done: number, total: number) => void;
}

export interface PredictResult {
  /** H * W * K blended probabilities, pixel-major (probs[(y * W + x) * K + k]). */
  probs: Float32Array;
  /**
   * Per-pixel argmax of probs (ties to the lower class id). For a sigmoid head this is also the
   * argmax, i.e. the most probable class, not a per-class threshold: overlapping classes are read
   * from `probs`. With a single sigmoid class every label is 0.
   */
  labels: LabelMap;
  /** Number of tiles the model was run on. */
  tiles: number;
}

export { DEFAULT_BATCH, DEFAULT_TILE } from './defaults.ts';

/**
 * Tiles along one side of `length` pixels: how many, how long, where. `maxTile` is the largest
 * tile; the count is the fewest tiles of that size overlapping by at least `overlap`, and the tile
 * is then shrunk to the smallest multiple of `multiple` that still covers the side with that count
 * and overlap, so no pixels are computed twice beyond what the overlap asks. Offsets are spread
 * evenly, the first at 0 and the last flush with the end. A side shorter than a tile gets one tile
 * of the side rounded up to `multiple` (the caller pads).
 */
export function tileLayout(length: number, maxTile: number, overlap: number, multiple = 1): { tile: number; offsets: number[] } {
  if (length <= maxTile) return { tile: Math.ceil(length / multiple) * multiple, offsets: [0] };
  const n = Math.ceil((length - overlap) / (maxTile - overlap));
  const tile = Math.min(maxTile, Math.ceil(Math.ceil((length + (n - 1) * overlap) / n) / multiple) * multiple);
  const offsets = Array.from({ length: n }, (_, i) => (i === n - 1 ? length - tile : Math.floor((i * (length - tile)) / (n - 1))));
  return { tile, offsets };
}

/** Mirror index into [0, n) without repeating the edge pixel (numpy 'reflect'), for any overflow. */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/**
 * The factor by which the model's input sides must be divisible: the product of the strides of
 * its pooling and strided convolution layers (2^depth for a U-Net).
 */
export function inferSizeMultiple(model: tfl.LayersModel): number {
  let m = 1;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'MaxPooling2D' && cls !== 'AveragePooling2D' && cls !== 'Conv2D') continue;
    const strides = layer.getConfig().strides as number | number[] | undefined;
    const s = Array.isArray(strides) ? Math.max(...strides) : (strides ?? 1);
    m *= s;
  }
  return m;
}

function isPositiveInt(n: number): boolean {
  return Number.isInteger(n) && n > 0;
}

interface Plan {
  th: number;
  tw: number;
  padTop: number;
  padLeft: number;
  ys: number[];
  xs: number[];
}

/** Tile size per dimension, reflect padding and tile offsets for an image. */
function plan(height: number, width: number, tile: number, overlap: number, multiple: number): Plan {
  const y = tileLayout(height, tile, overlap, multiple);
  const x = tileLayout(width, tile, overlap, multiple);
  // Padding only where the side is shorter than its tile, split between both ends.
  const before = (n: number, t: number) => Math.floor(Math.max(0, t - n) / 2);
  return { th: y.tile, tw: x.tile, padTop: before(height, y.tile), padLeft: before(width, x.tile), ys: y.offsets, xs: x.offsets };
}

/** Copies the canvas window at (y0, x0) into `dst` at `offset`, reflecting outside the image. */
function extractTile(img: PredictInput, p: Plan, y0: number, x0: number, dst: Float32Array, offset: number): void {
  const { width: W, height: H, channels: C, data } = img;
  const rowLen = p.tw * C;
  for (let ty = 0; ty < p.th; ty++) {
    const sy = reflectIndex(y0 + ty - p.padTop, H);
    const out = offset + ty * rowLen;
    if (p.padLeft === 0 && p.tw <= W) {
      const from = (sy * W + x0) * C;
      dst.set(data.subarray(from, from + rowLen), out);
    } else {
      for (let tx = 0; tx < p.tw; tx++) {
        const sx = reflectIndex(x0 + tx - p.padLeft, W);
        for (let c = 0; c < C; c++) dst[out + tx * C + c] = data[(sy * W + sx) * C + c];
      }
    }
  }
}

/** Argmax over K per pixel; ties go to the lower class id. */
export function argmaxLabels(probs: Float32Array, width: number, height: number, K: number): LabelMap {
  const labels = new Uint8Array(width * height);
  for (let p = 0, i = 0; p < labels.length; p++, i += K) {
    let best = 0;
    let bestV = probs[i];
    for (let k = 1; k < K; k++) {
      if (probs[i + k] > bestV) {
        bestV = probs[i + k];
        best = k;
      }
    }
    labels[p] = best;
  }
  return { width, height, data: labels };
}

function checkArgs(model: tfl.LayersModel, image: PredictInput, opts: PredictOptions, tile: number, overlap: number, batch: number, multiple: number): void {
  const { width, height, channels, data } = image;
  if (!isPositiveInt(width) || !isPositiveInt(height) || !isPositiveInt(channels)) {
    throw new ShapeError(`Image size ${width} x ${height} x ${channels} is not a positive whole size.`, { width, height, channels });
  }
  if (data.length !== width * height * channels) {
    throw new ShapeError(`Image data has ${data.length} values for ${width} x ${height} pixels of ${channels} channel(s).`, { width, height, channels });
  }
  const inChannels = model.inputs[0].shape[3];
  if (inChannels != null && inChannels !== channels) {
    throw new ShapeError(
      `The model takes ${inChannels}-channel images (${inChannels === 1 ? 'grey' : 'RGB'}) but this image has ${channels} channel(s). Predict with images of the kind the model was trained on.`,
      { modelChannels: inChannels, imageChannels: channels },
    );
  }
  const outChannels = model.outputs[0].shape[3];
  if (outChannels != null && outChannels !== opts.numClasses) {
    throw new ShapeError(`numClasses is ${opts.numClasses} but the model outputs ${outChannels} channel(s).`, { numClasses: opts.numClasses, outChannels });
  }
  if (!isPositiveInt(tile)) throw new ConfigError(`The tile size must be a positive whole number of pixels, not ${tile}.`, { tile });
  checkInputSize({ depth: Math.log2(multiple) }, tile, tile);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tile) {
    throw new ConfigError(`The tile overlap must be a whole number from 0 to ${tile - 1} (less than the tile ${tile}), not ${overlap}.`, { tile, overlap });
  }
  if (!isPositiveInt(batch)) throw new ConfigError(`The batch must be a positive whole number of tiles, not ${batch}.`, { batch });
}

/**
 * Predicts class probabilities for every pixel of `image` by blended sliding-window tiles (see
 * the file comment). Asynchronous (results are read with data(), never dataSync(), so GPU
 * backends that only read asynchronously work), and leaves tf.memory().numTensors as it found
 * it: each batch runs in a tf.tidy and only plain arrays leave it.
 */
export async function predictImage(model: tfl.LayersModel, image: PredictInput, opts: PredictOptions): Promise<PredictResult> {
  const tile = opts.tile ?? DEFAULT_TILE;
  const overlap = opts.overlap ?? Math.floor(tile / 4);
  const batch = opts.batch ?? DEFAULT_BATCH;
  const multiple = opts.sizeMultiple ?? inferSizeMultiple(model);
  checkArgs(model, image, opts, tile, overlap, batch, multiple);
  const { width: W, height: H, channels: C } = image;
  const K = opts.numClasses;
  const p = plan(H, W, tile, overlap, multiple);
  const window = blendWindow2d(p.th, p.tw);
  const blender = new Blender(H, W, K, p.padTop, p.padLeft);
  const tiles: Array<[number, number]> = [];
  for (const y of p.ys) for (const x of p.xs) tiles.push([y, x]);

  const tileLen = p.th * p.tw * C;
  const input = new Float32Array(Math.min(batch, tiles.length) * tileLen);
  for (let b0 = 0; b0 < tiles.length; b0 += batch) {
    const group = tiles.slice(b0, b0 + batch);
    group.forEach(([y, x], i) => extractTile(image, p, y, x, input, i * tileLen));
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(input.subarray(0, group.length * tileLen), [group.length, p.th, p.tw, C]);
      const y = model.predict(x) as tf.Tensor4D;
      return opts.modelOutput === 'logits' ? (opts.head === 'softmax' ? tf.softmax(y, -1) : tf.sigmoid(y)) : y;
    });
    let out: Float32Array;
    try {
      out = (await probs.data()) as Float32Array;
    } finally {
      probs.dispose();
    }
    const perTile = p.th * p.tw * K;
    group.forEach(([y, x], i) => blender.add(out, i * perTile, y, x, p.th, p.tw, window));
    opts.onProgress?.(b0 + group.length, tiles.length);
  }
  const probs = blender.finish();
  return { probs, labels: argmaxLabels(probs, W, H, K), tiles: tiles.length };
}
