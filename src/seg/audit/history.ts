// Checks on a run's history (metrics.jsonl, one EpochRecord per epoch): the network does not learn
// (CONTEXT story 4: loss at ln 2 for good), collapsed to one class, never predicts a class,
// diverged, or overfits. Each check looks at the shape of the curves, never at one epoch alone,
// and stays silent while the run is too short to tell.
//
// One set of detectors, two modes (rules.ts holds both columns of thresholds with the reason for
// each): `after` judges a finished run for the report; `live` is what the trainer runs after every
// epoch (and checkStepLoss after every step), with the numbers only it has (the loss of the first
// steps, whether the loss is a pure cross-entropy). On a clear case both modes fire the same id.
import type { EpochRecord } from '../history.ts';
import { neverPredicted } from './never-predicted.ts';
import { HISTORY_RULES, rule, ruleOrNull } from './rules.ts';
import type { HistoryMode } from './rules.ts';
import type { Finding } from './types.ts';
import { fmt, num, pct } from './types.ts';

export interface HistoryOptions {
  /** `after` (default): a finished run; `live`: the trainer, epoch by epoch. */
  mode?: HistoryMode;
  /** Name of the background class (default: the class with the largest true share). */
  background?: string;
  /** Mean loss of the first steps of the run, before learning could move it (the trainer knows it). */
  initialLoss?: number | null;
  /**
   * Chance level of the training loss: ln K for softmax cross-entropy, ln 2 for sigmoid; null when
   * the loss has none (Dice, Dice + CE). Left out: ln K, the cross-entropy of a uniform guess.
   */
  chanceLoss?: number | null;
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

const modeOf = (o: HistoryOptions): HistoryMode => o.mode ?? 'after';

export function checkNotLearning(h: readonly EpochRecord[], opts: HistoryOptions = {}): Finding[] {
  const mode = modeOf(opts);
  const E = rule('notLearningEpochs', mode);
  const n = h.length;
  if (n < E) return [];
  const K = h[n - 1].val.classes.length;
  const lnK = Math.log(Math.max(2, K));
  const chanceLevel = opts.chanceLoss === undefined ? lnK : opts.chanceLoss;
  const tol = rule('chanceLossTolerance', mode);
  const minDrop = rule('minLossDrop', mode);
  const window = h.slice(n - E);
  const losses = window.map((r) => r.trainLoss);
  const dice = h.map((r) => r.val.meanForegroundDice).filter(isNum);
  const firstDice = h.map((r) => r.val.meanForegroundDice).find(isNum);
  const bestDice = dice.length ? Math.max(...dice) : NaN;
  const learned = bestDice >= rule('learnedDice', mode);
  const reasons: string[] = [];
  let chance = false;
  let flat = false;
  // Live, the reference is the loss of the first steps; after the run, the start of the window.
  const initial = mode === 'live' && isNum(opts.initialLoss) && opts.initialLoss > 0 ? opts.initialLoss : undefined;
  if (losses.every(isNum)) {
    const l = losses as number[];
    const ref = initial ?? l[0];
    chance = chanceLevel !== null && l.every((x) => Math.abs(x - chanceLevel) <= tol * chanceLevel);
    flat = (ref - Math.min(...l)) / Math.abs(ref || 1) < minDrop && Math.max(...l) <= ref * (1 + minDrop);
    const since = initial !== undefined ? `its initial ${fmt(initial)} (first steps)` : `${fmt(l[0])} ${E} epochs ago`;
    if (chance) {
      const what = opts.chanceLoss === undefined ? `ln ${K} = ${fmt(lnK)} of a network that outputs 1/${K} for every class` : `${fmt(chanceLevel)} of a uniform guess`;
      reasons.push(`the training loss has stayed at ${fmt(l[l.length - 1])} over the last ${E} epochs, the chance level ${what}`);
    } else if (flat && !learned) reasons.push(`the training loss is ${fmt(l[l.length - 1])}, less than ${pct(minDrop)} below ${since}`);
  }
  const minGain = ruleOrNull('minDiceImprovement', mode);
  const noImprovement = minGain !== null && (isNum(firstDice) ? bestDice - firstDice < minGain : dice.length === 0);
  if (noImprovement && !learned) {
    reasons.push(
      dice.length
        ? `the validation foreground Dice never rose more than ${fmt(minGain, 2)} above its first value in ${n} epochs (first ${fmt(firstDice)}, best ${fmt(bestDice)})`
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
        chanceLoss: num(chanceLevel),
        initialLoss: num(initial),
        lastTrainLoss: num(h[n - 1].trainLoss),
        atChanceLevel: chance,
        lossFlat: flat,
        firstForegroundDice: num(firstDice),
        bestForegroundDice: num(bestDice),
        mode,
      },
      images: [],
      action:
        'Check, in this order: that masks belong to their images (pairing, seglens inspect) and hold class ids; the input normalisation; the weight initialiser ' +
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

function collapseAt(r: EpochRecord, mode: HistoryMode): Collapse | undefined {
  const share = rule('collapseShare', mode);
  const ratio = rule('collapseOthersRatio', mode);
  for (const c of r.val.classes) {
    if (!isNum(c.predictedShare) || !isNum(c.trueShare)) continue;
    const p = c.predictedShare;
    const t = c.trueShare;
    if (p >= share && t < p && 1 - p < ratio * (1 - t)) return { epoch: r.epoch, name: c.name, predictedShare: p, trueShare: t };
  }
  return undefined;
}

const COLLAPSE_ACTION =
  'Weight the loss towards the rare classes (class weights or a Dice term), sample patches that contain foreground, lower the learning rate, ' +
  'and check the final layer: a softmax over K channels with no activation or normalisation in front of it.';

export function checkCollapsed(h: readonly EpochRecord[], opts: HistoryOptions = {}): Finding[] {
  const mode = modeOf(opts);
  const E = rule('collapseEpochs', mode);
  const n = h.length;
  if (n < E) return [];
  const last = h.slice(n - E).map((r) => collapseAt(r, mode));
  if (!last.every((c) => c !== undefined) || !last.every((c) => c!.name === last[0]!.name)) return [];
  const c = last[last.length - 1]!;
  const share = rule('collapseShare', mode);
  return [
    {
      id: 'collapsed',
      severity: 'critical',
      title: `Collapsed to "${c.name}"`,
      message:
        `In each of the last ${E} epochs the network predicted "${c.name}" on at least ${pct(share)} of the validation pixels ` +
        `(epoch ${c.epoch}: ${pct(c.predictedShare)}) although only ${pct(c.trueShare)} of them are "${c.name}": the other classes get ${pct(1 - c.predictedShare)} of the pixels instead of ${pct(1 - c.trueShare)}.`,
      evidence: { class: c.name, epoch: c.epoch, predictedShare: c.predictedShare, trueShare: c.trueShare, epochs: E, mode },
      images: [],
      action: COLLAPSE_ACTION,
    },
  ];
}

/**
 * `class-never-predicted` from the history: a foreground class (almost) never predicted on
 * validation in any epoch, by the same rule as the evaluation's check (never-predicted.ts).
 */
export function checkNeverPredictedInHistory(h: readonly EpochRecord[], opts: HistoryOptions = {}): Finding[] {
  const mode = modeOf(opts);
  const n = h.length;
  if (n < rule('neverPredictedEpochs', mode)) return [];
  const minShare = rule('neverPredictedMinTrueShare', mode);
  const bg = backgroundName(h, opts);
  const names = h[n - 1].val.classes.map((c) => c.name).filter((name) => name !== bg);
  const never = names.filter((name) =>
    h.every((r) => {
      const c = r.val.classes.find((x) => x.name === name);
      return c !== undefined && isNum(c.trueShare) && c.trueShare >= minShare && neverPredicted(c.trueShare, isNum(c.predictedShare) ? c.predictedShare : 0, mode);
    }),
  );
  if (never.length === 0) return [];
  const lastOf = (name: string) => h[n - 1].val.classes.find((x) => x.name === name)!;
  const shares = never.map((name) => `"${name}" (${pct(lastOf(name).trueShare)} of the pixels, predicted on ${pct(lastOf(name).predictedShare)})`);
  return [
    {
      id: 'class-never-predicted',
      severity: 'critical',
      title: `Class${never.length > 1 ? 'es' : ''} never predicted`,
      message:
        `In all ${n} epochs the network predicted ${shares.join(', ')} on fewer than ${pct(rule('neverPredictedRatio', mode))} of the validation pixels ` +
        `${never.length > 1 ? 'they cover' : 'it covers'} in the ground truth.`,
      evidence: { classes: never.join(', '), neverPredicted: never.length, epochs: n, ratio: rule('neverPredictedRatio', mode), mode },
      images: [],
      action: `${COLLAPSE_ACTION} Check that ${never.map((x) => `"${x}"`).join(', ')} occurs in the training split (seglens split prints the classes per split).`,
    },
  ];
}

const DIVERGED_ACTION =
  'Lower the learning rate (10x), clip gradients, check the inputs for NaN/Inf and extreme values (normalisation), and avoid log(0) in the loss ' +
  '(compute cross-entropy from logits). Use the last good checkpoint (best is kept).';

export function checkDiverged(h: readonly EpochRecord[], opts: HistoryOptions = {}): Finding[] {
  const mode = modeOf(opts);
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
          evidence: { epoch: r.epoch, loss: what, previousLoss: i > 0 ? num(trainBad ? h[i - 1].trainLoss : h[i - 1].valLoss) : null, mode },
          images: [],
          action: DIVERGED_ACTION,
        },
      ];
    }
  }
  const factor = rule('epochDivergeFactor', mode);
  const first = h.find((r) => isNum(r.trainLoss))?.trainLoss;
  let lowest = Infinity;
  for (const r of h) {
    const l = r.trainLoss as number;
    if (isNum(first) && l > factor * lowest && l > first) {
      return [
        {
          id: 'diverged',
          severity: 'critical',
          title: 'Training loss exploded',
          message: `The training loss rose to ${fmt(l)} at epoch ${r.epoch}, ${fmt(l / lowest, 1)} x its lowest earlier value ${fmt(lowest)} and above its first value ${fmt(first)}.`,
          evidence: { epoch: r.epoch, loss: 'training', value: l, lowest, first, factor: l / lowest, divergeFactor: factor, mode },
          images: [],
          action: DIVERGED_ACTION,
        },
      ];
    }
    lowest = Math.min(lowest, l);
  }
  return [];
}

export interface StepLoss {
  epoch: number;
  /** 1-based step within the epoch. */
  step: number;
  loss: number;
  /** Mean loss of the first steps of the run; null before there is one. */
  initialLoss: number | null;
  learningRate: number;
}

/** Live only, after every step: a NaN/Infinity step loss, or one far above the initial loss (stepDivergeFactor). */
export function checkStepLoss(s: StepLoss): Finding[] {
  const factor = rule('stepDivergeFactor', 'live');
  const finite = Number.isFinite(s.loss);
  const exploded = finite && s.initialLoss !== null && s.initialLoss > 0 && s.loss > factor * s.initialLoss;
  if (finite && !exploded) return [];
  const value = (x: number) => (Math.abs(x) >= 100 || Math.abs(x) < 0.01 ? x.toExponential(2) : x.toFixed(3));
  const what = finite ? `exploded to ${value(s.loss)} (${factor}x the initial ${value(s.initialLoss!)})` : `became ${s.loss}`;
  return [
    {
      id: 'diverged',
      severity: 'critical',
      title: finite ? 'Training loss exploded' : 'Training diverged (NaN loss)',
      message: `Training diverged: the loss ${what} at epoch ${s.epoch}, step ${s.step}, learning rate ${value(s.learningRate)}. Training stopped; the best checkpoint so far is kept.`,
      evidence: { epoch: s.epoch, step: s.step, loss: finite ? s.loss : String(s.loss), initialLoss: num(s.initialLoss), learningRate: s.learningRate, divergeFactor: factor, mode: 'live' },
      images: [],
      action: `Lower the learning rate (--lr, e.g. 10x smaller) and check the input normalisation of the images. ${DIVERGED_ACTION}`,
    },
  ];
}

export function checkOverfitting(h: readonly EpochRecord[], opts: HistoryOptions = {}): Finding[] {
  const mode = modeOf(opts);
  const W = rule('overfitWindow', mode);
  const rise = rule('overfitLossRise', mode);
  const drop = rule('overfitMetricDrop', mode);
  const n = h.length;
  if (n < W + 2) return [];
  const tail = h.slice(n - W);
  const trainTail = mean(tail.map((r) => r.trainLoss).filter(isNum));
  const reasons: string[] = [];
  const evidence: Record<string, number | null> = {};
  let bestEpoch: number | undefined;

  // Validation loss: its minimum lies before the window and the window sits clearly above it.
  const valLosses = h.map((r, i) => ({ i, v: r.valLoss })).filter((x): x is { i: number; v: number } => isNum(x.v));
  if (valLosses.length >= W + 2) {
    const min = valLosses.reduce((a, b) => (b.v < a.v ? b : a));
    const tailVal = mean(tail.map((r) => r.valLoss).filter(isNum));
    const trainAtMin = h[min.i].trainLoss;
    if (min.i < n - W && tailVal >= (1 + rise) * min.v && isNum(trainAtMin) && trainTail < trainAtMin) {
      reasons.push(
        `the validation loss rose from its minimum ${fmt(min.v)} (epoch ${h[min.i].epoch}) to ${fmt(tailVal)} (mean of the last ${W} epochs) while the training loss fell from ${fmt(trainAtMin)} to ${fmt(trainTail)}`,
      );
      Object.assign(evidence, { minValLoss: min.v, minValLossEpoch: h[min.i].epoch, lastValLoss: tailVal, trainLossAtMin: trainAtMin, lastTrainLoss: trainTail });
      bestEpoch = h[min.i].epoch;
    }
  }
  // Validation foreground Dice: its best lies before the window and the window sits clearly below it.
  const dice = h.map((r, i) => ({ i, v: r.val.meanForegroundDice })).filter((x): x is { i: number; v: number } => isNum(x.v));
  if (dice.length >= W + 2) {
    const best = dice.reduce((a, b) => (b.v > a.v ? b : a));
    const tailDice = mean(tail.map((r) => r.val.meanForegroundDice).filter(isNum));
    const trainAtBest = h[best.i].trainLoss;
    if (best.i < n - W && tailDice <= best.v - drop && isNum(trainAtBest) && trainTail < trainAtBest) {
      reasons.push(
        `the validation foreground Dice fell from its best ${fmt(best.v)} (epoch ${h[best.i].epoch}) to ${fmt(tailDice)} (mean of the last ${W} epochs) while the training loss kept falling`,
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
      evidence: { epochs: n, ...evidence, bestCheckpointEpoch: kept?.epoch ?? null, mode },
      images: [],
      action:
        `Use the best checkpoint${kept ? ` (epoch ${kept.epoch}, kept as "best")` : ''}, not the last weights; stop early on the validation foreground Dice; ` +
        'add augmentation (flips, rotations, elastic, intensity) or more annotated images; reduce the network size or the number of epochs.',
    },
  ];
}

/** All history checks, in either mode. */
export function historyFindings(h: readonly EpochRecord[], opts: HistoryOptions = {}): Finding[] {
  if (h.length === 0) return [];
  const diverged = checkDiverged(h, opts);
  // After divergence the later epochs are NaN noise: the other checks would only echo it.
  if (diverged.length > 0) return diverged;
  const collapsed = checkCollapsed(h, opts);
  // A collapse explains every class it swallowed and the fall of the validation Dice: "never
  // predicted" and "overfitting" would only repeat it.
  const others = collapsed.length > 0 ? [] : [...checkNeverPredictedInHistory(h, opts), ...checkOverfitting(h, opts)];
  return [...checkNotLearning(h, opts), ...collapsed, ...others];
}

export { HISTORY_RULES };
