// metric-mismatch (CONTEXT story 2): the validation figures recorded during training against the
// same figures recomputed afterwards. Real DAPI masks; the planted failure is the story's own
// mistake: the predictions compared with the ground truth of other images (a shuffled order).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backgroundId } from '../../src/seg/classes.ts';
import type { ClassTable } from '../../src/seg/classes.ts';
import { evaluate } from '../../src/seg/metrics/index.ts';
import type { EvalPair } from '../../src/seg/metrics/index.ts';
import { MISMATCH_TOLERANCE, checkMetricMismatch, metricDifferences, runAudit, valFiguresOf } from '../../src/seg/audit/index.ts';
import { DAPI, erode, history, missing, readMasks, table } from './audit-fixtures.ts';
import type { Labelled } from './audit-fixtures.ts';

describe.skipIf(missing(DAPI, 'metric-mismatch on DAPI'))('metric-mismatch on DAPI nuclei', () => {
  let t: ClassTable;
  let gt: Labelled[];
  let pairs: EvalPair[];
  beforeAll(async () => {
    t = await table('dapi16-nuclei');
    gt = await readMasks(join(DAPI, 'masks'), t, 8);
    const bg = backgroundId(t);
    pairs = gt.map((g) => ({ name: g.name, gt: g.labels, pred: erode(g.labels, bg, 2) }));
  });

  const recordOf = (val: ReturnType<typeof valFiguresOf>) => history([{ trainLoss: 0.2, valLoss: 0.25, val, best: true }])[0];

  it('the same predictions recomputed give the same figures: nothing', () => {
    const recorded = recordOf(valFiguresOf(evaluate(pairs, t)));
    // Recomputed from scratch, in another order of images: summed counts do not depend on order.
    const again = evaluate([...pairs].reverse(), t);
    expect(checkMetricMismatch(recorded, again)).toEqual([]);
    expect(runAudit({ recorded, eval: again })).toEqual([]);
  });

  it('predictions compared with the ground truth of other images: critical, naming the headline and both values', () => {
    const recorded = recordOf(valFiguresOf(evaluate(pairs, t)));
    // Story 2: the report pairs prediction i with label i + 1.
    const shuffled = pairs.map((p, i) => ({ ...p, pred: pairs[(i + 1) % pairs.length].pred }));
    const report = evaluate(shuffled, t);
    const f = checkMetricMismatch(recorded, report);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      id: 'metric-mismatch',
      severity: 'critical',
      evidence: { figure: 'meanForegroundDice', recorded: recorded.val.meanForegroundDice, recomputed: report.meanForegroundDice, epoch: 1 },
    });
    expect(f[0].message).toContain(recorded.val.meanForegroundDice!.toFixed(4));
    expect(f[0].message).toContain(report.meanForegroundDice.toFixed(4));
    expect(report.meanForegroundDice).toBeLessThan(recorded.val.meanForegroundDice! - 0.1);
    // `recomputed` takes precedence over `eval` when both are given.
    expect(runAudit({ recorded, eval: evaluate(pairs, t), recomputed: report }).map((x) => x.id)).toEqual(['metric-mismatch']);
  });

  it('differences within the tolerance pass, beyond it they are named; undefined vs defined always differs', () => {
    const val = valFiguresOf(evaluate(pairs, t));
    const nudged = { ...val, pixelAccuracy: val.pixelAccuracy! + MISMATCH_TOLERANCE / 10 };
    expect(metricDifferences(nudged, val)).toEqual([]);
    const off = { ...val, pixelAccuracy: val.pixelAccuracy! + 1e-4 };
    expect(metricDifferences(off, val).map((d) => d.figure)).toEqual(['pixelAccuracy']);
    const undefinedClass = { ...val, classes: val.classes.map((c) => (c.name === 'nucleus' ? { ...c, dice: null } : c)) };
    const d = metricDifferences(undefinedClass, val);
    expect(d).toEqual([{ figure: 'classes.nucleus.dice', recorded: null, recomputed: val.classes[1].dice, difference: Infinity }]);
    const f = checkMetricMismatch(recordOf(undefinedClass), evaluate(pairs, t));
    expect(f[0].evidence).toMatchObject({ figure: 'classes.nucleus.dice', recorded: null, difference: null });
  });

  it('valFiguresOf states shares of labelled pixels', () => {
    const r = evaluate(pairs, t);
    const v = valFiguresOf(r);
    const sum = (k: 'predictedShare' | 'trueShare') => v.classes.reduce((s, c) => s + c[k]!, 0);
    expect(sum('trueShare')).toBeCloseTo(1, 12);
    expect(sum('predictedShare')).toBeCloseTo(1, 12);
    expect(v.classes[1].trueShare).toBe(r.classes[1].gtPixels / r.labelledPixels);
  });
});
