// Focal loss (Lin et al. 2017): cross-entropy scaled by (1 - p_t)^gamma so that pixels already
// classified well count less and hard pixels (often the rare class' borders) count more.
// See common.ts for the logits/labels/IGNORE convention.
import { tf } from '../tf.ts';
import { bceFromLogits, checkShapes, pixelWeights, targets, weightedMean } from './common.ts';
import type { Head } from './common.ts';

export const DEFAULT_FOCAL_GAMMA = 2;

export interface FocalOptions {
  head: Head;
  gamma?: number;
  /** Optional per-class alpha, applied as in weighted CE (weighted mean over valid pixels). */
  classWeights?: readonly number[];
}

/**
 * softmax: -(1 - p_y)^gamma * log p_y per pixel. sigmoid: per class (1 - p_t)^gamma * BCE, with
 * p_t the probability given to the true value of that channel, averaged over classes.
 * Then the (weighted) mean over pixels not IGNOREd. gamma = 0 gives cross-entropy exactly.
 */
export function focalLoss(logits: tf.Tensor4D, labels: tf.Tensor3D, opts: FocalOptions): tf.Scalar {
  const k = logits.shape[3];
  checkShapes(logits, labels, k);
  const gamma = opts.gamma ?? DEFAULT_FOCAL_GAMMA;
  return tf.tidy(() => {
    const t = targets(labels, k);
    let perPixel: tf.Tensor;
    if (opts.head === 'softmax') {
      const logPy = tf.sum(tf.mul(tf.logSoftmax(logits, -1), t.oneHot), -1);
      perPixel = tf.mul(tf.neg(logPy), tf.pow(tf.sub(1, tf.exp(logPy)), gamma));
    } else {
      const bce = bceFromLogits(logits, t.oneHot);
      // p_t = exp(-bce): the probability the sigmoid gives to the channel's true value.
      perPixel = tf.mean(tf.mul(bce, tf.pow(tf.sub(1, tf.exp(tf.neg(bce))), gamma)), -1);
    }
    return weightedMean(perPixel, pixelWeights(t, opts.classWeights));
  });
}
