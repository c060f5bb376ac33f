// Pure helpers of the metrics view: the scatter's axes and points, sorting the table, and the
// findings it shows. Nothing here judges: which images are deceptive and which class is at fault
// (each row's verdict), the corner's thresholds and every finding come from the audit
// (src/seg/audit) through the contract (MetricRow.deceptive/fault/inclusiveScore,
// MetricsTableResult.findings/deceptiveCorner); the renderer may import only src/api.
import type { ClassInfo, Finding, MetricRow, MetricsTableResult } from '../../../src/api/index.ts';

/** The background-inclusive figure a user would quote for an image (computed by the engine). */
export function inclusiveScore(r: MetricRow): number | null {
  return r.inclusiveScore;
}

/** In the deceptive corner, as the audit judged it. */
export function isDeceptive(r: MetricRow): boolean {
  return r.deceptive;
}

/** The scatter's vertical axis: the mean foreground Dice, or one class's Dice (by class id). */
export type YAxis = 'foreground' | number;

export function yLabel(axis: YAxis, classes: readonly ClassInfo[]): string {
  return axis === 'foreground' ? 'mean foreground Dice (background excluded)' : `Dice of ${classes[axis]?.name ?? `class ${axis}`}`;
}

export function yValue(r: MetricRow, axis: YAxis): number | null {
  return axis === 'foreground' ? r.meanForegroundDice : (r.cells[axis]?.dice ?? null);
}

export interface ScatterPoint {
  name: string;
  /** Background-inclusive score. */
  x: number;
  /** The chosen y axis's figure. */
  y: number;
  deceptive: boolean;
  /** The class at fault (the audit's), by id, with its Dice; null when none is defined. */
  faultClass: number | null;
}

/** One point per image where both figures are defined; the rest are counted, not hidden silently. */
export function scatterPoints(t: MetricsTableResult, axis: YAxis = 'foreground'): { points: ScatterPoint[]; undefinedCount: number } {
  const points: ScatterPoint[] = [];
  let undefinedCount = 0;
  for (const r of t.rows) {
    const x = r.inclusiveScore;
    const y = yValue(r, axis);
    if (x === null || y === null) undefinedCount++;
    else points.push({ name: r.name, x, y, deceptive: r.deceptive, faultClass: r.fault?.classId ?? null });
  }
  return { points, undefinedCount };
}

/** How the class at fault fails, in words for a list. */
export function faultText(r: MetricRow, classes: readonly ClassInfo[]): string {
  const f = r.fault;
  if (!f) return 'no foreground class defined';
  const name = classes[f.classId]?.name ?? `class ${f.classId}`;
  const d = f.dice === null ? 'n/a' : f.dice.toFixed(3);
  if (f.kind === 'missed') return `${name} missed (Dice ${d}: in the ground truth, never predicted)`;
  if (f.kind === 'spurious') return `${name} predicted where there is none (Dice ${d})`;
  if (f.dice === 0) return `${name} predicted only where it is not (Dice ${d})`;
  return `${name} Dice ${d}`;
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
      const x = r.inclusiveScore;
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

/** The deceptive images, worst (largest gap) first. */
export function deceptiveRows(t: MetricsTableResult): MetricRow[] {
  return sortRows(t.rows.filter((r) => r.deceptive), 'gap', 'desc');
}

/** The findings the view shows: the audit's on the same predictions, as returned (most serious first). */
export function tableFindings(t: MetricsTableResult): Finding[] {
  return t.findings;
}
