// Shared pieces of every loss. Convention for the whole folder:
// - `logits` [B,H,W,K] float32: the output of the 'logits' layer, BEFORE softmax/sigmoid. Losses
//   take logits, not probabilities, because log-softmax computed from logits is exact where
//   log(softmax) underflows to -Infinity for confident wrong pixels.
// - `labels` [B,H,W] int32: class ids 0..K-1, or IGNORE (255) for pixels that must contribute
//   nothing. Ignored pixels are removed from numerators AND denominators: a loss on an image with
//   ignored pixels equals the loss on its remaining pixels alone.
// - Labels must be < K or IGNORE; the data layer guarantees it (a larger id would count as a pixel
//   of no class).
// Every function returns a scalar and leaks no tensors (each body runs in tf.tidy).
// Side effect: registers tfjs-core's gradient functions. tfjs-core alone registers none (the
// @tensorflow/tfjs umbrella or tfjs-layers' entry does it: tfjs-layers/src/index.ts imports
// 'tfjs-core/dist/register_all_gradients', an ES-only file Node cannot load directly), and a loss
// is useless without gradients. Harmless when tf.ts or the model already imported tfjs-layers.
import '@tensorflow/tfjs-layers';
import { tf } from '../tf.ts';
import { ShapeError } from '../../seg/errors.ts';
import { IGNORE } from '../../seg/types.ts';

export type Head = 'softmax' | 'sigmoid';

export interface Targets {
  /** [B,H,W] 1 for pixels that count, 0 for IGNORE. */
  valid: tf.Tensor3D;
  /** [B,H,W,K] one-hot of the labels, all zeros on ignored pixels. */
  oneHot: tf.Tensor4D;
  /** [B,H,W] labels with IGNORE replaced by 0, safe for gather/oneHot. */
  safeLabels: tf.Tensor3D;
}

/** Call inside tf.tidy. */
export function targets(labels: tf.Tensor3D, numClasses: number): Targets {
  const isValid = tf.notEqual(labels, tf.scalar(IGNORE, 'int32'));
  const safeLabels = tf.where(isValid, labels, tf.zerosLike(labels)) as tf.Tensor3D;
  const valid = tf.cast(isValid, 'float32') as tf.Tensor3D;
  const oneHot = tf.mul(tf.oneHot(safeLabels, numClasses, 1, 0, 'float32'), tf.expandDims(valid, -1)) as tf.Tensor4D;
  return { valid, oneHot, safeLabels };
}

/**
 * Sum of `perPixel` * `weight` over pixels, divided by the sum of `weight` (at least a tiny
 * positive number, so a batch whose pixels are all ignored gives 0, not NaN).
 */
export function weightedMean(perPixel: tf.Tensor, weight: tf.Tensor): tf.Scalar {
  return tf.div(tf.sum(tf.mul(perPixel, weight)), tf.maximum(tf.sum(weight), 1e-12)) as tf.Scalar;
}

/** Per-pixel weights: class weight of the pixel's label, 0 on ignored pixels. */
export function pixelWeights(t: Targets, classWeights: readonly number[] | undefined): tf.Tensor3D {
  if (!classWeights) return t.valid;
  const w = tf.gather(tf.tensor1d(classWeights as number[], 'float32'), t.safeLabels) as tf.Tensor as tf.Tensor3D;
  return tf.mul(w, t.valid) as tf.Tensor3D;
}

/** Numerically stable binary cross-entropy from logits: max(z,0) - z*t + log(1 + e^-|z|). */
export function bceFromLogits(logits: tf.Tensor4D, target: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.softplus(tf.neg(tf.abs(logits)))) as tf.Tensor4D;
}

export function checkShapes(logits: tf.Tensor4D, labels: tf.Tensor3D, numClasses: number): void {
  const [b, h, w, k] = logits.shape;
  const [lb, lh, lw] = labels.shape;
  if (b !== lb || h !== lh || w !== lw || k !== numClasses) {
    throw new ShapeError(`loss: logits [${logits.shape}] do not fit labels [${labels.shape}] with ${numClasses} classes`, { logits: logits.shape, labels: labels.shape, numClasses });
  }
  if (labels.dtype !== 'int32') throw new ShapeError(`loss: labels must be int32, got ${labels.dtype}`, { dtype: labels.dtype });
}
