// Batch norm (+ ReLU) as one op, for backends that have a fused kernel for it.
//
// tfjs-layers' BatchNormalization in training computes tf.moments and tf.batchNorm and lets
// autodiff differentiate them: about 50 small kernels per layer and step, forward and backward,
// each a pass over the activation, plus two more for the separate ReLU layer. A backend that
// registers the kernels named below (the native CPU path does) runs the forward in one kernel
// and the gradient in one more. Any other backend gets exactly the composite computation of
// tfjs-layers (moments, batchNorm, relu), so the model and its results are the same everywhere;
// the kernels only make it cheaper. Pure tfjs: this file runs in Node and in a browser worker.
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { tf } from '../tf.ts';

/** Inputs x [N,H,W,C], gamma [C], beta [C]; outputs y, batch mean [C], batch (biased) variance [C]. */
export const BATCH_NORM_TRAIN = 'SeglensBatchNormTrain';
/** Inputs x, y (the forward output), dy, gamma, mean, variance; outputs dx, dgamma, dbeta. */
export const BATCH_NORM_GRAD = 'SeglensBatchNormGrad';
/** Inputs x, gamma, beta, movingMean, movingVariance; output y. */
export const BATCH_NORM_INFER = 'SeglensBatchNormInfer';

export interface BatchNormAttrs {
  epsilon: number;
  /** Apply ReLU to the result (and mask the gradient with it). */
  relu: boolean;
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

function asAttrs(a: BatchNormAttrs): NamedAttrMap {
  return { epsilon: a.epsilon, relu: a.relu };
}

// The gradient of the fused kernel, used only where that kernel ran.
tf.registerGradient({
  kernelName: BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [true, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, gamma, y, mean, variance] = saved;
    const dy = Array.isArray(dys) ? dys[0] : dys;
    // One kernel gives all three gradients; the engine asks for them one at a time.
    const [dx, dgamma, dbeta] = tf.engine().runKernel<tf.Tensor[]>(BATCH_NORM_GRAD, { x, y, dy, gamma, mean, variance }, attrs);
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
});

export interface BatchNormTrainResult {
  y: tf.Tensor4D;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/** Normalises with the batch's statistics over N, H and W (training), then ReLU if asked. */
export function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, attrs: BatchNormAttrs): BatchNormTrainResult {
  if (hasKernel(BATCH_NORM_TRAIN) && hasKernel(BATCH_NORM_GRAD)) {
    const [y, mean, variance] = tf.engine().runKernel<tf.Tensor[]>(BATCH_NORM_TRAIN, { x, gamma, beta }, asAttrs(attrs));
    return { y: y as tf.Tensor4D, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }
  // tfjs-layers' regularNormalizeBatchInTraining, then the ReLU layer.
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const normed = tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, attrs.epsilon);
  return { y: attrs.relu ? tf.relu(normed) : normed, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** Normalises with the moving statistics (inference), then ReLU if asked. */
export function batchNormInfer(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  movingMean: tf.Tensor1D,
  movingVariance: tf.Tensor1D,
  attrs: BatchNormAttrs,
): tf.Tensor4D {
  if (hasKernel(BATCH_NORM_INFER)) {
    return tf.engine().runKernel<tf.Tensor>(BATCH_NORM_INFER, { x, gamma, beta, movingMean, movingVariance }, asAttrs(attrs)) as tf.Tensor4D;
  }
  const normed = tf.batchNorm4d(x, movingMean, movingVariance, beta, gamma, attrs.epsilon);
  return attrs.relu ? tf.relu(normed) : normed;
}
