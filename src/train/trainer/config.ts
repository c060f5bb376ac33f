// What a training run is asked to do: every knob of the trainer with its default, validated with
// zod. The resolved config (defaults filled in, seeds included) is written to the run folder's
// config.json, so a run can be repeated or resumed from it alone.
//
// Defaults are chosen for a 2-core CPU without GPU (issue 3, section 7): see the comments on each.
import { z } from 'zod';
import { LossKindSchema, DEFAULT_LOSS } from '../losses/kinds.ts';
import { AugmentConfigSchema } from '../data/augment.ts';
import { DEFAULT_FOREGROUND_RATIO } from '../data/sampler.ts';
import { parseOrThrow } from '../../seg/validate.ts';
import { ConfigError } from '../../seg/errors.ts';

const seed = z.number().int().min(0).max(2 ** 31 - 1);
const positive = z.number().refine(Number.isFinite, 'must be a finite number').refine((x) => x > 0, 'must be above 0');

/**
 * Figures early stopping can watch. The validation figures come from the metrics module on the
 * full validation images; `valLoss` is the training loss on those same predictions.
 */
export const MONITORS = ['meanForegroundDice', 'meanForegroundIoU', 'pixelAccuracy', 'valLoss'] as const;
export type Monitor = (typeof MONITORS)[number];

/** Whether a larger value of the monitor is better. */
export function monitorMaximises(m: Monitor): boolean {
  return m !== 'valLoss';
}

export const TrainConfigSchema = z.object({
  model: z
    .object({
      /** Depth 4, base 16: Ronneberger's shape at a quarter of its width; 1.9 M parameters. */
      depth: z.number().int().min(1).max(6).default(4),
      baseFilters: z.number().int().min(1).max(256).default(16),
      batchNorm: z.boolean().default(true),
      dropout: z.number().min(0).max(0.9).default(0),
      head: z.enum(['softmax', 'sigmoid']).default('softmax'),
    })
    .prefault({}),
  loss: LossKindSchema.default(DEFAULT_LOSS),
  /**
   * Weight the cross-entropy part by median-frequency class weights of the training split
   * (always on for 'weighted-ce'). Off by default: foreground-aware sampling already shows the
   * rare classes often, and Dice is insensitive to class frequency.
   */
  classWeights: z.boolean().default(false),
  optimizer: z
    .object({
      /** Adam at 1e-3: the usual U-Net setting; with BatchNorm it is stable from the first step. */
      lr: positive.default(1e-3),
      beta1: z.number().min(0).lt(1).default(0.9),
      beta2: z.number().min(0).lt(1).default(0.999),
      epsilon: positive.default(1e-7),
    })
    .prefault({}),
  /**
   * Learning-rate schedule. 'plateau' (default): multiply by `factor` when the monitored figure has
   * not improved for `patience` epochs, down to `minLr`. Chosen over cosine because cosine needs
   * the number of epochs in advance, which early stopping and `--resume` with more epochs change;
   * the plateau state (current lr, epochs without improvement) is saved in every checkpoint.
   */
  schedule: z
    .object({
      kind: z.enum(['plateau', 'constant']).default('plateau'),
      factor: z.number().gt(0).lt(1).default(0.5),
      patience: z.number().int().min(1).default(4),
      minLr: z.number().min(0).default(1e-5),
    })
    .prefault({}),
  /**
   * Square patch side in pixels, a multiple of 2^depth. 128 rather than 256: per pixel both train
   * at the same speed on the wasm backend (bench/train.ts), and 128 gives 4x more optimiser steps
   * per minute, which reaches a good Dice sooner on a CPU.
   */
  patch: z.number().int().min(8).max(2048).default(128),
  batch: z.number().int().min(1).max(256).default(4),
  /**
   * An epoch is a fixed number of steps, not a pass over the pixels: the time per epoch is then
   * known. 'auto' (default): as many steps as take about `epochSeconds` on this machine and
   * backend, at least AUTO_STEPS.min, timed over the run's first steps and then fixed in the run's
   * config.json (a resume continues with that number). A step count in epochs would make a 10x
   * faster backend validate, decay the learning rate and stop early 10x sooner in wall time;
   * a duration keeps early stopping's patience and the schedule's patience meaningful on any backend.
   */
  stepsPerEpoch: z.union([z.number().int().min(1).max(100_000), z.literal('auto')]).default('auto'),
  /** Target wall time of one epoch's training steps when stepsPerEpoch is 'auto'. */
  epochSeconds: positive.default(30),
  /**
   * Upper bound on epochs; early stopping usually ends sooner. The bounds here and in the contract
   * (src/api/payloads/training.ts TrainingOptionsSchema) are the same, checked by
   * test/app/training-bounds.test.ts (the layers keep the two modules from importing each other).
   */
  epochs: z.number().int().min(1).max(10_000).default(100),
  /** Stop after this many minutes of wall time (checked between steps); null = no limit. */
  maxMinutes: positive.nullable().default(null),
  earlyStopping: z
    .object({
      monitor: z.enum(MONITORS).default('meanForegroundDice'),
      /** Epochs without an improvement of more than minDelta before training stops. */
      patience: z.number().int().min(1).max(10_000).default(10),
      minDelta: z.number().min(0).default(1e-3),
    })
    .prefault({}),
  sampling: z
    .object({
      /** Share of patches centred on a foreground pixel (rare classes first); see data/sampler.ts. */
      foregroundRatio: z.number().min(0).max(1).default(DEFAULT_FOREGROUND_RATIO),
    })
    .prefault({}),
  augment: AugmentConfigSchema.prefault({}),
  /** How validation images are predicted: the options of the tiled predictor (predict/). */
  validation: z
    .object({
      /** Tile side (a multiple of 2^depth); larger tiles waste less on overlap. */
      tile: z.number().int().min(8).max(4096).default(256),
      overlap: z.number().int().min(0).max(2048).default(32),
      batch: z.number().int().min(1).max(64).default(4),
    })
    .prefault({}),
  split: z
    .object({
      /** Validation share when the split is made on the fly (no manifest in the project). */
      val: z.number().gt(0).lt(1).default(0.2),
    })
    .prefault({}),
  /** Every source of randomness, recorded so a run can be repeated exactly. */
  seeds: z
    .object({
      /** The on-the-fly split (ignored when the project has a manifest: its own seed is in split.json). */
      split: seed.default(0),
      /** He-normal initialisation of the weights. */
      init: seed.default(0),
      /** Which patches are drawn. */
      sampling: seed.default(0),
      /** Flips, rotations and intensity changes of each patch. */
      augmentation: seed.default(0),
    })
    .prefault({}),
});

export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/**
 * Bounds of an automatic epoch: at least 50 steps (the fixed size before native and GPU paths;
 * on the wasm path, about a minute), at most 5000.
 */
export const AUTO_STEPS = { min: 50, max: 5000, timedSteps: 3 } as const;

/** The steps of an automatic epoch, from the seconds one step takes. */
export function autoStepsPerEpoch(stepSeconds: number, epochSeconds: number): number {
  const n = Math.round(epochSeconds / Math.max(stepSeconds, 1e-6));
  return Math.min(AUTO_STEPS.max, Math.max(AUTO_STEPS.min, n));
}
/** What a caller may pass: any subset; the rest takes the defaults. */
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** Resolves defaults and checks the relations between fields. */
export function parseTrainConfig(data: unknown, source = 'training config'): TrainConfig {
  const cfg = parseOrThrow(TrainConfigSchema, data ?? {}, source);
  const m = 2 ** cfg.model.depth;
  if (cfg.patch % m !== 0) {
    throw new ConfigError(`${source}: patch ${cfg.patch} is not a multiple of ${m} (2^depth with depth ${cfg.model.depth}). Use e.g. ${Math.max(m, Math.round(cfg.patch / m) * m)}.`, { patch: cfg.patch, depth: cfg.model.depth });
  }
  if (cfg.validation.tile % m !== 0) {
    throw new ConfigError(`${source}: validation tile ${cfg.validation.tile} is not a multiple of ${m} (2^depth).`, { tile: cfg.validation.tile });
  }
  if (2 * cfg.validation.overlap >= cfg.validation.tile) {
    throw new ConfigError(`${source}: validation overlap ${cfg.validation.overlap} must be less than half the tile (${cfg.validation.tile}).`, { overlap: cfg.validation.overlap });
  }
  return cfg;
}

/** The same seed for every source of randomness (`seglens train --seed N`). */
export function allSeeds(n: number): TrainConfig['seeds'] {
  return { split: n, init: n, sampling: n, augmentation: n };
}
