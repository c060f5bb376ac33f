// Messages between the engine and the child process that predicts a run's images. Prediction runs
// in its own process, like training (../training/protocol.ts), so that the engine keeps answering
// the UI while tensors are computed, and a stuck backend ends with the process.
import { z } from 'zod';
import { BackendInfoSchema, ProblemSchema, WireErrorSchema, count } from '../../api/index.ts';

export interface PredictRequest {
  runDir: string;
  items: { name: string; image: string }[];
  page: number;
  maxPixels?: number;
}

export const PredictOutcomeSchema = z.object({
  epoch: count.nullable(),
  predicted: z.array(z.string()),
  cached: z.array(z.string()),
  problems: z.array(ProblemSchema),
  /** The backend that computed them, and why that one. */
  backend: BackendInfoSchema,
});
export type PredictOutcome = z.infer<typeof PredictOutcomeSchema>;

/** What the prediction process sends; the engine checks each message against this. */
export const PredictMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), done: count, total: count, item: z.string().nullable() }),
  z.object({ type: z.literal('done'), outcome: PredictOutcomeSchema }),
  z.object({ type: z.literal('failed'), error: WireErrorSchema }),
]);
export type PredictMessage = z.infer<typeof PredictMessageSchema>;
