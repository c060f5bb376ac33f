// The plain-language section "How every number was computed". Its core is METRIC_POLICY, the metrics
// module's own statement of its policy (kept in step with the code there), and POLICY_NAMES, the
// names of the reductions behind each figure; around it, what this report adds: the normalised
// confusion matrix, object recall, the gallery order, the error maps and the learning curves.
import { LOOKS_GOOD, POOR_FOREGROUND_DICE } from '../audit/scores.ts';
import { METRIC_POLICY, POLICY_NAMES } from '../metrics/index.ts';
import type { PolicyNames } from '../metrics/index.ts';
import { ERROR_COLORS, ERROR_MAP_DIM } from './palette.ts';
import type { ExplainItem, ExplainSection } from './types.ts';

/** METRIC_POLICY's bullets ("- " and nested "  - ") as items; its first line is the title. */
export function policyItems(policy: string = METRIC_POLICY): ExplainItem[] {
  const items: ExplainItem[] = [];
  for (const line of policy.split('\n').slice(1)) {
    const nested = /^\s{2,}-\s+(.*)$/.exec(line);
    const top = /^-\s+(.*)$/.exec(line);
    if (nested && items.length > 0) (items[items.length - 1].sub ??= []).push(nested[1].trim());
    else if (top) items.push({ text: top[1].trim() });
    else if (line.trim() && items.length > 0) items[items.length - 1].text += ` ${line.trim()}`;
  }
  return items;
}

const NAME_LABELS: Record<Exclude<keyof PolicyNames, 'version'>, string> = {
  ignore: 'Ignored pixels',
  undefinedValues: 'Undefined values',
  perClass: 'Per-class figures',
  imageMean: 'Image means',
  headline: 'Headline',
  withBackground: 'With background',
  channelSummedDice: 'Channel-summed Dice',
  baseline: 'All-background baseline',
};

export interface ExplainContext {
  backgroundClass: string;
  /** The weights that made the predictions, e.g. "best". */
  checkpoint?: string;
  /** The figure the trainer monitored to choose the best epoch. */
  monitor?: string;
  /** Object recall settings, when object recall was computed. */
  objects?: { connectivity: number; minCoverage: number; minObjectPixels: number };
  /** Whether the gallery was ordered by the audit's finding or by the gap rule. */
  galleryOrder?: 'audit' | 'gap';
  splits: string[];
  hasHistory: boolean;
  hasSplit: boolean;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;

function reportItems(ctx: ExplainContext): ExplainItem[] {
  const items: ExplainItem[] = [];
  const which = ctx.checkpoint ? `the "${ctx.checkpoint}" checkpoint` : 'the model';
  items.push({
    text:
      `Every figure of the ${ctx.splits.join(' and ')} sections is computed by the same metrics module as the command seglens eval, from the full-size masks that ${which} predicted for those images, ` +
      'compared pixel by pixel with the ground-truth masks. report.json holds each figure with the same value, and per_image_class.csv holds the counts behind them.',
  });
  items.push({
    text:
      `The headline is the mean foreground Dice: the background class "${ctx.backgroundClass}" excluded, because a class that covers most pixels makes any background-inclusive figure look good. ` +
      'Beside it stand the figures that include the background (Dice with background, channel-summed Dice, pixel accuracy) and the same figures for the trivial prediction "everything is background", so the gap is visible.',
  });
  items.push({
    text:
      'Confusion matrix: pixel counts summed over the images, rows = ground-truth class, columns = predicted class. Each row is divided by its total (the ground-truth pixels of that class), ' +
      'so a row reads "of the pixels that truly are this class, which share was predicted as each class"; the diagonal is the recall of the class. A class without ground-truth pixels has an empty row (n/a).',
  });
  if (ctx.objects) {
    const o = ctx.objects;
    items.push({
      text:
        `Object recall: each connected region (${o.connectivity}-connected) of a foreground class in the ground truth is one object; regions smaller than ${o.minObjectPixels} pixels are ignored as annotation specks. ` +
        `An object is found when at least ${pct(o.minCoverage)} of its pixels are predicted as its class. Object recall = found objects / objects, over all images of the split.`,
    });
  }
  items.push({
    text:
      `Image order in the gallery: first the images whose background-inclusive score looks good (pixel accuracy or Dice with background >= ${LOOKS_GOOD}) while their foreground Dice is poor (< ${POOR_FOREGROUND_DICE}), ` +
      (ctx.galleryOrder === 'gap'
        ? 'found by that rule because no audit ran, '
        : 'as listed by the audit\'s "deceptive-images" finding, ') +
      'largest gap first; then the other images by the same gap (inclusive score minus foreground Dice). Only images whose ground truth contains foreground can be deceptive.',
  });
  items.push({
    text: `Error maps, one per foreground class, one class against the rest: ${ERROR_COLORS.tp.colour} = ${ERROR_COLORS.tp.label}, ${ERROR_COLORS.fp.colour} = ${ERROR_COLORS.fp.label}, ${ERROR_COLORS.fn.colour} = ${ERROR_COLORS.fn.label}, ${ERROR_COLORS.ignore.colour} = ${ERROR_COLORS.ignore.label}; elsewhere the original image dimmed to ${pct(ERROR_MAP_DIM)} brightness.`,
    sub: [
      'Thumbnails are reduced by averaging the colours of the pixels they cover, so an error thinner than a thumbnail pixel shows as a tint rather than disappearing.',
      'The original is shown with a 1-99.8 percentile contrast stretch of its own intensities (16-bit images included); ground truth and prediction use the colours of the class table.',
    ],
  });
  if (ctx.hasHistory) {
    items.push({
      text:
        'Learning curves: one point per epoch from the run\'s metrics.jsonl. The validation figures there were computed by the same metrics module on the full validation images after each epoch. ' +
        `The marked best epoch is the one whose weights were saved as "best"${ctx.monitor ? `, chosen by ${ctx.monitor} on validation` : ''}.`,
    });
  }
  if (ctx.hasSplit) {
    items.push({
      text:
        'Class pixel fractions per split: the share of the labelled pixels of all images of the split that carry each class (ignored pixels are not counted), so each split\'s column sums to 100 %. ' +
        '"Images" counts the images in which the class occurs at all.',
    });
  }
  items.push({
    text:
      'per_image_class.csv: one row per split, image and class with tp, fp, fn, tn, Dice, IoU, precision, recall, ground-truth and predicted pixels of that image; an empty cell is an undefined value (NaN), never 0.',
  });
  return items;
}

export function explainSections(ctx: ExplainContext): ExplainSection[] {
  const names = Object.entries(NAME_LABELS).map(([k, label]) => ({ text: `${label}: ${POLICY_NAMES[k as keyof typeof NAME_LABELS]}.` }));
  return [
    { title: 'What this report shows', items: reportItems(ctx) },
    // The report shows no AUC (that needs probabilities); its policy item would only puzzle a reader.
    { title: METRIC_POLICY.split('\n')[0], items: policyItems().filter((it) => !/^ROC-AUC/.test(it.text)) },
    { title: 'Names of the reductions (as in report.json "policy")', items: names },
  ];
}
