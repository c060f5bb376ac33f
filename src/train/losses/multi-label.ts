// Losses of overlapping classes: labels [B,H,W] int32 hold one bit per class (src/seg/overlap-bits.ts)
// or IGNORE, logits [B,H,W,K] feed one sigmoid per class, and every class is its own binary target.
// - BCE: per pixel and class; with class weights, a class's POSITIVE pixels weigh w_k (PyTorch's
//   BCEWithLogitsLoss pos_weight), so a rare class is not drowned by its negatives. Mean over valid
//   pixels and classes, so an output of 0.5 everywhere scores ln 2.
// - Dice: soft Dice per class over the batch, mean over the foreground classes present.
// - focal: (1 - p_t)^gamma x BCE per pixel and class.
// Ignored pixels count in no numerator and no denominator, as in the other losses.
import { tf } from '../tf.ts';
import { IGNORE } from '../../seg/types.ts';
import { bceFromLogits, weightedMean } from './common.ts';
import { DEFAULT_DICE_SMOOTH } from './dice.ts';
import { DEFAULT_FOCAL_GAMMA } from './focal.ts';

export interface MultiLabelTargets {
  /** [B,H,W,1] 1 for pixels that count. */
  valid: tf.Tensor4D;
  /** [B,H,W,K] 1 where the pixel has class k, 0 elsewhere and on ignored pixels. */
  target: tf.Tensor4D;
}

/**
 * Decodes the bits with float ops only (floor and division are exact for values < 2^24), so every
 * backend, the wasm one included, computes it. Call inside tf.tidy.
 */
export function multiLabelTargets(labels: tf.Tensor3D, numClasses: number): MultiLabelTargets {
  const valid = tf.expandDims(tf.cast(tf.notEqual(labels, tf.scalar(IGNORE, 'int32')), 'float32'), -1) as tf.Tensor4D;
  const y = tf.expandDims(tf.mul(tf.cast(labels, 'float32'), tf.squeeze(valid, [-1])), -1);
  const pow = (k: number) => tf.tensor1d(Array.from({ length: numClasses }, (_, c) => 2 ** (c + k)), 'float32');
  // bit_c = floor(y / 2^c) - 2 floor(y / 2^(c+1))
  const bits = tf.sub(tf.floor(tf.div(y, pow(0))), tf.mul(2, tf.floor(tf.div(y, pow(1)))));
  return { valid, target: tf.mul(bits, valid) as tf.Tensor4D };
}

/** Per pixel and class: weight w_k on positives, 1 on negatives, 0 on ignored pixels. */
function pixelClassWeights(t: MultiLabelTargets, classWeights: readonly number[] | undefined): tf.Tensor4D {
  if (!classWeights) return tf.mul(tf.onesLike(t.target), t.valid) as tf.Tensor4D;
  const w = tf.tensor1d(classWeights as number[], 'float32');
  return tf.mul(tf.add(1, tf.mul(t.target, tf.sub(w, 1))), t.valid) as tf.Tensor4D;
}

export function multiLabelBce(logits: tf.Tensor4D, labels: tf.Tensor3D, classWeights?: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const t = multiLabelTargets(labels, logits.shape[3]);
    return weightedMean(bceFromLogits(logits, t.target), pixelClassWeights(t, classWeights));
  });
}

export function multiLabelFocal(logits: tf.Tensor4D, labels: tf.Tensor3D, gamma = DEFAULT_FOCAL_GAMMA, classWeights?: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const t = multiLabelTargets(labels, logits.shape[3]);
    const bce = bceFromLogits(logits, t.target);
    return weightedMean(tf.mul(bce, tf.pow(tf.sub(1, tf.exp(tf.neg(bce))), gamma)), pixelClassWeights(t, classWeights));
  });
}

export function multiLabelDice(logits: tf.Tensor4D, labels: tf.Tensor3D, backgroundId: number | null, smooth = DEFAULT_DICE_SMOOTH): tf.Scalar {
  return tf.tidy(() => {
    const k = logits.shape[3];
    const t = multiLabelTargets(labels, k);
    const p = tf.mul(tf.sigmoid(logits), t.valid);
    const axes = [0, 1, 2];
    const inter = tf.sum(tf.mul(p, t.target), axes);
    const sumG = tf.sum(t.target, axes);
    const dice = tf.div(tf.add(tf.mul(inter, 2), smooth), tf.add(tf.add(tf.sum(p, axes), sumG), smooth));
    const fg = Array.from({ length: k }, (_, c) => (c === backgroundId ? 0 : 1));
    const counted = tf.mul(tf.cast(tf.greater(sumG, 0), 'float32'), tf.tensor1d(fg, 'float32'));
    return tf.div(tf.sum(tf.mul(tf.sub(1, dice), counted)), tf.maximum(tf.sum(counted), 1)) as tf.Scalar;
  });
}

/**
 * Positive-pixel weights of each class from the training split: negatives / positives (the
 * balance of that class's own binary problem), clipped to [1, max]. A class without pixels gets 1.
 */
export function binaryClassWeights(positives: readonly number[], labelled: number, max = 10): number[] {
  return positives.map((p) => (p > 0 ? Math.min(max, Math.max(1, (labelled - p) / p)) : 1));
}
