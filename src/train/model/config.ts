// What a trained U-Net is: its architecture (UNetConfig) and everything a later prediction must
// repeat (ModelMeta: input normalisation, class table, channels). Both are plain JSON validated with
// zod, so a model file written by one version is checked, field by field, before it is used.
import { z } from 'zod';
import { ClassTableSchema } from '../../seg/classes.ts';
import { ShapeError } from '../../seg/errors.ts';
import { MAX_CLASSES } from '../../seg/types.ts';
import type { Normalization } from '../../seg/types.ts';
import { NormalizationSchema } from '../../seg/project/schema.ts';
import type { IntensityRange } from '../../seg/normalize.ts';
import { parseOrThrow } from '../../seg/validate.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const UNetConfigSchema = z.object({
  /** Number of 2x down-sampling steps; input H and W must be multiples of 2^depth. */
  depth: z.number().int().min(1).max(6).default(4),
  /** Filters of the first level; each level below doubles them. */
  baseFilters: z.number().int().min(1).max(256).default(16),
  /** BatchNorm after every 3x3 conv (the conv then has no bias, BN's beta replaces it). */
  batchNorm: z.boolean().default(true),
  /**
   * BatchNorm moving-average momentum. 0.9 (PyTorch's 0.1 in its convention) rather than Keras'
   * 0.99: with a few hundred steps per run the slower average lags and inference statistics
   * would differ from training ones.
   */
  bnMomentum: finite.min(0).max(1).default(0.9),
  /** Dropout rate at the bottleneck (end of the contracting path, as in Ronneberger 2015); 0 = off. */
  dropout: finite.min(0).max(0.9).default(0),
  inputChannels: z.union([z.literal(1), z.literal(3)]),
  numClasses: z.number().int().min(1).max(MAX_CLASSES),
  /**
   * 'softmax': one class per pixel (the classes partition the image). 'sigmoid': an independent
   * probability per class, for projects whose classes may overlap.
   */
  head: z.enum(['softmax', 'sigmoid']).default('softmax'),
  /** Seed of the He-normal initialisers and of dropout: the same seed builds the same weights. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
});

/** A full config (defaults applied). */
export type UNetConfig = z.infer<typeof UNetConfigSchema>;
/** What a caller may write: only channels and classes are required. */
export type UNetConfigInput = z.input<typeof UNetConfigSchema>;

export function parseUNetConfig(data: unknown, source = 'U-Net config'): UNetConfig {
  const cfg = parseOrThrow(UNetConfigSchema, data, source);
  if (cfg.head === 'softmax' && cfg.numClasses < 2) {
    throw new ShapeError(`${source}: a softmax head needs at least 2 classes (got ${cfg.numClasses}); use head "sigmoid" for a single class.`, { numClasses: cfg.numClasses });
  }
  return cfg;
}

/** Version of the ModelMeta format; bump on an incompatible change and add a migration. */
export const MODEL_META_VERSION = 1;

export const ModelMetaSchema = z
  .object({
    format: z.literal('seglens-unet'),
    version: z.literal(MODEL_META_VERSION),
    config: UNetConfigSchema,
    /** How raw images were mapped to floats in training; prediction must do exactly the same. */
    normalization: NormalizationSchema,
    /**
     * The stored-value range mapped to 0..1 that was computed over the training images, for a
     * dataset-scope normalisation (per-image scope recomputes it per image, 'fixed' carries its own).
     */
    datasetRange: z.object({ lo: finite, hi: finite }).optional(),
    classTable: ClassTableSchema,
    /** Repeated from config for readers that only want to check an image before loading weights. */
    inputChannels: z.union([z.literal(1), z.literal(3)]),
    /**
     * Overlapping classes (src/seg/overlap-bits.ts): the sigmoid outputs are independent classes,
     * each cut at its own threshold, and predictions are one binary mask per class.
     */
    overlapping: z.boolean().optional(),
    /**
     * Per-class thresholds chosen on the validation split with these weights (`rule` names how,
     * see src/seg/metrics/thresholds.ts), one per class in table order. Overlapping models only.
     */
    thresholds: z.object({ rule: z.string().min(1), values: z.array(finite.min(0).max(1)) }).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.inputChannels !== m.config.inputChannels) {
      ctx.addIssue({ code: 'custom', path: ['inputChannels'], message: `is ${m.inputChannels} but config.inputChannels is ${m.config.inputChannels}` });
    }
    if (m.normalization.scope === 'dataset' && m.normalization.kind !== 'fixed' && !m.datasetRange) {
      ctx.addIssue({ code: 'custom', path: ['datasetRange'], message: 'a dataset-scope normalisation needs the range computed on the training images' });
    }
    if (m.thresholds && m.thresholds.values.length !== m.config.numClasses) {
      ctx.addIssue({ code: 'custom', path: ['thresholds', 'values'], message: `has ${m.thresholds.values.length} thresholds for ${m.config.numClasses} classes` });
    }
    if (m.overlapping && m.config.head !== 'sigmoid') ctx.addIssue({ code: 'custom', path: ['overlapping'], message: 'overlapping classes need the sigmoid head' });
    if (m.classTable.classes.length !== m.config.numClasses) {
      ctx.addIssue({ code: 'custom', path: ['config', 'numClasses'], message: `is ${m.config.numClasses} but the class table has ${m.classTable.classes.length} classes` });
    }
  });

export type ModelMeta = z.infer<typeof ModelMetaSchema>;

export function makeModelMeta(config: UNetConfig, normalization: Normalization, classTable: ModelMeta['classTable'], datasetRange?: IntensityRange, overlapping = false): ModelMeta {
  return parseModelMeta({
    format: 'seglens-unet',
    version: MODEL_META_VERSION,
    config,
    normalization,
    datasetRange,
    classTable,
    inputChannels: config.inputChannels,
    ...(overlapping ? { overlapping: true } : {}),
  });
}

export function parseModelMeta(data: unknown, source = 'model metadata'): ModelMeta {
  return parseOrThrow(ModelMetaSchema, data, source);
}

/** Smallest unit the input height and width must be a multiple of. */
export function sizeMultiple(config: Pick<UNetConfig, 'depth'>): number {
  return 2 ** config.depth;
}

/**
 * Throws a ShapeError naming the offending dimension when height or width is not a multiple of
 * 2^depth (each max-pool halves the size and the up path must meet the skip exactly).
 */
export function checkInputSize(config: Pick<UNetConfig, 'depth'>, height: number, width: number): void {
  const m = sizeMultiple(config);
  const bad: string[] = [];
  if (!Number.isInteger(height) || height < m || height % m !== 0) bad.push(`height ${height}`);
  if (!Number.isInteger(width) || width < m || width % m !== 0) bad.push(`width ${width}`);
  if (bad.length) {
    throw new ShapeError(
      `U-Net input ${bad.join(' and ')} ${bad.length > 1 ? 'are' : 'is'} not a multiple of ${m} (2^depth, depth ${config.depth}). Use a patch/tile size such as ${Math.max(m, Math.round(Math.max(height, width) / m) * m)}, or a smaller depth.`,
      { height, width, depth: config.depth, multiple: m },
    );
  }
}
