// `class-never-predicted`: a foreground class that is in the ground truth, often in every image,
// and that the model predicts nowhere (or almost nowhere). Its Dice is 0, but the headline mean
// over foreground classes, the background-inclusive figures and the other classes' Dice can all
// look fine; "no findings" on such a model would be the worst possible answer. One rule for the
// evaluation (eval --audit, the report, the app's metrics) and the training history (history.ts):
// predicted pixels fewer than HISTORY_RULES.neverPredictedRatio of the true pixels.
import type { EvalResult } from '../metrics/index.ts';
import { rule } from './rules.ts';
import type { HistoryMode } from './rules.ts';
import type { Finding } from './types.ts';
import { fmt, listNames, num, pct } from './types.ts';

/** The rule itself, on pixel counts or shares of one class: predicted < ratio x true. */
export function neverPredicted(trueAmount: number, predictedAmount: number, mode: HistoryMode = 'after'): boolean {
  return trueAmount > 0 && predictedAmount < rule('neverPredictedRatio', mode) * trueAmount;
}

/** One finding per foreground class of the evaluation that is (almost) never predicted. */
export function checkNeverPredicted(r: EvalResult): Finding[] {
  const ratio = rule('neverPredictedRatio', 'after');
  const minShare = rule('neverPredictedMinTrueShare', 'after');
  const out: Finding[] = [];
  for (const c of r.classes) {
    if (c.isBackground || r.labelledPixels === 0) continue;
    const share = c.gtPixels / r.labelledPixels;
    if (share < minShare || !neverPredicted(c.gtPixels, c.predPixels)) continue;
    // Worst first: the images where the most of the class went unpredicted.
    const ranked = r.perImage
      .map((im) => {
        const k = im.classes.find((x) => x.name === c.name)!;
        return { name: im.name, gt: k.gtPixels, pred: k.predPixels, missed: k.fn };
      })
      .filter((x) => x.gt > 0)
      .sort((a, b) => b.missed - a.missed || (a.name < b.name ? -1 : 1));
    const nowhere = c.predPixels === 0;
    out.push({
      id: 'class-never-predicted',
      severity: 'critical',
      title: nowhere ? `Class "${c.name}" is never predicted` : `Class "${c.name}" is almost never predicted`,
      message:
        `"${c.name}" covers ${pct(share)} of the labelled pixels (${c.gtPixels} px, in ${c.imagesWithClass} of ${r.images} images), ` +
        `but the model predicts it on ${c.predPixels} px (${pct(c.predPixels / c.gtPixels)} of its true area, fewer than ${pct(ratio)}): ` +
        `Dice ${fmt(c.dice)}, recall ${fmt(c.recall)}. The mean foreground Dice ${fmt(r.meanForegroundDice)} and the other classes do not show this.`,
      evidence: {
        class: c.name,
        gtPixels: c.gtPixels,
        predPixels: c.predPixels,
        predictedToTrue: c.predPixels / c.gtPixels,
        trueShare: share,
        imagesWithClass: c.imagesWithClass,
        images: r.images,
        dice: num(c.dice),
        recall: num(c.recall),
        ratio,
      },
      images: ranked.map((x) => x.name),
      perImage: ranked.map((x) => ({ image: x.name, evidence: { gtPixels: x.gt, predPixels: x.pred, missedPixels: x.missed } })),
      action:
        `Look at ${listNames(ranked.map((x) => x.name), 3)} with the prediction overlaid. Train with a loss that weights rare classes (dice-ce or weighted-ce), ` +
        `sample patches that contain "${c.name}", check that it is in the training split, and that the model's class table lists it (a class added after training is never predicted).`,
    });
  }
  return out;
}
