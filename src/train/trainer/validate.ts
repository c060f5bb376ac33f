// Per-epoch validation: every validation image, whole, through the same tiled prediction as
// `seglens predict` (predict/tiled.ts), scored by the metrics module's Accumulator. Nothing here
// computes a metric of its own, so the figure in metrics.jsonl is the figure any later report on
// the same images and model computes (CONTEXT.md story 2: training-time and report figures that
// disagree).
//
// The validation loss is the training loss applied to those same blended predictions, computed
// by the compute (compute/local.ts, lossOfProbs) beside the prediction.
import { Accumulator, MultiLabelAccumulator, THRESHOLD_RULE } from '../../seg/metrics/index.ts';
import type { EvalResult } from '../../seg/metrics/index.ts';
import type { ClassTable } from '../../seg/classes.ts';
import type { ClassEpoch, EpochRecord } from '../../seg/history.ts';
import type { Compute, Tiling } from '../compute/types.ts';
import { argmaxLabels } from '../predict/tiled.ts';
import type { ValImage } from './data.ts';

export interface ValidateOptions extends Tiling {
  table: ClassTable;
  /** Checked between images: validation is abandoned (null returned) when it fires. */
  signal?: AbortSignal;
  /**
   * Overlapping classes: labels are class bit masks, each class is scored at its own threshold,
   * chosen on these images (THRESHOLD_RULE) and returned with the result.
   */
  overlapping?: boolean;
}

export interface Validation {
  result: EvalResult;
  /** Mean over images of the loss on the blended predictions; null if any is not finite. */
  valLoss: number | null;
  /** Overlapping classes: the thresholds chosen on this validation, one per class. */
  thresholds?: { rule: string; values: number[] };
}

const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

/** Predicts and scores every validation image; one image at a time, yielding in between. */
export async function validate(compute: Compute, images: readonly ValImage[], opts: ValidateOptions): Promise<Validation | null> {
  const K = opts.table.classes.length;
  const acc = new Accumulator(opts.table);
  const multi = opts.overlapping ? new MultiLabelAccumulator(opts.table) : null;
  let lossSum = 0;
  let finite = true;
  for (const img of images) {
    if (opts.signal?.aborted) return null;
    const pred = await compute.predict(img.image, { tile: opts.tile, overlap: opts.overlap, batch: opts.batch }, img.labels);
    if (multi) multi.add(img.name, img.labels, pred.probs);
    else acc.add(img.name, img.labels, argmaxLabels(pred.probs, img.image.width, img.image.height, K));
    const l = pred.loss ?? NaN;
    if (!Number.isFinite(l)) finite = false;
    lossSum += l;
    await yieldToEventLoop();
  }
  const valLoss = finite && images.length ? lossSum / images.length : null;
  if (multi) {
    const result = multi.result();
    return { result, valLoss, thresholds: { rule: THRESHOLD_RULE, values: result.multiLabel.classes.map((c) => c.threshold) } };
  }
  return { result: acc.result(), valLoss };
}

const orNull = (x: number) => (Number.isFinite(x) ? x : null);

/** The `val` part of an EpochRecord, from the metrics module's result. */
export function valRecord(r: EvalResult): EpochRecord['val'] {
  const classes: ClassEpoch[] = r.classes.map((c) => ({
    name: c.name,
    dice: orNull(c.dice),
    iou: orNull(c.iou),
    predictedShare: r.labelledPixels > 0 ? c.predPixels / r.labelledPixels : null,
    trueShare: r.labelledPixels > 0 ? c.gtPixels / r.labelledPixels : null,
    ...(c.threshold !== undefined ? { threshold: c.threshold } : {}),
    ...(c.auc !== undefined ? { auc: orNull(c.auc) } : {}),
  }));
  return {
    meanForegroundDice: orNull(r.meanForegroundDice),
    meanForegroundIoU: orNull(r.meanForegroundIoU),
    meanDiceWithBackground: orNull(r.meanDiceWithBackground),
    channelSummedDice: orNull(r.channelSummedDice),
    pixelAccuracy: orNull(r.pixelAccuracy),
    allBackgroundAccuracy: orNull(r.allBackgroundAccuracy),
    classes,
  };
}
