// What the trainer asks of the place where the network runs. The trainer (files, data, sampling,
// metrics, checkpoints) stays in the engine's process; a Compute holds the model, the optimizer
// and the loss and runs steps and predictions. LocalCompute runs them in the same thread on any
// tfjs backend; RemoteCompute (remote.ts) forwards the same calls through a message port to a
// LocalCompute in another thread or process, such as the WebGPU worker of a browser page or of
// Electron's hidden compute window. Everything here is plain data (typed arrays, numbers,
// strings), so it crosses a structured-clone port or a WebSocket unchanged.
import type { BatchArrays } from '../data/batch.ts';
import type { LossOptions } from '../losses/loss.ts';
import type { UNetConfig } from '../model/config.ts';
import type { SerializedWeights } from '../model/weights.ts';
import type { PredictInput } from '../predict/tiled.ts';
import type { LabelMap } from '../../seg/types.ts';

export type { BatchArrays };

/** Adam's settings and state, as trainer/optimizer.ts saves them. */
export interface OptimizerSetup {
  beta1: number;
  beta2: number;
  epsilon: number;
  lr: number;
  /** Restored moments (resume); absent for a new run. */
  state?: { iterations: number; moments: SerializedWeights };
}

export interface ComputeInit {
  model: UNetConfig;
  /** Start from these weights (resume, fine-tuning); absent: the seeded initialisation. */
  weights?: SerializedWeights;
  optimizer: OptimizerSetup;
  loss: LossOptions;
  /** What the compute's backend selection should prefer (a remote compute chooses its own). */
  backend?: BackendPreference;
}

export interface BackendPreference {
  prefer?: string;
  /** Accept a software GPU adapter (tests): far slower than the CPU path. */
  allowSoftwareGpu?: boolean;
}

/** A GPU adapter as WebGPU describes it; `software` when it is an emulation on the CPU. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: boolean;
}

/** Which tfjs backend a compute runs on and why (printed, in run.json, in the app). */
export interface BackendReport {
  name: string;
  package: string;
  /** One sentence: what runs and why this one. */
  reason: string;
  /** Every candidate tried, in order, the chosen one last. */
  tried: Array<{ package: string; ok: boolean; reason: string }>;
  adapter?: AdapterInfo;
  /** Versions of the backend's packages (run.json's `versions`), e.g. tfjs-backend-wasm. */
  versions?: Record<string, string>;
}

export interface Tiling {
  tile: number;
  overlap: number;
  batch: number;
}

export interface ComputePrediction {
  /** H * W * K blended probabilities, pixel-major. */
  probs: Float32Array;
  tiles: number;
  /** The training loss of these probabilities against `labels` when given (validation loss). */
  loss: number | null;
}

export interface Compute {
  /** Chooses the backend, builds the model and the optimizer. Called once, first. */
  init(init: ComputeInit): Promise<BackendReport>;
  /** One optimiser step on the batch; resolves with its loss. */
  step(batch: BatchArrays): Promise<number>;
  setLearningRate(lr: number): Promise<void>;
  /** Tiled, blended prediction of a whole image (predict/tiled.ts); with labels, also its loss. */
  predict(image: PredictInput, tiling: Tiling, labels?: LabelMap): Promise<ComputePrediction>;
  /** Weights and optimizer state, for a checkpoint. */
  snapshot(): Promise<{ weights: SerializedWeights; optimizer: { iterations: number; moments: SerializedWeights } }>;
  /** Replaces the model's weights (the best checkpoint at the end of a run). */
  setWeights(weights: SerializedWeights): Promise<void>;
  /** Frees the model and optimizer; the compute cannot be used afterwards. */
  dispose(): Promise<void>;
}
