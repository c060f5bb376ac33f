// Per-epoch validation: every validation image, whole, through the same tiled prediction as
// `seglens predict` (predict/tiled.ts), scored by the metrics module's Accumulator. Nothing here
// computes a metric of its own, so the figure in metrics.jsonl is the figure any later report on
// the same images and model computes (CONTEXT.md story 2: training-time and report figures that
// disagree).
//
// The validation loss is the training loss applied to those same blended predictions: the
// probabilities are turned back into logits (log p for softmax, since softmax(log p) = p; the
// logit log(p / (1 - p)) for sigmoid), clipped at VAL_LOSS_EPS so a confident error stays finite.
import { Accumulator } from '../../seg/metrics/index.ts';
import type { EvalResult } from '../../seg/metrics/index.ts';
import type { ClassTable } from '../../seg/classes.ts';
import type { ClassEpoch, EpochRecord } from '../../seg/history.ts';
import { tf } from '../tf.ts';
import type { tfl } from '../tf.ts';
import type { LossFn } from '../losses/loss.ts';
import { predictImage } from '../predict/tiled.ts';
import type { ValImage } from './data.ts';

/** Probabilities are clipped to [eps, 1 - eps] before taking logs for the validation loss. */
export const VAL_LOSS_EPS = 1e-7;

export interface ValidateOptions {
  table: ClassTable;
  head: 'softmax' | 'sigmoid';
  tile: number;
  overlap: number;
  batch: number;
  loss: LossFn;
  /** Checked between images: validation is abandoned (null returned) when it fires. */
  signal?: AbortSignal;
}

export interface Validation {
  result: EvalResult;
  /** Mean over images of the loss on the blended predictions; null if any is not finite. */
  valLoss: number | null;
}

function lossOfProbs(probs: Float32Array, img: ValImage, K: number, opts: ValidateOptions): number {
  const { width: W, height: H } = img.labels;
  return tf.tidy(() => {
    const p = tf.clipByValue(tf.tensor4d(probs, [1, H, W, K]), VAL_LOSS_EPS, 1 - VAL_LOSS_EPS);
    const logits = (opts.head === 'softmax' ? tf.log(p) : tf.sub(tf.log(p), tf.log(tf.sub(1, p)))) as tf.Tensor4D;
    const labels = tf.tensor3d(Int32Array.from(img.labels.data), [1, H, W], 'int32');
    return opts.loss(logits, labels).dataSync()[0];
  });
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

/** Predicts and scores every validation image; one image at a time, yielding in between. */
export async function validate(model: tfl.LayersModel, images: readonly ValImage[], opts: ValidateOptions): Promise<Validation | null> {
  const K = opts.table.classes.length;
  const acc = new Accumulator(opts.table);
  let lossSum = 0;
  let finite = true;
  for (const img of images) {
    if (opts.signal?.aborted) return null;
    const pred = predictImage(model, img.image, { tile: opts.tile, overlap: opts.overlap, batch: opts.batch, head: opts.head, numClasses: K });
    acc.add(img.name, img.labels, pred.labels);
    const l = lossOfProbs(pred.probs, img, K, opts);
    if (!Number.isFinite(l)) finite = false;
    lossSum += l;
    await yieldToEventLoop();
  }
  return { result: acc.result(), valLoss: finite && images.length ? lossSum / images.length : null };
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
