// Findings that only overlapping classes (independent sigmoid outputs, a threshold per class) can
// have. Both read an evaluation's `multiLabel` summary (src/seg/metrics/multilabel.ts); neither
// recomputes a figure.
import type { EvalResult, MultiLabelEvalResult } from '../metrics/index.ts';
import type { Finding } from './types.ts';
import { fmt, num, pct } from './types.ts';

/**
 * ROC-AUC at or above this is "high": the probabilities rank the class's pixels above the others
 * 9 times in 10. Below it the ranking itself is the problem, not the threshold.
 */
export const THRESHOLD_PROBLEM_AUC = 0.9;
/** Dice at the chosen threshold below this is "poor" (the audit's POOR_FOREGROUND_DICE). */
export const THRESHOLD_PROBLEM_DICE = 0.5;
/**
 * Best Dice on the class's curve at least this much above the Dice at its threshold: another
 * threshold would do clearly better (the threshold is wrong, not only the model).
 */
export const THRESHOLD_GAIN = 0.1;

/** A class is "inside" a parent when at least this share of its true pixels are also the parent's. */
export const PARENT_CONTAINS = 0.9;
/** Predicted on at least this share of the parent's true pixels... */
export const SHORTCUT_PREDICTED_SHARE = 0.5;
/** ...while truly covering less than half of that share of them. */
export const SHORTCUT_RATIO = 2;

function multi(r: EvalResult): MultiLabelEvalResult['multiLabel'] | undefined {
  return (r as Partial<MultiLabelEvalResult>).multiLabel;
}

/**
 * `threshold-problem`: per foreground class, a high pixel AUC with a poor Dice at the class's
 * threshold. The evidence says whether another threshold would help (the best Dice on the curve)
 * or whether the class is so rare that a good AUC still leaves few correct pixels at the top
 * (average precision near the prevalence).
 */
export function checkThresholdProblem(r: EvalResult): Finding[] {
  const m = multi(r);
  if (!m) return [];
  const out: Finding[] = [];
  for (const c of m.classes) {
    if (c.isBackground || !(c.auc >= THRESHOLD_PROBLEM_AUC)) continue;
    const dice = r.classes[c.id].dice;
    if (!(dice < THRESHOLD_PROBLEM_DICE)) continue;
    let best = { dice: -1, threshold: c.threshold };
    for (const p of c.curve) if (p.dice !== null && p.dice > best.dice) best = { dice: p.dice, threshold: p.threshold };
    const thresholdWrong = best.dice - dice >= THRESHOLD_GAIN;
    out.push({
      id: 'threshold-problem',
      severity: 'warning',
      title: `"${c.name}": probabilities rank well, thresholded mask poor`,
      message:
        `Class "${c.name}" has a pixel ROC-AUC of ${fmt(c.auc)} but a Dice of ${fmt(dice)} at its threshold ${fmt(c.threshold)}. ` +
        (thresholdWrong
          ? `At threshold ${fmt(best.threshold)} its Dice would be ${fmt(best.dice)} on these images: the threshold, not the ranking, is the problem.`
          : `No threshold does much better (best ${fmt(best.dice)} at ${fmt(best.threshold)}): the class covers ${pct(c.prevalence)} of the pixels, and its average precision is ${fmt(c.averagePrecision)}, so a high AUC still leaves many false positives at the top.`),
      evidence: {
        class: c.name,
        auc: num(c.auc),
        dice: num(dice),
        threshold: c.threshold,
        bestDice: num(best.dice),
        bestThreshold: best.threshold,
        averagePrecision: num(c.averagePrecision),
        prevalence: num(c.prevalence),
      },
      images: [],
      action: thresholdWrong
        ? `Move the threshold of "${c.name}" (the app shows its Dice live) or choose it on a validation split that resembles these images; a shared 0.5 is rarely right for a rare class.`
        : `Judge "${c.name}" by its average precision and Dice, not its AUC; more examples of it, or a loss weighting its positives, help more than a threshold.`,
    });
  }
  return out;
}

/**
 * `cooccurrence-shortcut`: a class whose true pixels lie inside another class (a nucleolus in its
 * nucleus) predicted over most of that parent although it truly covers a small part of it: the
 * model learnt "where the parent is", not the class.
 */
export function checkCooccurrenceShortcut(r: EvalResult): Finding[] {
  const m = multi(r);
  if (!m?.predictedOnTruth) return [];
  const truth = m.truthCooccurrence;
  const pred = m.predictedOnTruth;
  const out: Finding[] = [];
  for (const child of m.classes) {
    if (child.isBackground || truth[child.id][child.id] === 0) continue;
    for (const parent of m.classes) {
      if (parent.id === child.id || parent.isBackground) continue;
      const parentPixels = truth[parent.id][parent.id];
      if (!parentPixels || truth[child.id][parent.id] / truth[child.id][child.id] < PARENT_CONTAINS) continue;
      const trueShare = truth[child.id][parent.id] / parentPixels;
      const predictedShare = pred[parent.id][child.id] / parentPixels;
      if (predictedShare < SHORTCUT_PREDICTED_SHARE || predictedShare < SHORTCUT_RATIO * trueShare) continue;
      out.push({
        id: 'cooccurrence-shortcut',
        severity: 'warning',
        title: `"${child.name}" predicted wherever "${parent.name}" is`,
        message:
          `"${child.name}" lies inside "${parent.name}" in the ground truth and covers ${pct(trueShare)} of its pixels, but it is predicted on ${pct(predictedShare)} of them: ` +
          `the model marks "${parent.name}" as "${child.name}" instead of finding "${child.name}" itself (a co-occurrence shortcut).`,
        evidence: { class: child.name, parent: parent.name, trueShareOfParent: num(trueShare), predictedShareOfParent: num(predictedShare), threshold: child.threshold },
        images: [],
        action: `Look at the "${child.name}" probability map over "${parent.name}": raise its threshold, train longer or with its positives weighted, and make sure "${parent.name}" without "${child.name}" occurs in the training images.`,
      });
    }
  }
  return out;
}
