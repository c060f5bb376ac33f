// Messages between the engine and the child process that predicts a run's images. Prediction runs
// in its own process, like training (../training/protocol.ts), so that the engine keeps answering
// the UI while tensors are computed, and a stuck backend ends with the process.
import type { Problem } from '../../api/index.ts';
import type { FailedMessage } from '../training/protocol.ts';

export interface PredictRequest {
  runDir: string;
  items: { name: string; image: string }[];
  page: number;
  maxPixels?: number;
}

export interface PredictOutcome {
  epoch: number | null;
  predicted: string[];
  cached: string[];
  problems: Problem[];
  /** The backend that computed them, and why that one. */
  backend: { name: string; reason: string };
}

export type PredictMessage =
  | { type: 'progress'; done: number; total: number; item: string | null }
  | { type: 'done'; outcome: PredictOutcome }
  | FailedMessage;
