// Soft Dice loss over foreground classes. See common.ts for the logits/labels/IGNORE convention.
//
// Policy (stated, because a Dice that hides the background's share is CONTEXT.md story 1):
// - Probabilities p = softmax/sigmoid(logits); target g = one-hot labels; ignored pixels are
//   zeroed in both, so they add to neither the intersection nor the sums.
// - Per class k, over the whole batch (one sum over B,H,W; per-image Dice is noisy on patches):
//     dice_k = (2 * sum(p_k * g_k) + smooth) / (sum(p_k) + sum(g_k) + smooth)
// - Only FOREGROUND classes (every class but backgroundId) that are PRESENT in the batch's labels
//   (sum(g_k) > 0) are averaged: loss = mean over those k of (1 - dice_k). The background would
//   otherwise dominate, and an absent class has no Dice to speak of. A batch with no foreground
//   pixel at all gives 0 (in 'dice-ce' the CE term still penalises false positives there).
// - smooth (default 1e-5) only keeps the ratio finite; a present class has sum(g_k) >= 1, so it
//   does not change any value noticeably.
import { tf } from '../tf.ts';
import { checkShapes, targets } from './common.ts';
import type { Head } from './common.ts';

export const DEFAULT_DICE_SMOOTH = 1e-5;

export interface DiceOptions {
  head: Head;
  /** Class excluded from the mean, or null to average every class (e.g. sigmoid heads). */
  backgroundId: number | null;
  smooth?: number;
}

export function softDiceLoss(logits: tf.Tensor4D, labels: tf.Tensor3D, opts: DiceOptions): tf.Scalar {
  const k = logits.shape[3];
  checkShapes(logits, labels, k);
  const smooth = opts.smooth ?? DEFAULT_DICE_SMOOTH;
  return tf.tidy(() => {
    const t = targets(labels, k);
    const probs = opts.head === 'softmax' ? tf.softmax(logits, -1) : tf.sigmoid(logits);
    const p = tf.mul(probs, tf.expandDims(t.valid, -1));
    const axes = [0, 1, 2];
    const inter = tf.sum(tf.mul(p, t.oneHot), axes);
    const sumP = tf.sum(p, axes);
    const sumG = tf.sum(t.oneHot, axes);
    const dice = tf.div(tf.add(tf.mul(inter, 2), smooth), tf.add(tf.add(sumP, sumG), smooth));
    const fg = Array.from({ length: k }, (_, c) => (c === opts.backgroundId ? 0 : 1));
    const counted = tf.mul(tf.cast(tf.greater(sumG, 0), 'float32'), tf.tensor1d(fg, 'float32'));
    return tf.div(tf.sum(tf.mul(tf.sub(1, dice), counted)), tf.maximum(tf.sum(counted), 1)) as tf.Scalar;
  });
}
