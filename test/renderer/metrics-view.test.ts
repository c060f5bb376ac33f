// The metrics view's pure parts: the deceptive corner, the scatter's points, sorting with undefined
// values, and the findings drawn from the table. (issue 5, section 3)
import { describe, expect, it } from 'vitest';
import type { ClassInfo, MetricCell, MetricRow, MetricsTableResult } from '../../src/api/index.ts';
import { LOOKS_GOOD, POOR_FOREGROUND_DICE, inclusiveScore, isDeceptive, scatterPoints, sortRows, tableFindings } from '../../renderer/src/lib/metrics.ts';
import { LOOKS_GOOD as AUDIT_LOOKS_GOOD, POOR_FOREGROUND_DICE as AUDIT_POOR } from '../../src/seg/audit/scores.ts';

const classes: ClassInfo[] = [
  { id: 0, name: 'background', color: '#000000', isBackground: true },
  { id: 1, name: 'nucleus', color: '#3cb44b', isBackground: false },
  { id: 2, name: 'boundary', color: '#e6194b', isBackground: false },
];

function cell(dice: number | null, gt: number, pred: number): MetricCell {
  return { dice, iou: null, precision: null, recall: null, tp: 0, fp: 0, fn: 0, gtPixels: gt, predPixels: pred };
}

function row(name: string, fg: number | null, withBg: number | null, acc: number | null, cells: MetricCell[] = [cell(0.9, 100, 100), cell(fg, 10, 10), cell(0, 2, 0)]): MetricRow {
  return { name, split: 'val', cells, meanForegroundDice: fg, meanDiceWithBackground: withBg, pixelAccuracy: acc, allBackgroundAccuracy: 0.88 };
}

function table(rows: MetricRow[]): MetricsTableResult {
  return {
    runId: 'r1',
    classes,
    rows,
    summary: { classes: [], meanForegroundDice: null, meanDiceWithBackground: null, channelSummedDice: null, pixelAccuracy: null, baseline: { meanForegroundDice: 0, meanDiceWithBackground: 0.3, pixelAccuracy: 0.88 } },
    policy: '',
  };
}

describe('deceptive corner', () => {
  it('uses the audit thresholds', () => {
    expect(LOOKS_GOOD).toBe(AUDIT_LOOKS_GOOD);
    expect(POOR_FOREGROUND_DICE).toBe(AUDIT_POOR);
  });

  it('flags high background-inclusive score with low foreground Dice, only with foreground in the ground truth', () => {
    expect(isDeceptive(row('a', 0.3, 0.55, 0.95), classes)).toBe(true); // accuracy is the quoted figure
    expect(isDeceptive(row('b', 0.3, 0.85, 0.6), classes)).toBe(true); // Dice with background is
    expect(isDeceptive(row('c', 0.5, 0.9, 0.95), classes)).toBe(false); // 0.5 is not poor
    expect(isDeceptive(row('d', 0.3, 0.7, 0.79), classes)).toBe(false); // does not look good
    expect(isDeceptive(row('e', null, 0.9, 0.99), classes)).toBe(false);
    const noFg = row('f', 0, 0.9, 0.99, [cell(0.99, 100, 98), cell(0, 0, 2), cell(null, 0, 0)]);
    expect(isDeceptive(noFg, classes)).toBe(false);
    expect(inclusiveScore(row('g', 0.3, null, 0.7))).toBe(0.7);
  });

  it('gives one scatter point per image with both figures, counting the others', () => {
    const t = table([row('a', 0.3, 0.55, 0.95), row('b', 0.9, 0.93, 0.97), row('c', null, 0.9, 0.99)]);
    const s = scatterPoints(t);
    expect(s.undefinedCount).toBe(1);
    expect(s.points).toEqual([
      { name: 'a', x: 0.95, y: 0.3, deceptive: true },
      { name: 'b', x: 0.97, y: 0.9, deceptive: false },
    ]);
  });
});

describe('table sorting and findings', () => {
  const rows = [row('b', 0.6, 0.7, 0.9), row('a', null, 0.5, 0.8), row('c', 0.2, 0.4, 0.95), row('d', 0.6, 0.6, 0.91)];

  it('sorts either way with undefined values last and ties by name', () => {
    expect(sortRows(rows, 'meanForegroundDice', 'asc').map((r) => r.name)).toEqual(['c', 'b', 'd', 'a']);
    expect(sortRows(rows, 'meanForegroundDice', 'desc').map((r) => r.name)).toEqual(['b', 'd', 'c', 'a']);
    expect(sortRows(rows, 'gap', 'desc').map((r) => r.name)).toEqual(['c', 'd', 'b', 'a']);
    expect(sortRows(rows, 'name', 'asc').map((r) => r.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(sortRows(rows, 'dice:1', 'asc')[0].name).toBe('c');
  });

  it('names deceptive images worst first, never-predicted classes and below-baseline images', () => {
    const f = tableFindings(table([row('x', 0.45, 0.6, 0.9), row('y', 0.1, 0.5, 0.97), row('z', 0.9, 0.9, 0.87)]));
    const byId = Object.fromEntries(f.map((x) => [x.id, x]));
    expect(byId['deceptive-images'].images).toEqual(['y', 'x']);
    expect(byId['never-predicted:2'].images).toEqual(['x', 'y', 'z']); // boundary in gt, never predicted
    expect(byId['never-predicted:1']).toBeUndefined();
    expect(byId['below-baseline'].images).toEqual(['z']); // 0.87 <= 0.88
  });
});
