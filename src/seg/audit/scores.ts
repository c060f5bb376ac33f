// Checks on an EvalResult: figures that the background makes look good (CONTEXT story 1: Dice 0.95
// summed over all channels, predictions useless), accuracy no better than predicting background
// everywhere, and the images where a good-looking score hides a bad mask.
import type { EvalResult, ImageResult } from '../metrics/index.ts';
import type { Finding } from './types.ts';
import { fmt, listNames, num, pct } from './types.ts';

/**
 * A background-inclusive figure at or above this "looks good": 0.8 is where users stop looking
 * (story 1 saw 0.95), and a mask with foreground Dice 0.5 already reaches it when the background
 * covers 70-90 % of the pixels, as in most microscopy.
 */
export const LOOKS_GOOD = 0.8;
/**
 * Mean foreground Dice below this is "poor": less than half of the foreground overlaps. At 0.5 a
 * predicted object of the right size is shifted by a third of its width.
 */
export const POOR_FOREGROUND_DICE = 0.5;
/**
 * A gap this large between the best-looking background-inclusive figure and the foreground Dice is
 * flagged (as a warning) even when the foreground Dice is not poor: the figure a user would quote
 * then overstates the foreground by a third of the scale.
 */
export const DOMINATED_GAP = 0.3;
/**
 * The model must remove at least this share of the errors that "everything is background" makes
 * (its error = the foreground share). 20 %: below it, accuracy is a re-statement of the class
 * balance, whatever its value (an accuracy of 0.91 over a baseline of 0.90 removes 10 %).
 */
export const BASELINE_MIN_ERROR_REDUCTION = 0.2;
/** Messages name at most this many images; `images` lists them all. */
const SHOWN = 5;

/** The background-inclusive figure most likely to be quoted: the largest of the three. */
function misleading(r: { pixelAccuracy: number; channelSummedDice: number; meanDiceWithBackground: number }): { name: string; value: number } {
  const figures = [
    { name: 'pixelAccuracy', value: r.pixelAccuracy },
    { name: 'channelSummedDice', value: r.channelSummedDice },
    { name: 'meanDiceWithBackground', value: r.meanDiceWithBackground },
  ].filter((f) => !Number.isNaN(f.value));
  if (figures.length === 0) return { name: 'pixelAccuracy', value: NaN };
  return figures.reduce((a, b) => (b.value > a.value ? b : a));
}

export function checkBackgroundDominated(r: EvalResult): Finding[] {
  const fg = r.meanForegroundDice;
  const top = misleading(r);
  if (Number.isNaN(fg) || Number.isNaN(top.value) || top.value < LOOKS_GOOD) return [];
  const gap = top.value - fg;
  const poor = fg < POOR_FOREGROUND_DICE;
  if (!poor && gap < DOMINATED_GAP) return [];
  const worstClasses = r.classes
    .filter((c) => !c.isBackground && !Number.isNaN(c.dice))
    .sort((a, b) => a.dice - b.dice)
    .slice(0, 3)
    .map((c) => `${c.name} ${fmt(c.dice)}`);
  return [
    {
      id: 'background-dominated',
      severity: poor ? 'critical' : 'warning',
      title: 'Score dominated by the background',
      message:
        `${top.name} is ${fmt(top.value)} (pixel accuracy ${fmt(r.pixelAccuracy)}, channel-summed Dice ${fmt(r.channelSummedDice)}, ` +
        `Dice with background ${fmt(r.meanDiceWithBackground)}) but the mean foreground Dice is only ${fmt(fg)} over ${r.validForegroundClasses} class(es)` +
        (worstClasses.length ? ` (lowest: ${worstClasses.join(', ')})` : '') +
        `. The background (${r.backgroundClass}) covers ${pct(r.allBackgroundAccuracy)} of the labelled pixels, so it carries the inclusive figures.`,
      evidence: {
        misleadingFigure: top.name,
        misleadingValue: num(top.value),
        pixelAccuracy: num(r.pixelAccuracy),
        channelSummedDice: num(r.channelSummedDice),
        meanDiceWithBackground: num(r.meanDiceWithBackground),
        meanForegroundDice: num(fg),
        validForegroundClasses: r.validForegroundClasses,
        gap: num(gap),
        backgroundShare: num(r.allBackgroundAccuracy),
        looksGood: LOOKS_GOOD,
        poorForegroundDice: POOR_FOREGROUND_DICE,
      },
      images: [],
      action:
        'Judge the model by the per-class foreground Dice (the headline), never by accuracy or a Dice summed over all channels. ' +
        'Train with a loss that weights the foreground (Dice or class-weighted cross-entropy) and monitor the foreground Dice on validation.',
    },
  ];
}

export function checkBelowBaseline(r: EvalResult): Finding[] {
  const acc = r.pixelAccuracy;
  const base = r.allBackgroundAccuracy;
  if (Number.isNaN(acc) || Number.isNaN(base)) return [];
  const baselineError = 1 - base;
  if (baselineError <= 0) return []; // no foreground at all: nothing to beat
  const reduction = (baselineError - (1 - acc)) / baselineError;
  if (reduction >= BASELINE_MIN_ERROR_REDUCTION) return [];
  return [
    {
      id: 'below-baseline',
      severity: 'critical',
      title: acc <= base ? 'No better than predicting background everywhere' : 'Barely better than predicting background everywhere',
      message:
        `Pixel accuracy ${fmt(acc, 4)} against ${fmt(base, 4)} for predicting every pixel as ${r.backgroundClass}: ` +
        `the model removes ${pct(reduction)} of that trivial prediction's errors (at least ${pct(BASELINE_MIN_ERROR_REDUCTION)} expected). ` +
        `Mean foreground Dice ${fmt(r.meanForegroundDice)} (all-background: ${fmt(r.baseline.meanForegroundDice)}).`,
      evidence: {
        pixelAccuracy: num(acc),
        allBackgroundAccuracy: num(base),
        errorReduction: num(reduction),
        minErrorReduction: BASELINE_MIN_ERROR_REDUCTION,
        meanForegroundDice: num(r.meanForegroundDice),
        baselineMeanForegroundDice: num(r.baseline.meanForegroundDice),
      },
      images: [],
      action:
        'The accuracy only restates the class balance. Check that the model learns at all (loss history), that predictions are compared with the right ' +
        'masks, and train with a foreground-weighted loss; report per-class foreground Dice instead of accuracy.',
    },
  ];
}

/**
 * An image's best-looking background-inclusive figure (pixel accuracy or Dice with background): the
 * figure a user would quote, and the x axis of the app's scatter.
 */
export function inclusiveScore(im: ImageResult): number {
  const a = im.pixelAccuracy;
  const d = im.meanDiceWithBackground;
  if (Number.isNaN(a)) return d;
  if (Number.isNaN(d)) return a;
  return Math.max(a, d);
}

/** Does the ground truth of the image contain any foreground class? */
export function hasForeground(im: ImageResult, backgroundClass: string): boolean {
  return im.classes.some((c) => c.name !== backgroundClass && c.gtPixels > 0);
}

/**
 * Images whose inclusive score looks good while the foreground Dice is poor, ranked by the gap.
 * Only images whose ground truth has foreground are judged: an image without foreground and a few
 * stray predicted pixels would have Dice 0 and flood the list, and those false positives already
 * show in the per-class precision.
 */
export function deceptiveImages(r: EvalResult): { image: ImageResult; inclusive: number; gap: number }[] {
  return r.perImage
    .filter((im) => isDeceptiveImage(im, r.backgroundClass))
    .map((image) => ({ image, inclusive: inclusiveScore(image), gap: inclusiveScore(image) - image.meanForegroundDice }))
    .sort((a, b) => b.gap - a.gap || (a.image.name < b.image.name ? -1 : 1));
}

/** The rule of deceptiveImages for one image: foreground in the ground truth, looks good, is poor. */
export function isDeceptiveImage(im: ImageResult, backgroundClass: string): boolean {
  return hasForeground(im, backgroundClass) && !Number.isNaN(im.meanForegroundDice) && inclusiveScore(im) >= LOOKS_GOOD && im.meanForegroundDice < POOR_FOREGROUND_DICE;
}

export function checkDeceptiveImages(r: EvalResult): Finding[] {
  const list = deceptiveImages(r);
  if (list.length === 0) return [];
  const judged = r.perImage.filter((im) => hasForeground(im, r.backgroundClass)).length;
  const shown = list
    .slice(0, SHOWN)
    .map((x) => `${x.image.name} (accuracy ${fmt(x.image.pixelAccuracy)}, foreground Dice ${fmt(x.image.meanForegroundDice)})`);
  return [
    {
      id: 'deceptive-images',
      severity: 'warning',
      title: 'Good-looking scores hiding bad masks',
      message:
        `${list.length} of the ${judged} images with foreground in the ground truth score >= ${LOOKS_GOOD} on a background-inclusive figure but have a foreground Dice < ${POOR_FOREGROUND_DICE}: ` +
        `${shown.join('; ')}${list.length > SHOWN ? `; and ${list.length - SHOWN} more` : ''}.`,
      evidence: {
        images: list.length,
        imagesJudged: judged,
        worstImage: list[0].image.name,
        worstGap: num(list[0].gap),
        looksGood: LOOKS_GOOD,
        poorForegroundDice: POOR_FOREGROUND_DICE,
      },
      images: list.map((x) => x.image.name),
      perImage: list.map((x) => ({
        image: x.image.name,
        evidence: {
          pixelAccuracy: num(x.image.pixelAccuracy),
          meanDiceWithBackground: num(x.image.meanDiceWithBackground),
          meanForegroundDice: num(x.image.meanForegroundDice),
          gap: num(x.gap),
        },
      })),
      action: `Look at these images first (original | ground truth | prediction | error map): ${listNames(list.map((x) => x.image.name))}. Their per-image accuracy says nothing about the objects.`,
    },
  ];
}
