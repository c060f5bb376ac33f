// One optimiser step, the unit the trainer repeats and bench/train.ts times: draw a batch of
// patches (sampling RNG), augment each (augmentation RNG), stack them, and take one Adam step on
// the loss of the model's logits. Everything tensor-valued lives inside one tf.tidy.
import { tf } from '../tf.ts';
import type { tfl } from '../tf.ts';
import { augment } from '../data/augment.ts';
import type { AugmentConfig } from '../data/augment.ts';
import { makeBatch } from '../data/batch.ts';
import type { Rng } from '../data/rng.ts';
import type { PatchSampler } from '../data/sampler.ts';
import type { LossFn } from '../losses/loss.ts';

export interface StepParts {
  sampler: PatchSampler;
  samplingRng: Rng;
  augRng: Rng;
  augment: AugmentConfig;
  batch: number;
  /** logitsModel(model): the loss takes logits. */
  logits: tfl.LayersModel;
  /** The model's trainable variables, in model order (the optimizer's moment order). */
  vars: tf.Variable[];
  opt: tf.Optimizer;
  loss: LossFn;
}

/** Runs one step; resolves with the batch loss (read back asynchronously). */
export async function trainStep(p: StepParts): Promise<number> {
  const samples = p.sampler.sampleBatch(p.samplingRng, p.batch).map((s) => augment(s, p.augRng, p.augment));
  const lossT = tf.tidy(() => {
    const { x, y } = makeBatch(samples);
    return p.opt.minimize(() => p.loss(p.logits.apply(x, { training: true }) as tf.Tensor4D, y), true, p.vars) as tf.Scalar;
  });
  try {
    return (await lossT.data())[0];
  } finally {
    lossT.dispose();
  }
}
