// Pure helpers of the metrics view: the scatter's axes, the deceptive corner, sorting the table and
// the findings the table itself shows. The thresholds mirror src/seg/audit/scores.ts (the renderer
// may import only src/api), so the corner on screen is the one the audit and the report name.
import type { ClassInfo, MetricRow, MetricsTableResult } from '../../../src/api/index.ts';

/** A background-inclusive figure at or above this "looks good" (audit LOOKS_GOOD). */
export const LOOKS_GOOD = 0.8;
/** Mean foreground Dice below this is poor (audit POOR_FOREGROUND_DICE). */
export const POOR_FOREGROUND_DICE = 0.5;

/** The background-inclusive figure a user would quote for an image: the larger of accuracy and Dice with background. */
export function inclusiveScore(r: MetricRow): number | null {
  const a = r.pixelAccuracy;
  const d = r.meanDiceWithBackground;
  if (a === null) return d;
  if (d === null) return a;
  return Math.max(a, d);
}

/** The ground truth of the row has some foreground class. */
export function hasForeground(r: MetricRow, classes: readonly ClassInfo[]): boolean {
  return r.cells.some((c, id) => !classes[id]?.isBackground && c.gtPixels > 0);
}

/** Looks good on a background-inclusive figure, poor on the foreground: the corner to look at first. */
export function isDeceptive(r: MetricRow, classes: readonly ClassInfo[]): boolean {
  const x = inclusiveScore(r);
  const y = r.meanForegroundDice;
  return x !== null && y !== null && hasForeground(r, classes) && x >= LOOKS_GOOD && y < POOR_FOREGROUND_DICE;
}

export interface ScatterPoint {
  name: string;
  /** Background-inclusive score. */
  x: number;
  /** Mean foreground Dice. */
  y: number;
  deceptive: boolean;
}

/** One point per image where both figures are defined; the rest are counted, not hidden silently. */
export function scatterPoints(t: MetricsTableResult): { points: ScatterPoint[]; undefinedCount: number } {
  const points: ScatterPoint[] = [];
  let undefinedCount = 0;
  for (const r of t.rows) {
    const x = inclusiveScore(r);
    const y = r.meanForegroundDice;
    if (x === null || y === null) undefinedCount++;
    else points.push({ name: r.name, x, y, deceptive: isDeceptive(r, t.classes) });
  }
  return { points, undefinedCount };
}

/** Sort keys of the table: a fixed column, or a per-class figure as `dice:<classId>`. */
export type SortKey = 'name' | 'split' | 'meanForegroundDice' | 'meanDiceWithBackground' | 'pixelAccuracy' | 'gap' | `dice:${number}` | `iou:${number}`;

export function sortValue(r: MetricRow, key: SortKey): string | number | null {
  switch (key) {
    case 'name':
      return r.name;
    case 'split':
      return r.split;
    case 'meanForegroundDice':
    case 'meanDiceWithBackground':
    case 'pixelAccuracy':
      return r[key];
    case 'gap': {
      const x = inclusiveScore(r);
      return x === null || r.meanForegroundDice === null ? null : x - r.meanForegroundDice;
    }
    default: {
      const [what, id] = key.split(':');
      const cell = r.cells[Number(id)];
      return cell ? (what === 'iou' ? cell.iou : cell.dice) : null;
    }
  }
}

/** Rows sorted by `key`; undefined values (null) always last, whatever the direction; ties by name. */
export function sortRows(rows: readonly MetricRow[], key: SortKey, dir: 'asc' | 'desc'): MetricRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const va = sortValue(a, key);
    const vb = sortValue(b, key);
    if (va === null && vb !== null) return 1;
    if (vb === null && va !== null) return -1;
    if (va !== null && vb !== null && va !== vb) return (va < vb ? -1 : 1) * sign;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

export interface TableFinding {
  id: string;
  severity: 'error' | 'warning';
  title: string;
  message: string;
  action: string;
  /** Images concerned, worst first: each links to the image view. */
  images: string[];
}

const f3 = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));

/**
 * What the table itself shows: deceptive images (ranked by the gap), foreground classes the run
 * never predicts although the ground truth has them, and images no better than all-background.
 */
export function tableFindings(t: MetricsTableResult): TableFinding[] {
  const out: TableFinding[] = [];
  const deceptive = sortRows(
    t.rows.filter((r) => isDeceptive(r, t.classes)),
    'gap',
    'desc',
  );
  if (deceptive.length) {
    out.push({
      id: 'deceptive-images',
      severity: 'warning',
      title: 'Good-looking scores hiding bad masks',
      message: `${deceptive.length} image(s) score >= ${LOOKS_GOOD} with the background included but have a foreground Dice < ${POOR_FOREGROUND_DICE}.`,
      action: 'Open each one and compare ground truth and prediction (error map): the accuracy says nothing about the objects.',
      images: deceptive.map((r) => r.name),
    });
  }
  t.classes.forEach((c, id) => {
    if (c.isBackground) return;
    const withGt = t.rows.filter((r) => (r.cells[id]?.gtPixels ?? 0) > 0);
    const predicted = t.rows.reduce((s, r) => s + (r.cells[id]?.predPixels ?? 0), 0);
    if (withGt.length > 0 && predicted === 0) {
      out.push({
        id: `never-predicted:${id}`,
        severity: 'error',
        title: `Class "${c.name}" is never predicted`,
        message: `${withGt.length} image(s) contain "${c.name}" in the ground truth, and the run predicts it nowhere (Dice 0 for the class).`,
        action: 'Train with a loss that weights rare classes (dice-ce or weighted-ce) and check that the class is present in the training split.',
        images: withGt.map((r) => r.name),
      });
    }
  });
  const belowBaseline = t.rows.filter((r) => r.pixelAccuracy !== null && r.allBackgroundAccuracy !== null && hasForeground(r, t.classes) && r.pixelAccuracy <= r.allBackgroundAccuracy);
  if (belowBaseline.length) {
    out.push({
      id: 'below-baseline',
      severity: 'warning',
      title: 'No better than predicting background everywhere',
      message: `${belowBaseline.length} image(s) have a pixel accuracy at or below that of an all-background prediction (e.g. ${belowBaseline[0].name}: ${f3(belowBaseline[0].pixelAccuracy)} vs ${f3(belowBaseline[0].allBackgroundAccuracy)}).`,
      action: 'Judge these images by the foreground Dice per class, not by accuracy.',
      images: belowBaseline.map((r) => r.name),
    });
  }
  return out;
}
