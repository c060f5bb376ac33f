// The metrics view's pure parts: the scatter's points on either y axis (the audit's verdicts shown,
// never judged again), sorting with undefined values, and the findings drawn from the table.
// (issue 5, section 3; issue 11: y axis per class, class at fault)
import { describe, expect, it } from 'vitest';
import type { ClassInfo, MetricCell, MetricRow, MetricsTableResult } from '../../src/api/index.ts';
import { deceptiveRows, faultText, scatterPoints, sortRows, tableFindings, yLabel } from '../../renderer/src/lib/metrics.ts';

const classes: ClassInfo[] = [
  { id: 0, name: 'background', color: '#000000', isBackground: true },
  { id: 1, name: 'nucleus', color: '#3cb44b', isBackground: false },
  { id: 2, name: 'boundary', color: '#e6194b', isBackground: false },
];

function cell(dice: number | null, gt: number, pred: number): MetricCell {
  return { dice, iou: null, precision: null, recall: null, tp: 0, fp: 0, fn: 0, gtPixels: gt, predPixels: pred };
}

function row(name: string, fg: number | null, withBg: number | null, acc: number | null, deceptive = false, cells: MetricCell[] = [cell(0.9, 100, 100), cell(fg, 10, 10), cell(0, 2, 0)]): MetricRow {
  const inclusive = acc === null ? withBg : withBg === null ? acc : Math.max(acc, withBg);
  return { name, split: 'val', cells, meanForegroundDice: fg, meanDiceWithBackground: withBg, pixelAccuracy: acc, allBackgroundAccuracy: 0.88, inclusiveScore: inclusive, deceptive, fault: { classId: 2, dice: 0, kind: 'missed' } };
}

function table(rows: MetricRow[]): MetricsTableResult {
  return {
    runId: 'r1',
    classes,
    scope: { split: null, splitSource: null, scored: rows.length, unpredicted: [], unannotated: 0, excluded: 0 },
    rows,
    summary: { classes: [], meanForegroundDice: null, meanDiceWithBackground: null, channelSummedDice: null, pixelAccuracy: null, baseline: { meanForegroundDice: 0, meanDiceWithBackground: 0.3, pixelAccuracy: 0.88 } },
    policy: '',
    corner: { looksGood: 0.8, poorForegroundDice: 0.5 },
  };
}

describe('scatter points', () => {
  it('gives one point per image with both figures, counting the others, and shows the row verdict as it is', () => {
    // 'b' is marked deceptive although its numbers would not be: the view displays, it does not judge.
    const t = table([row('a', 0.3, 0.55, 0.95, true), row('b', 0.9, 0.93, 0.97, true), row('c', null, 0.9, 0.99)]);
    const s = scatterPoints(t);
    expect(s.undefinedCount).toBe(1);
    expect(s.points).toEqual([
      { name: 'a', x: 0.95, y: 0.3, deceptive: true, faultClass: 2 },
      { name: 'b', x: 0.97, y: 0.9, deceptive: true, faultClass: 2 },
    ]);
  });

  it('plots one class on the y axis when asked, with its own label', () => {
    const t = table([row('a', 0.3, 0.55, 0.95, true), row('c', null, 0.9, 0.99)]);
    const s = scatterPoints(t, 2);
    expect(s.points.map((p) => [p.name, p.y])).toEqual([['a', 0], ['c', 0]]);
    expect(s.undefinedCount).toBe(0); // c has no foreground mean but a boundary Dice
    expect(yLabel(2, classes)).toBe('Dice of boundary');
    expect(yLabel('foreground', classes)).toMatch(/mean foreground Dice/);
  });

  it('lists the deceptive images worst first with the class at fault in words', () => {
    const t = table([row('x', 0.45, 0.6, 0.9, true), row('y', 0.1, 0.5, 0.97, true), row('z', 0.9, 0.9, 0.95)]);
    expect(deceptiveRows(t).map((r) => r.name)).toEqual(['y', 'x']);
    expect(faultText(t.rows[0], classes)).toBe('boundary missed (Dice 0.000: in the ground truth, never predicted)');
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
    const f = tableFindings(table([row('x', 0.45, 0.6, 0.9, true), row('y', 0.1, 0.5, 0.97, true), row('z', 0.9, 0.9, 0.87)]));
    const byId = Object.fromEntries(f.map((x) => [x.id, x]));
    expect(byId['deceptive-images'].images).toEqual(['y', 'x']);
    expect(byId['deceptive-images'].message).toContain('>= 0.8');
    expect(byId['never-predicted:2'].images).toEqual(['x', 'y', 'z']); // boundary in gt, never predicted
    expect(byId['never-predicted:1']).toBeUndefined();
    expect(byId['below-baseline'].images).toEqual(['z']); // 0.87 <= 0.88
  });
});
