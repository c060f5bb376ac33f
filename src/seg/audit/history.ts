// Checks on a run's history (metrics.jsonl, one EpochRecord per epoch): the network does not learn
// (CONTEXT story 4: loss at ln 2 for good), collapsed to one class, diverged, or overfits. Each
// check looks at the shape of the curves, never at one epoch alone, and stays silent while the run
// is too short to tell.
import type { EpochRecord } from '../history.ts';
import type { Finding } from './types.ts';
import { fmt, num, pct } from './types.ts';

/**
 * Epochs before "not learning" can be said. A network that learns at all moves its loss and its
 * foreground Dice within a few epochs; 5 epochs of even 100 images at batch 8 are 60+ updates.
 */
export const NOT_LEARNING_EPOCHS = 5;
/**
 * Cross-entropy of a network that outputs the uniform distribution is ln K. A training loss within
 * 5 % of ln K for NOT_LEARNING_EPOCHS epochs in a row is chance level (story 4: 0.693 = ln 2).
 */
export const CHANCE_LOSS_TOLERANCE = 0.05;
/** Training loss that moved less than this (relative) over the last NOT_LEARNING_EPOCHS epochs is flat. */
export const FLAT_LOSS_CHANGE = 0.02;
/** The best validation foreground Dice must exceed the first epoch's by this much to count as improvement. */
export const MIN_DICE_IMPROVEMENT = 0.02;
/**
 * Foreground Dice at or above this means the network has learned something, even if it stopped
 * improving (converged): the flat-loss and no-improvement rules then stay silent.
 */
export const LEARNED_DICE = 0.5;
/** One class taking at least this share of the predicted pixels is a collapse candidate. */
export const COLLAPSE_SHARE = 0.98;
/**
 * ...if the other classes together then receive less than this fraction of the pixels they truly
 * cover. 1/4: a background of 97 % predicted on 99 % of pixels keeps a third of the foreground and
 * is merely poor; a background of 90 % predicted on 99 % keeps a tenth, which is a collapse.
 */
export const COLLAPSE_OTHERS_RATIO = 0.25;
/** Consecutive final epochs that must show the collapse (the first epochs often predict background only). */
export const COLLAPSE_EPOCHS = 3;
/** A class predicted on at most this share of pixels (0.01 %) counts as never predicted. */
export const NEVER_PREDICTED_SHARE = 1e-4;
/**
 * Training loss above this multiple of its lowest earlier value (and above where it started) has
 * exploded: noise around a low loss stays well under 3x, a diverging run goes far past it.
 */
export const DIVERGE_FACTOR = 3;
/** Final epochs averaged when judging overfitting (one noisy epoch is not a trend). */
export const OVERFIT_WINDOW = 3;
/** Validation loss this much (relative) above its minimum, averaged over OVERFIT_WINDOW epochs, is rising. */
export const OVERFIT_LOSS_RISE = 0.1;
/** Validation foreground Dice this far (absolute) below its best, averaged over OVERFIT_WINDOW epochs, has fallen. */
export const OVERFIT_METRIC_DROP = 0.05;

export interface HistoryOptions {
  /** Name of the background class (default: the class with the largest true share). */
  background?: string;
}

const isNum = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

function mean(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

function backgroundName(h: readonly EpochRecord[], opts: HistoryOptions): string | undefined {
  if (opts.background) return opts.background;
  const last = h[h.length - 1];
  let best: { name: string; share: number } | undefined;
  for (const c of last?.val.classes ?? []) if (isNum(c.trueShare) && (!best || c.trueShare > best.share)) best = { name: c.name, share: c.trueShare };
  return best?.name;
}

export function checkNotLearning(h: readonly EpochRecord[]): Finding[] {
  const n = h.length;
  if (n < NOT_LEARNING_EPOCHS) return [];
  const K = h[n - 1].val.classes.length;
  const lnK = Math.log(Math.max(2, K));
  const window = h.slice(n - NOT_LEARNING_EPOCHS);
  const losses = window.map((r) => r.trainLoss);
  const dice = h.map((r) => r.val.meanForegroundDice).filter(isNum);
  const firstDice = h.map((r) => r.val.meanForegroundDice).find(isNum);
  const bestDice = dice.length ? Math.max(...dice) : NaN;
  const learned = bestDice >= LEARNED_DICE;
  const reasons: string[] = [];
  let chance = false;
  let flat = false;
  if (losses.every(isNum)) {
    const l = losses as number[];
    chance = l.every((x) => Math.abs(x - lnK) <= CHANCE_LOSS_TOLERANCE * lnK);
    flat = (l[0] - Math.min(...l)) / Math.abs(l[0] || 1) < FLAT_LOSS_CHANGE && Math.max(...l) <= l[0] * (1 + FLAT_LOSS_CHANGE);
    if (chance) reasons.push(`the training loss has stayed at ${fmt(l[l.length - 1])} over the last ${NOT_LEARNING_EPOCHS} epochs, the chance level ln ${K} = ${fmt(lnK)} of a network that outputs 1/${K} for every class`);
    else if (flat && !learned) reasons.push(`the training loss moved less than ${pct(FLAT_LOSS_CHANGE)} over the last ${NOT_LEARNING_EPOCHS} epochs (${fmt(l[0])} -> ${fmt(l[l.length - 1])})`);
  }
  const noImprovement = isNum(firstDice) ? bestDice - firstDice < MIN_DICE_IMPROVEMENT : dice.length === 0;
  if (noImprovement && !learned) {
    reasons.push(
      dice.length
        ? `the validation foreground Dice never rose more than ${fmt(MIN_DICE_IMPROVEMENT, 2)} above its first value in ${n} epochs (first ${fmt(firstDice)}, best ${fmt(bestDice)})`
        : `the validation foreground Dice was undefined in all ${n} epochs`,
    );
  }
  if (reasons.length === 0) return [];
  return [
    {
      id: 'not-learning',
      severity: 'critical',
      title: 'The network is not learning',
      message: `After ${n} epochs ${reasons.join('; and ')}.`,
      evidence: {
        epochs: n,
        classes: K,
        chanceLoss: lnK,
        lastTrainLoss: num(h[n - 1].trainLoss),
        atChanceLevel: chance,
        lossFlat: flat,
        firstForegroundDice: num(firstDice),
        bestForegroundDice: num(bestDice),
      },
      images: [],
      action:
        'Check, in this order: that masks belong to their images (pairing) and hold class ids; the input normalisation; the weight initialiser ' +
        '(a uniform or constant initialiser keeps every unit alike; use He/Glorot); the learning rate (try 10x lower and 10x higher); dropout and L2 ' +
        'on every layer (remove them until the network can overfit a few images). A network that cannot overfit 5 images has a bug.',
    },
  ];
}

interface Collapse {
  epoch: number;
  name: string;
  predictedShare: number;
  trueShare: number;
}

function collapseAt(r: EpochRecord): Collapse | undefined {
  for (const c of r.val.classes) {
    if (!isNum(c.predictedShare) || !isNum(c.trueShare)) continue;
    const p = c.predictedShare;
    const t = c.trueShare;
    if (p >= COLLAPSE_SHARE && t < p && 1 - p < COLLAPSE_OTHERS_RATIO * (1 - t)) return { epoch: r.epoch, name: c.name, predictedShare: p, trueShare: t };
  }
  return undefined;
}

export function checkCollapsed(h: readonly EpochRecord[], opts: HistoryOptions = {}): Finding[] {
  const n = h.length;
  if (n < COLLAPSE_EPOCHS) return [];
  const out: Finding[] = [];
  const last = h.slice(n - COLLAPSE_EPOCHS).map(collapseAt);
  const action =
    'Weight the loss towards the rare classes (class weights or a Dice term), sample patches that contain foreground, lower the learning rate, ' +
    'and check the final layer: a softmax over K channels with no activation or normalisation in front of it.';
  if (last.every((c) => c !== undefined) && last.every((c) => c!.name === last[0]!.name)) {
    const c = last[last.length - 1]!;
    out.push({
      id: 'collapsed',
      severity: 'critical',
      title: `Collapsed to "${c.name}"`,
      message:
        `In each of the last ${COLLAPSE_EPOCHS} epochs the network predicted "${c.name}" on at least ${pct(COLLAPSE_SHARE)} of the validation pixels ` +
        `(epoch ${c.epoch}: ${pct(c.predictedShare)}) although only ${pct(c.trueShare)} of them are "${c.name}": the other classes get ${pct(1 - c.predictedShare)} of the pixels instead of ${pct(1 - c.trueShare)}.`,
      evidence: { class: c.name, epoch: c.epoch, predictedShare: c.predictedShare, trueShare: c.trueShare, epochs: COLLAPSE_EPOCHS },
      images: [],
      action,
    });
  }
  const bg = backgroundName(h, opts);
  const names = h[n - 1].val.classes.map((c) => c.name).filter((name) => name !== bg);
  const never = names.filter((name) =>
    h.every((r) => {
      const c = r.val.classes.find((x) => x.name === name);
      return c !== undefined && isNum(c.trueShare) && c.trueShare > 10 * NEVER_PREDICTED_SHARE && (!isNum(c.predictedShare) || c.predictedShare <= NEVER_PREDICTED_SHARE);
    }),
  );
  if (never.length > 0 && out.length === 0) {
    const shares = never.map((name) => {
      const c = h[n - 1].val.classes.find((x) => x.name === name)!;
      return `"${name}" (${pct(c.trueShare)} of the pixels)`;
    });
    out.push({
      id: 'collapsed',
      severity: 'critical',
      title: `Class${never.length > 1 ? 'es' : ''} never predicted`,
      message: `In all ${n} epochs the network never predicted ${shares.join(', ')} on validation, although ${never.length > 1 ? 'they are' : 'it is'} in the ground truth.`,
      evidence: { classes: never.join(', '), neverPredicted: never.length, epochs: n },
      images: [],
      action,
    });
  }
  return out;
}

export function checkDiverged(h: readonly EpochRecord[]): Finding[] {
  const action =
    'Lower the learning rate (10x), clip gradients, check the inputs for NaN/Inf and extreme values (normalisation), and avoid log(0) in the loss ' +
    '(compute cross-entropy from logits). Use the last good checkpoint.';
  for (let i = 0; i < h.length; i++) {
    const r = h[i];
    const bad = (x: number | null) => x === null || !Number.isFinite(x);
    const trainBad = bad(r.trainLoss);
    const valBad = bad(r.valLoss) && h.slice(0, i).some((e) => isNum(e.valLoss));
    if (trainBad || valBad) {
      const what = trainBad ? 'training' : 'validation';
      return [
        {
          id: 'diverged',
          severity: 'critical',
          title: 'Training diverged (NaN loss)',
          message: `The ${what} loss became NaN or infinite at epoch ${r.epoch}` + (i > 0 ? ` (epoch ${h[i - 1].epoch}: ${fmt(trainBad ? h[i - 1].trainLoss : h[i - 1].valLoss)}).` : '.'),
          evidence: { epoch: r.epoch, loss: what, previousLoss: i > 0 ? num(trainBad ? h[i - 1].trainLoss : h[i - 1].valLoss) : null },
          images: [],
          action,
        },
      ];
    }
  }
  const first = h.find((r) => isNum(r.trainLoss))?.trainLoss;
  let lowest = Infinity;
  for (const r of h) {
    const l = r.trainLoss as number;
    if (isNum(first) && l > DIVERGE_FACTOR * lowest && l > first) {
      return [
        {
          id: 'diverged',
          severity: 'critical',
          title: 'Training loss exploded',
          message: `The training loss rose to ${fmt(l)} at epoch ${r.epoch}, ${fmt(l / lowest, 1)} x its lowest earlier value ${fmt(lowest)} and above its first value ${fmt(first)}.`,
          evidence: { epoch: r.epoch, loss: 'training', value: l, lowest, first, factor: l / lowest, divergeFactor: DIVERGE_FACTOR },
          images: [],
          action,
        },
      ];
    }
    lowest = Math.min(lowest, l);
  }
  return [];
}

export function checkOverfitting(h: readonly EpochRecord[]): Finding[] {
  const n = h.length;
  if (n < OVERFIT_WINDOW + 2) return [];
  const tail = h.slice(n - OVERFIT_WINDOW);
  const trainTail = mean(tail.map((r) => r.trainLoss).filter(isNum));
  const reasons: string[] = [];
  const evidence: Record<string, number | null> = {};
  let bestEpoch: number | undefined;

  // Validation loss: its minimum lies before the window and the window sits clearly above it.
  const valLosses = h.map((r, i) => ({ i, v: r.valLoss })).filter((x): x is { i: number; v: number } => isNum(x.v));
  if (valLosses.length >= OVERFIT_WINDOW + 2) {
    const min = valLosses.reduce((a, b) => (b.v < a.v ? b : a));
    const tailVal = mean(tail.map((r) => r.valLoss).filter(isNum));
    const trainAtMin = h[min.i].trainLoss;
    if (min.i < n - OVERFIT_WINDOW && tailVal >= (1 + OVERFIT_LOSS_RISE) * min.v && isNum(trainAtMin) && trainTail < trainAtMin) {
      reasons.push(
        `the validation loss rose from its minimum ${fmt(min.v)} (epoch ${h[min.i].epoch}) to ${fmt(tailVal)} (mean of the last ${OVERFIT_WINDOW} epochs) while the training loss fell from ${fmt(trainAtMin)} to ${fmt(trainTail)}`,
      );
      Object.assign(evidence, { minValLoss: min.v, minValLossEpoch: h[min.i].epoch, lastValLoss: tailVal, trainLossAtMin: trainAtMin, lastTrainLoss: trainTail });
      bestEpoch = h[min.i].epoch;
    }
  }
  // Validation foreground Dice: its best lies before the window and the window sits clearly below it.
  const dice = h.map((r, i) => ({ i, v: r.val.meanForegroundDice })).filter((x): x is { i: number; v: number } => isNum(x.v));
  if (dice.length >= OVERFIT_WINDOW + 2) {
    const best = dice.reduce((a, b) => (b.v > a.v ? b : a));
    const tailDice = mean(tail.map((r) => r.val.meanForegroundDice).filter(isNum));
    const trainAtBest = h[best.i].trainLoss;
    if (best.i < n - OVERFIT_WINDOW && tailDice <= best.v - OVERFIT_METRIC_DROP && isNum(trainAtBest) && trainTail < trainAtBest) {
      reasons.push(
        `the validation foreground Dice fell from its best ${fmt(best.v)} (epoch ${h[best.i].epoch}) to ${fmt(tailDice)} (mean of the last ${OVERFIT_WINDOW} epochs) while the training loss kept falling`,
      );
      Object.assign(evidence, { bestDice: best.v, bestDiceEpoch: h[best.i].epoch, lastDice: tailDice });
      bestEpoch = h[best.i].epoch;
    }
  }
  if (reasons.length === 0) return [];
  const kept = h.find((r) => r.monitor.best && r.epoch === bestEpoch) ?? [...h].reverse().find((r) => r.monitor.best);
  return [
    {
      id: 'overfitting',
      severity: 'warning',
      title: 'Overfitting',
      message: `After ${n} epochs ${reasons.join('; and ')}.`,
      evidence: { epochs: n, ...evidence, bestCheckpointEpoch: kept?.epoch ?? null },
      images: [],
      action:
        `Use the best checkpoint${kept ? ` (epoch ${kept.epoch}, kept as "best")` : ''}, not the last weights; stop early on the validation foreground Dice; ` +
        'add augmentation (flips, rotations, elastic, intensity) or more annotated images; reduce the network size or the number of epochs.',
    },
  ];
}

/** All history checks. */
export function historyFindings(h: readonly EpochRecord[], opts: HistoryOptions = {}): Finding[] {
  if (h.length === 0) return [];
  const diverged = checkDiverged(h);
  // After divergence the later epochs are NaN noise: the other checks would only echo it.
  if (diverged.length > 0) return diverged;
  return [...checkNotLearning(h), ...checkCollapsed(h, opts), ...checkOverfitting(h)];
}
