// The metrics view's pure parts: the scatter's points on either y axis, sorting with undefined
// values, and the findings, all displayed as the audit returned them in the table (each row's
// verdict: deceptive, class at fault, inclusiveScore; MetricsTableResult.findings, deceptiveCorner):
// the renderer judges nothing. (issue 5 section 3; issue 11: y axis per class, class at fault;
// issue 12: one home for every judgement)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClassInfo, Finding, MetricCell, MetricRow, MetricsTableResult } from '../../src/api/index.ts';
import { deceptiveRows, faultText, inclusiveScore, isDeceptive, scatterPoints, sortRows, tableFindings, yLabel } from '../../renderer/src/lib/metrics.ts';
import { REPO } from '../helpers/paths.ts';

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

function finding(id: string, images: string[]): Finding {
  return { id, severity: 'warning', title: id, message: `${id} message`, action: `${id} action`, images };
}

function table(rows: MetricRow[], findings: Finding[] = []): MetricsTableResult {
  return {
    runId: 'r1',
    classes,
    scope: { split: null, splitSource: null, scored: rows.length, unpredicted: [], unannotated: 0, excluded: 0 },
    rows,
    summary: { classes: [], meanForegroundDice: null, meanDiceWithBackground: null, channelSummedDice: null, pixelAccuracy: null, baseline: { meanForegroundDice: 0, meanDiceWithBackground: 0.3, pixelAccuracy: 0.88 } },
    policy: '',
    findings,
    deceptiveCorner: { looksGood: 0.8, poorForegroundDice: 0.5 },
  };
}

describe('deceptive corner and scatter: what the audit said', () => {
  it("a row is deceptive exactly when the audit's verdict on it says so", () => {
    // 'a' would look deceptive by any copy of the rule, 'b' would not: the view follows the verdicts.
    const rows = [row('a', 0.3, 0.55, 0.95, false), row('b', 0.9, 0.93, 0.97, true)];
    expect(rows.map((r) => isDeceptive(r))).toEqual([false, true]);
    expect(inclusiveScore(row('g', 0.3, null, 0.7))).toBe(0.7);
  });

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

  it('the renderer holds no threshold and no finding rule of its own', () => {
    const dir = join(REPO, 'renderer', 'src', 'lib');
    const files = [join(dir, 'metrics.ts'), ...readdirSync(join(dir, 'views')).map((f) => join(dir, 'views', f))];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/LOOKS_GOOD\s*=|POOR_FOREGROUND_DICE\s*=|0\.8\b.*0\.5\b/);
      expect(text, f).not.toMatch(/id: ['`](below-baseline|never-predicted|deceptive-images|class-never-predicted)/);
    }
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

  it("shows the audit's findings as returned, in its order, with nothing added or dropped", () => {
    const audit = [finding('class-never-predicted', ['x', 'y', 'z']), finding('deceptive-images', ['y', 'x']), finding('segmentation-bias', ['z'])];
    const t = table([row('x', 0.45, 0.6, 0.9, true), row('y', 0.1, 0.5, 0.97, true), row('z', 0.9, 0.9, 0.87)], audit);
    expect(tableFindings(t)).toEqual(audit);
    expect(tableFindings(table(t.rows))).toEqual([]);
  });
});
