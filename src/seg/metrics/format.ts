// Plain-text rendering of an evaluation for the command line: the per-class table, then the
// headline with the figures that can mislead printed beside it, each with its baseline.
import type { EvalResult } from './result.ts';

/** A figure with 4 decimals; NaN (undefined) as "n/a". */
export function fmt(v: number, digits = 4): string {
  return Number.isFinite(v) ? v.toFixed(digits) : 'n/a';
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
}

export function formatEvalTable(r: EvalResult): string {
  const head = ['class', 'dice', 'iou', 'precision', 'recall', 'dice (image mean)', 'valid images'];
  const rows = r.classes.map((c) => [
    c.isBackground ? `${c.name} (background)` : c.name,
    fmt(c.dice),
    fmt(c.iou),
    fmt(c.precision),
    fmt(c.recall),
    fmt(c.diceImageMean),
    `${c.validImages}/${r.images}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const b = r.baseline;
  const fgCount = r.classes.filter((c) => !c.isBackground).length;
  const lines = [
    `${r.images} image(s), ${r.labelledPixels} labelled pixels, ${r.ignoredPixels} ignored. Per-class figures from counts summed over images.`,
    '',
    pad(head, widths),
    pad(head.map((h) => '-'.repeat(h.length)), widths),
    ...rows.map((row) => pad(row, widths)),
    '',
    `mean foreground Dice (HEADLINE):         ${fmt(r.meanForegroundDice)}  over ${r.validForegroundClasses} of ${fgCount} foreground classes   (all-background baseline: ${fmt(b.meanForegroundDice)})`,
    `mean foreground IoU:                     ${fmt(r.meanForegroundIoU)}   (baseline: ${fmt(b.meanForegroundIoU)})`,
    `background-inclusive mean Dice:          ${fmt(r.meanDiceWithBackground)}   (baseline: ${fmt(b.meanDiceWithBackground)})`,
    `channel-summed Dice (Keras-style, background-dominated): ${fmt(r.channelSummedDice)}   (baseline: ${fmt(b.channelSummedDice)})`,
    `pixel accuracy:                          ${fmt(r.pixelAccuracy)}   vs all-background accuracy: ${fmt(r.allBackgroundAccuracy)}`,
    'n/a = undefined (the class is in neither ground truth nor prediction, or a 0/0 as stated in the metric policy).',
  ];
  return lines.join('\n');
}
