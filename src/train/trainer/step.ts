// One optimiser step, the unit the trainer repeats and bench/train.ts times: draw a batch of
// patches (sampling RNG) and augment each (augmentation RNG) here, in the engine, then hand the
// batch to the compute (compute/), which takes one Adam step on the loss of the model's logits
// wherever the network runs. The draws depend only on the RNGs, so a run repeats and resumes
// identically whatever the compute is.
import { augment } from '../data/augment.ts';
import type { AugmentConfig } from '../data/augment.ts';
import { batchArrays } from '../data/batch.ts';
import type { BatchArrays } from '../data/batch.ts';
import type { Rng } from '../data/rng.ts';
import type { PatchSampler } from '../data/sampler.ts';
import type { Compute } from '../compute/types.ts';

export interface StepParts {
  sampler: PatchSampler;
  samplingRng: Rng;
  augRng: Rng;
  augment: AugmentConfig;
  batch: number;
  compute: Compute;
}

/** The next batch: sampled and augmented patches as plain arrays. */
export function drawBatch(p: Omit<StepParts, 'compute'>): BatchArrays {
  return batchArrays(p.sampler.sampleBatch(p.samplingRng, p.batch).map((s) => augment(s, p.augRng, p.augment)));
}

/** Runs one step; resolves with the batch loss. */
export async function trainStep(p: StepParts): Promise<number> {
  return p.compute.step(drawBatch(p));
}
