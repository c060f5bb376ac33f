// Predicting a run's images on demand, so that every run can be reviewed (one trained with
// `seglens train` included): the predictions are made by the run's best checkpoint and kept in
// its folder; images already predicted by that checkpoint are not predicted again.
import { z } from 'zod';
import { BackendInfoSchema, ProblemSchema, count, imageName, runId } from './common.ts';

export const PredictRunParams = z.strictObject({
  runId,
  /**
   * Which images: every image of the project (`all`, the default), one side of the split the run
   * trained on, or (with `name`) the one image named.
   */
  images: z.enum(['all', 'train', 'val', 'test']).optional(),
  name: imageName.optional(),
});
export type PredictRunParams = z.infer<typeof PredictRunParams>;

export const PredictRunResultSchema = z.object({
  runId,
  /** Epoch of the best checkpoint that made the predictions. */
  epoch: count.nullable(),
  /** Images predicted by this call. */
  predicted: count,
  /** Images whose stored prediction was already made by that checkpoint. */
  cached: count,
  /** Images that could not be predicted, each with its file and what to do. */
  problems: z.array(ProblemSchema),
  /** Where the predictions were computed; null when nothing had to be predicted. */
  backend: BackendInfoSchema.nullable(),
});
export type PredictRunResult = z.infer<typeof PredictRunResultSchema>;
