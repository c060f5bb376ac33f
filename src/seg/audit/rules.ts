// The thresholds of the training-history checks, live and after the run side by side. The same
// detectors (history.ts) run in two modes: `live`, epoch by epoch inside the trainer, where a
// warning is worth most while the user can still stop the run; and `after`, on a finished run's
// metrics.jsonl for the report, where the run is judged as a whole. A rule that has one value in
// both columns is the same rule; a different value says why here, next to it. `null` means the
// rule does not apply in that mode. Nothing outside src/seg/audit holds a threshold of its own:
// the trainer (src/train/trainer/warnings.ts) and the app only display what these rules find.

export type HistoryMode = 'live' | 'after';

export interface HistoryRule {
  live: number | null;
  after: number | null;
  why: string;
}

export const HISTORY_RULES = {
  notLearningEpochs: {
    live: 3,
    after: 5,
    why:
      'Epochs before "not learning" may be said. Live: an epoch is at least 50 steps, so 3 epochs are 150+ Adam updates, far more than a working ' +
      'U-Net needs to move its loss, and the user can still stop the run. After the run: the last 5 epochs, so a slow start is not held against it.',
  },
  chanceLossTolerance: {
    live: 0.05,
    after: 0.05,
    why: 'A cross-entropy within 5 % of its chance level (ln K for K classes; CONTEXT story 4: 0.693 = ln 2) in every epoch of the window is a network that outputs the uniform guess.',
  },
  minLossDrop: {
    live: 0.05,
    after: 0.02,
    why:
      'The least relative drop of the training loss that counts as learning. Live it is measured from the mean loss of the first steps of the run ' +
      '(recorded before learning could move it), where a learning network drops far more than 5 %. After the run it is measured over the last ' +
      'window of epochs, where a converged run moves little, hence 2 %; a run whose foreground Dice reached learnedDice is exempt in both modes.',
  },
  minDiceImprovement: {
    live: null,
    after: 0.02,
    why:
      'The best validation foreground Dice must exceed the first epoch\'s by this much. Not used live: in the first epochs of a working run the ' +
      'Dice often has not moved yet, and a warning that fires on most healthy runs would teach users to ignore it.',
  },
  learnedDice: {
    live: 0.5,
    after: 0.5,
    why: 'A foreground Dice at or above 0.5 means the network learned something even if its loss stopped moving (it converged): the flat-loss and no-improvement rules then stay silent.',
  },
  collapseShare: {
    live: 0.98,
    after: 0.98,
    why: 'One class taking at least 98 % of the predicted validation pixels is a collapse candidate; 98 % leaves room for a few stray pixels of other classes.',
  },
  collapseOthersRatio: {
    live: 0.25,
    after: 0.25,
    why:
      '...if the other classes together then receive less than a quarter of the pixels they truly cover. A background of 97 % predicted on 99 % ' +
      'keeps a third of the foreground and is merely poor; a background of 90 % predicted on 99 % keeps a tenth, which is a collapse. This also keeps ' +
      'a data set that really is 99 % background from being flagged.',
  },
  collapseEpochs: {
    live: 2,
    after: 3,
    why:
      'Consecutive final epochs that must show the collapse. The very first epoch often predicts background only, hence 2 live (one epoch of ' +
      'collapse after that is worth a warning); after the run 3, so that a collapse the run recovered from is not reported.',
  },
  neverPredictedRatio: {
    live: 0.05,
    after: 0.05,
    why:
      'A class whose predicted pixels are fewer than 5 % of its true pixels is (almost) never predicted. The same ratio judges eval and the report ' +
      '(never-predicted.ts): a model that finds a twentieth of a class has not learned it, whatever the Dice of the other classes.',
  },
  neverPredictedMinTrueShare: {
    live: 0.001,
    after: 0.001,
    why: 'Only classes that cover at least 0.1 % of the validation pixels are judged: below that, a few validation images decide the ratio.',
  },
  neverPredictedEpochs: {
    live: 3,
    after: 1,
    why: 'The class must be (almost) never predicted in every epoch so far. Live only from the third epoch, because the first epochs of a working run predict the rare classes nowhere yet.',
  },
  stepDivergeFactor: {
    live: 1000,
    after: null,
    why:
      'Live, every step: a step loss NaN/Infinity or 1000 x the mean loss of the first steps stops training (Dice + CE starts near 1-3; a ' +
      'thousandfold rise is an exploding run, not noise). Not after the run: metrics.jsonl keeps epoch means only.',
  },
  epochDivergeFactor: {
    live: 3,
    after: 3,
    why: 'An epoch\'s training loss above 3 x its lowest earlier value (and above where it started) has exploded: noise around a low loss stays well under 3 x.',
  },
  overfitWindow: {
    live: 3,
    after: 3,
    why: 'Final epochs averaged when judging overfitting: one noisy epoch is not a trend.',
  },
  overfitLossRise: {
    live: 0.1,
    after: 0.1,
    why: 'Validation loss 10 % above its minimum (mean of the window) while the training loss kept falling is rising: 10 % rides out the noise of a handful of validation images.',
  },
  overfitMetricDrop: {
    live: 0.05,
    after: 0.05,
    why: 'Validation foreground Dice 0.05 below its best (mean of the window) while the training loss kept falling has fallen.',
  },
} as const satisfies Record<string, HistoryRule>;

export type HistoryRuleName = keyof typeof HISTORY_RULES;

/** A rule's threshold in a mode; throws for a rule that does not apply (a caller bug, not data). */
export function rule(name: HistoryRuleName, mode: HistoryMode): number {
  const v: number | null = HISTORY_RULES[name][mode];
  if (v === null) throw new Error(`History rule ${name} does not apply in ${mode} mode.`);
  return v;
}

/** A rule's threshold, or null where it does not apply in the mode. */
export function ruleOrNull(name: HistoryRuleName, mode: HistoryMode): number | null {
  return HISTORY_RULES[name][mode];
}
