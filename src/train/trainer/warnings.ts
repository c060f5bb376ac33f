// The four training failures the user must not miss (CONTEXT.md stories 1, 2 and 4), raised LIVE
// from the numbers the trainer already has, including the loss of the first steps, which the
// history does not keep. They are deliberately early (one epoch of collapse is worth a warning
// while the user can still stop the run). The audit's history checks (src/seg/audit/history.ts)
// judge a finished run's metrics.jsonl as a whole with more conservative thresholds, for the
// report; on clear cases both fire. TODO: one set of detectors with a live and a post-hoc mode.
import type { EpochRecord } from '../../seg/history.ts';
import type { TrainingWarning } from './events.ts';

/**
 * Not learning: after this many epochs the loss must have left its starting level. Three epochs of
 * 50 steps are 150 Adam updates, far more than a working U-Net needs to move its loss.
 */
export const NOT_LEARNING_EPOCHS = 3;
/** ... by at least this share of the initial loss (a loss that fell less than 5 % has not moved). */
export const NOT_LEARNING_MIN_DROP = 0.05;
/**
 * For a pure cross-entropy loss, also "near chance": within this share of ln K (uniform prediction,
 * CONTEXT.md story 4's ln 2), whatever the starting value was.
 */
export const CHANCE_TOLERANCE = 0.05;

/**
 * Collapsed: one class takes at least this share of the predicted validation pixels although its
 * true share is at least COLLAPSE_MARGIN lower. 98 % leaves room for a few stray pixels; the margin
 * keeps a data set that really is 99 % background from being flagged.
 */
export const COLLAPSE_SHARE = 0.98;
export const COLLAPSE_MARGIN = 0.05;

/**
 * Diverged: a step loss is NaN/Inf, or larger than this many times the initial loss (Dice + CE
 * starts near 1-3; a thousandfold rise is an exploding run, not noise).
 */
export const DIVERGED_FACTOR = 1000;

/**
 * Overfitting: validation loss above its minimum by at least OVERFIT_RISE (relative) for
 * OVERFIT_EPOCHS epochs after that minimum, while the training loss kept falling. Three epochs and
 * 10 % ride out the noise of a handful of validation images.
 */
export const OVERFIT_EPOCHS = 3;
export const OVERFIT_RISE = 0.1;

const fmt = (x: number) => (Math.abs(x) >= 100 || Math.abs(x) < 0.01 ? x.toExponential(2) : x.toFixed(3));

/** Is this step loss a divergence? (Checked after every step.) */
export function isDiverged(loss: number, initialLoss: number | null): boolean {
  if (!Number.isFinite(loss)) return true;
  return initialLoss !== null && initialLoss > 0 && loss > DIVERGED_FACTOR * initialLoss;
}

export function divergedWarning(epoch: number, step: number, loss: number, initialLoss: number | null, lr: number): TrainingWarning {
  const what = Number.isFinite(loss) ? `exploded to ${fmt(loss)} (${DIVERGED_FACTOR}x the initial ${fmt(initialLoss ?? NaN)})` : `became ${loss}`;
  return {
    kind: 'diverged',
    epoch,
    message: `Training diverged: the loss ${what} at epoch ${epoch}, step ${step}, learning rate ${fmt(lr)}. Training stopped; the best checkpoint so far is kept.`,
    hint: 'Lower the learning rate (--lr, e.g. 10x smaller) and check the input normalisation of the images.',
    details: { step, loss: Number.isFinite(loss) ? loss : String(loss), initialLoss, lr },
  };
}

export interface NotLearningInput {
  history: readonly EpochRecord[];
  /** Mean loss of the first steps of the run (before learning could move it). */
  initialLoss: number | null;
  /** ln K for softmax CE, ln 2 for sigmoid; null when the loss is not a pure cross-entropy. */
  chanceLoss: number | null;
}

export function notLearning({ history, initialLoss, chanceLoss }: NotLearningInput): TrainingWarning | null {
  if (history.length < NOT_LEARNING_EPOCHS) return null;
  const last = history[history.length - 1];
  const loss = last.trainLoss;
  if (loss === null) return null;
  const flat = initialLoss !== null && initialLoss > 0 && loss > (1 - NOT_LEARNING_MIN_DROP) * initialLoss;
  const atChance = chanceLoss !== null && Math.abs(loss - chanceLoss) < CHANCE_TOLERANCE * chanceLoss;
  if (!flat && !atChance) return null;
  const why = flat
    ? `the training loss is ${fmt(loss)} after ${last.epoch} epochs, less than ${NOT_LEARNING_MIN_DROP * 100} % below its initial ${fmt(initialLoss!)}`
    : `the training loss is ${fmt(loss)} after ${last.epoch} epochs, the value of a uniform guess (${fmt(chanceLoss!)})`;
  return {
    kind: 'not-learning',
    epoch: last.epoch,
    message: `The network is not learning: ${why}.`,
    hint: 'Check that images and masks are paired correctly (seglens inspect), raise the learning rate if it is very small (--lr), and look at the patches the sampler draws.',
    details: { trainLoss: loss, initialLoss, chanceLoss, epochs: last.epoch },
  };
}

export function collapsed(record: EpochRecord): TrainingWarning | null {
  let worst: { name: string; predicted: number; truth: number } | null = null;
  for (const c of record.val.classes) {
    if (c.predictedShare === null || c.trueShare === null) continue;
    if (c.predictedShare >= COLLAPSE_SHARE && c.predictedShare - c.trueShare >= COLLAPSE_MARGIN) {
      if (!worst || c.predictedShare > worst.predicted) worst = { name: c.name, predicted: c.predictedShare, truth: c.trueShare };
    }
  }
  if (!worst) return null;
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  return {
    kind: 'collapsed',
    epoch: record.epoch,
    message: `The predictions collapsed to one class: "${worst.name}" is predicted on ${pct(worst.predicted)} of the validation pixels but covers ${pct(worst.truth)} of them.`,
    hint: 'The network predicts one class everywhere. Try the default dice-ce loss or class weights (--loss weighted-ce), a higher foreground ratio, or a lower learning rate if it happened suddenly.',
    details: { className: worst.name, predictedShare: worst.predicted, trueShare: worst.truth },
  };
}

export function overfitting(history: readonly EpochRecord[]): TrainingWarning | null {
  let minAt = -1;
  history.forEach((r, i) => {
    if (r.valLoss !== null && (minAt < 0 || r.valLoss < history[minAt].valLoss!)) minAt = i;
  });
  if (minAt < 0 || history.length - 1 - minAt < OVERFIT_EPOCHS) return null;
  const min = history[minAt];
  const after = history.slice(minAt + 1);
  const risen = after.slice(-OVERFIT_EPOCHS).every((r) => r.valLoss !== null && r.valLoss >= min.valLoss! * (1 + OVERFIT_RISE));
  const last = history[history.length - 1];
  const trainDown = last.trainLoss !== null && min.trainLoss !== null && last.trainLoss < min.trainLoss;
  if (!risen || !trainDown) return null;
  return {
    kind: 'overfitting',
    epoch: last.epoch,
    message: `Overfitting: the validation loss rose from ${fmt(min.valLoss!)} (epoch ${min.epoch}) to ${fmt(last.valLoss!)} while the training loss fell from ${fmt(min.trainLoss!)} to ${fmt(last.trainLoss!)}.`,
    hint: 'The best checkpoint is kept. More annotated images, stronger augmentation (elastic) or dropout help; early stopping will end the run.',
    details: { minEpoch: min.epoch, minValLoss: min.valLoss, valLoss: last.valLoss, trainLossAtMin: min.trainLoss, trainLoss: last.trainLoss },
  };
}

/**
 * The epoch-end warnings to raise now. `active` holds the kinds raised before and still true; a
 * kind is raised again only after it had cleared, so a 100-epoch run does not repeat one warning
 * a hundred times. Returns the new warnings and the kinds active after this epoch.
 */
export function epochWarnings(input: NotLearningInput, active: ReadonlySet<string>): { raise: TrainingWarning[]; active: Set<string> } {
  const last = input.history[input.history.length - 1];
  const found = [notLearning(input), last ? collapsed(last) : null, overfitting(input.history)].filter((w): w is TrainingWarning => w !== null);
  const now = new Set(found.map((w) => w.kind));
  return { raise: found.filter((w) => !active.has(w.kind)), active: now };
}
