// One mapping from a training's options, named as the contract names them (TrainingOptions:
// epochs, patience, patch, batchSize, stepsPerEpoch, learningRate, loss, valFraction, seed), to the
// trainer's configuration. The app's trainings (trainer-adapter.ts) and `seglens train` (whose
// flags carry the same names: --batch-size, --learning-rate, --val-fraction, --steps-per-epoch)
// both go through it. Loads no TensorFlow.js, so the command line can use it at parse time.
import type { TrainingOptions } from '../../api/index.ts';
import { allSeeds } from '../../train/trainer/config.ts';
import type { TrainConfigInput } from '../../train/trainer/config.ts';

/** The options that shape a run's configuration; `maxMinutes` is the command line's own. */
export type RunShapingOptions = Pick<TrainingOptions, 'epochs' | 'patience' | 'patch' | 'batchSize' | 'stepsPerEpoch' | 'learningRate' | 'loss' | 'valFraction' | 'seed'> & {
  maxMinutes?: number;
};

export function trainConfigOf(o: RunShapingOptions): TrainConfigInput {
  const cfg: TrainConfigInput = {};
  if (o.epochs !== undefined) cfg.epochs = o.epochs;
  if (o.patch !== undefined) cfg.patch = o.patch;
  if (o.batchSize !== undefined) cfg.batch = o.batchSize;
  if (o.stepsPerEpoch !== undefined) cfg.stepsPerEpoch = o.stepsPerEpoch;
  if (o.maxMinutes !== undefined) cfg.maxMinutes = o.maxMinutes;
  if (o.loss !== undefined) cfg.loss = o.loss;
  if (o.learningRate !== undefined) cfg.optimizer = { lr: o.learningRate };
  if (o.patience !== undefined) cfg.earlyStopping = { patience: o.patience };
  if (o.valFraction !== undefined) cfg.split = { val: o.valFraction };
  if (o.seed !== undefined) cfg.seeds = allSeeds(o.seed);
  return cfg;
}
