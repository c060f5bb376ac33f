// Pure helpers of the metrics view: the scatter's points, sorting the table, and the findings it
// shows. Nothing here judges: which images are deceptive, the corner's thresholds and every finding
// come from the audit (src/seg/audit) through the contract (MetricsTableResult.findings,
// deceptiveCorner, MetricRow.inclusiveScore); the renderer may import only src/api.
import type { Finding, MetricRow, MetricsTableResult } from '../../../src/api/index.ts';

/** The background-inclusive figure of a row, as the audit defines it (the scatter's x axis). */
export function inclusiveScore(r: MetricRow): number | null {
  return r.inclusiveScore;
}

/** Images the audit's deceptive-images finding names, worst first. */
export function deceptiveNames(t: MetricsTableResult): string[] {
  return t.findings.find((f) => f.id === 'deceptive-images')?.images ?? [];
}

/** Is this row one of the audit's deceptive images? */
export function isDeceptive(r: MetricRow, t: MetricsTableResult): boolean {
  return deceptiveNames(t).includes(r.name);
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
  const deceptive = new Set(deceptiveNames(t));
  let undefinedCount = 0;
  for (const r of t.rows) {
    const x = inclusiveScore(r);
    const y = r.meanForegroundDice;
    if (x === null || y === null) undefinedCount++;
    else points.push({ name: r.name, x, y, deceptive: deceptive.has(r.name) });
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

/** The findings the view shows: the audit's, as returned (most serious first). */
export function tableFindings(t: MetricsTableResult): Finding[] {
  return t.findings;
}
