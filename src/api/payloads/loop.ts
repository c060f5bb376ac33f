// Payloads of the correction loop (issue 15): predict the open image with a run's model, so that
// it can be accepted and corrected in the editor before fine-tuning (TrainingOptions.fromRun).
import { z } from 'zod';
import { finite, runId } from './common.ts';

export const PredictImageParams = z.strictObject({
  runId,
  /** The image's name (as listImages gives it). */
  name: z.string().min(1).max(1024),
});

export const PredictImageResultSchema = z.object({
  runId,
  name: z.string(),
  /** The prediction written, relative to the project folder (runs/<id>/predictions/<name>.png). */
  file: z.string().min(1),
  /** The run's best epoch, whose weights predicted it (null when not recorded). */
  epoch: z.number().int().min(1).nullable(),
  seconds: finite.min(0),
});
export type PredictImageResult = z.infer<typeof PredictImageResultSchema>;
