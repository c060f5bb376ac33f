// What overlapping classes change in a training run, in one place so the trainer only asks: the
// sigmoid head (one independent probability per class; a softmax would force the classes to
// compete for each pixel), binary losses on class bits, positive-pixel weights per class from the
// training split, and the thresholds chosen at each validation stored with the weights.
import type { ModelMeta } from '../model/config.ts';
import type { TrainImage } from '../data/patch.ts';
import { binaryClassWeights } from '../losses/multi-label.ts';
import { IGNORE } from '../../seg/types.ts';
import type { EvalResult, MultiLabelEvalResult } from '../../seg/metrics/index.ts';
import type { TrainConfig } from './config.ts';
import type { ThresholdsFile } from './run-folder.ts';

/** The config an overlapping project trains with: the sigmoid head whatever was asked. */
export function overlapConfig(cfg: TrainConfig, overlapping: boolean | undefined): TrainConfig {
  return overlapping && cfg.model.head !== 'sigmoid' ? { ...cfg, model: { ...cfg.model, head: 'sigmoid' } } : cfg;
}

/** Positive-pixel weights per class (binaryClassWeights) over the training images. */
export function overlapClassWeights(classCounts: readonly number[], train: readonly TrainImage[]): number[] {
  let labelled = 0;
  for (const im of train) for (let i = 0; i < im.labels.data.length; i++) if (im.labels.data[i] !== IGNORE) labelled++;
  return binaryClassWeights(classCounts, labelled);
}

/** The model's metadata with this validation's thresholds (written into the next checkpoints). */
export function withThresholds(meta: ModelMeta, thresholds: { rule: string; values: number[] } | undefined): ModelMeta {
  return thresholds ? { ...meta, thresholds: { rule: thresholds.rule, values: [...thresholds.values] } } : meta;
}

const orNull = (x: number) => (Number.isFinite(x) ? x : null);

/** thresholds.json of an epoch's validation, or null when it is not an overlapping one. */
export function thresholdsFile(epoch: number, r: EvalResult): ThresholdsFile | null {
  const m = (r as Partial<MultiLabelEvalResult>).multiLabel;
  if (!m) return null;
  return {
    format: 'seglens-thresholds',
    version: 1,
    epoch,
    rule: m.thresholdRule,
    ruleText: m.thresholdRuleText,
    classes: m.classes.map((c) => ({
      name: c.name,
      isBackground: c.isBackground,
      threshold: c.threshold,
      dice: orNull(r.classes[c.id].dice),
      auc: orNull(c.auc),
      averagePrecision: orNull(c.averagePrecision),
      prevalence: orNull(c.prevalence),
      curve: c.curve,
    })),
  };
}
