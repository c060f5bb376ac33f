// One entry point for the trainer: a loss chosen by name, as `seglens train --loss` spells it.
// All losses take LOGITS [B,H,W,K] and int32 labels [B,H,W] with IGNORE = 255 (see common.ts).
import { tf } from '../tf.ts';
import { ConfigError } from '../../seg/errors.ts';
import { checkShapes } from './common.ts';
import type { Head } from './common.ts';
import { crossEntropy } from './cross-entropy.ts';
import { softDiceLoss } from './dice.ts';
import { focalLoss } from './focal.ts';
import { multiLabelBce, multiLabelDice, multiLabelFocal } from './multi-label.ts';

import type { LossKind } from './kinds.ts';

export { DEFAULT_LOSS, LOSS_KINDS, LossKindSchema } from './kinds.ts';
export type { LossKind } from './kinds.ts';

export interface LossOptions {
  kind: LossKind;
  numClasses: number;
  /** Class left out of the Dice mean; null to average all classes. */
  backgroundId: number | null;
  /**
   * Per-class weights (classWeightsFromCounts on the training split). Required by 'weighted-ce';
   * when given, 'dice-ce' and 'focal' weight their CE part with them too.
   */
  classWeights?: readonly number[];
  head?: Head;
  /** Focal gamma, default 2. */
  gamma?: number;
  /** Dice smoothing, default 1e-5 (see dice.ts). */
  diceSmooth?: number;
  /**
   * Overlapping classes: labels hold one bit per class (src/seg/overlap-bits.ts) and every class is
   * its own binary target (multi-label.ts); needs the sigmoid head. classWeights are then the
   * weights of each class's positive pixels (binaryClassWeights).
   */
  multiLabel?: boolean;
}

export type LossFn = (logits: tf.Tensor4D, labels: tf.Tensor3D) => tf.Scalar;

/** The loss named by opts.kind; it checks that logits have opts.numClasses channels. */
export function makeLoss(opts: LossOptions): LossFn {
  const fn = pickLoss(opts);
  return (logits, labels) => {
    checkShapes(logits, labels, opts.numClasses);
    return fn(logits, labels);
  };
}

function pickLoss(opts: LossOptions): LossFn {
  const head = opts.head ?? 'softmax';
  const k = opts.numClasses;
  const w = opts.classWeights;
  if (w && (w.length !== k || w.some((x) => !Number.isFinite(x) || x < 0))) {
    throw new ConfigError(`Class weights must be ${k} finite non-negative numbers, one per class; got [${w.join(', ')}].`, { classWeights: w });
  }
  if (opts.kind === 'weighted-ce' && !w) {
    throw new ConfigError('Loss "weighted-ce" needs class weights computed from the training split (classWeightsFromCounts).');
  }
  if (opts.backgroundId !== null && (opts.backgroundId < 0 || opts.backgroundId >= k)) {
    throw new ConfigError(`backgroundId ${opts.backgroundId} is not a class id (0..${k - 1}).`);
  }
  if (opts.multiLabel) return multiLabelLoss(opts, head);
  const dice = { head, backgroundId: opts.backgroundId, smooth: opts.diceSmooth };
  switch (opts.kind) {
    case 'ce':
      return (z, y) => crossEntropy(z, y, { head });
    case 'weighted-ce':
      return (z, y) => crossEntropy(z, y, { head, classWeights: w });
    case 'dice':
      return (z, y) => softDiceLoss(z, y, dice);
    case 'dice-ce':
      return (z, y) => tf.tidy(() => tf.add(softDiceLoss(z, y, dice), crossEntropy(z, y, { head, classWeights: w })));
    case 'focal':
      return (z, y) => focalLoss(z, y, { head, gamma: opts.gamma, classWeights: w });
  }
}

function multiLabelLoss(opts: LossOptions, head: Head): LossFn {
  if (head !== 'sigmoid') throw new ConfigError('Overlapping classes need the sigmoid head (one independent probability per class), not softmax.');
  const w = opts.classWeights;
  const bg = opts.backgroundId;
  switch (opts.kind) {
    case 'ce':
      return (z, y) => multiLabelBce(z, y);
    case 'weighted-ce':
      return (z, y) => multiLabelBce(z, y, w);
    case 'dice':
      return (z, y) => multiLabelDice(z, y, bg, opts.diceSmooth);
    case 'dice-ce':
      return (z, y) => tf.tidy(() => tf.add(multiLabelDice(z, y, bg, opts.diceSmooth), multiLabelBce(z, y, w)));
    case 'focal':
      return (z, y) => multiLabelFocal(z, y, opts.gamma, w);
  }
}
