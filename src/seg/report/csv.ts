// per_image_class.csv: one row per split x image x class with the counts and the figures of that
// image, for a reviewer's own spreadsheet or statistics. RFC 4180 quoting; numbers at full
// precision (what report.json and `seglens eval --json` hold); an undefined figure (NaN) is an
// empty cell, never 0, so a spreadsheet's AVERAGE skips it as the report's reductions do.
import type { EvalResult } from '../metrics/index.ts';

export const CSV_COLUMNS = [
  'split',
  'image',
  'class',
  'is_background',
  'tp',
  'fp',
  'fn',
  'tn',
  'dice',
  'iou',
  'precision',
  'recall',
  'gt_pixels',
  'predicted_pixels',
] as const;

/** A cell: quoted when it holds a comma, quote, or line break. */
export function csvCell(v: string | number | boolean): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function perImageClassCsv(evaluations: readonly { split: string; result: EvalResult }[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const { split, result } of evaluations) {
    for (const im of result.perImage) {
      for (const c of im.classes) {
        const row = [split, im.name, c.name, c.name === result.backgroundClass, c.tp, c.fp, c.fn, c.tn, c.dice, c.iou, c.precision, c.recall, c.gtPixels, c.predPixels];
        lines.push(row.map(csvCell).join(','));
      }
    }
  }
  return lines.join('\r\n') + '\r\n';
}
