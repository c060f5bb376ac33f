// Cross-entropy, plain or class-weighted, and the class-weight formula is in
// ../data/class-weights.ts. See common.ts for the logits/labels/IGNORE convention.
import { tf } from '../tf.ts';
import { bceFromLogits, checkShapes, pixelWeights, targets, weightedMean } from './common.ts';
import type { Head } from './common.ts';

export interface CrossEntropyOptions {
  head: Head;
  /**
   * One weight per class. The loss is then sum(w_y * ce) / sum(w_y) over the valid pixels (the
   * weighted mean, as PyTorch's CrossEntropyLoss with weight=), so its scale stays that of plain
   * CE: a uniform prediction still scores ln K.
   */
  classWeights?: readonly number[];
}

/**
 * Per-pixel CE [B,H,W]. softmax head: -log softmax(z)_y. sigmoid head: binary CE of every class
 * channel against the one-hot target, averaged over the K classes (so a prediction of 0.5
 * everywhere scores ln 2 whatever K is). Call inside tf.tidy.
 */
export function crossEntropyPerPixel(logits: tf.Tensor4D, oneHot: tf.Tensor4D, head: Head): tf.Tensor3D {
  if (head === 'softmax') return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits, -1), oneHot), -1)) as tf.Tensor3D;
  return tf.mean(bceFromLogits(logits, oneHot), -1) as tf.Tensor3D;
}

/** Mean cross-entropy over the pixels whose label is not IGNORE. */
export function crossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D, opts: CrossEntropyOptions): tf.Scalar {
  const k = logits.shape[3];
  checkShapes(logits, labels, k);
  return tf.tidy(() => {
    const t = targets(labels, k);
    return weightedMean(crossEntropyPerPixel(logits, t.oneHot, opts.head), pixelWeights(t, opts.classWeights));
  });
}

/**
 * Cross-entropy of a prediction that says nothing: uniform 1/K (softmax) or 0.5 per class
 * (sigmoid). A training loss that stays near this value means the network is not learning
 * (CONTEXT.md story 4: loss stuck at ln 2).
 */
export function chanceCrossEntropy(numClasses: number, head: Head): number {
  return head === 'softmax' ? Math.log(numClasses) : Math.LN2;
}

/** The chance level of a training loss, for the audit's not-learning rule: only a pure cross-entropy has one. */
export function chanceLossOf(loss: string, numClasses: number, head: Head): number | null {
  return loss === 'ce' || loss === 'weighted-ce' ? chanceCrossEntropy(numClasses, head) : null;
}
