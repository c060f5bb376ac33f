// History checks on metrics.jsonl records whose validation figures are real: each epoch's `val` is
// the evaluation of the DAPI nuclei masks (or Drosophila VNC) against a prediction of a given
// quality (the ground truth eroded by r pixels, all background, a class dropped), written through
// valFiguresOf exactly as a trainer would. Losses are the planted part: flat at ln 2, NaN,
// exploding, val loss rising. A healthy run raises nothing.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backgroundId } from '../../src/seg/classes.ts';
import type { ClassTable } from '../../src/seg/classes.ts';
import { evaluate } from '../../src/seg/metrics/index.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import type { EpochRecord } from '../../src/seg/history.ts';
import { checkCollapsed, checkDiverged, checkNotLearning, checkOverfitting, historyFindings, runAudit } from '../../src/seg/audit/index.ts';
import { DAPI, DROSOPHILA, allBackground, erode, history, missing, readMasks, shifted, table, valOf } from './audit-fixtures.ts';
import type { Labelled } from './audit-fixtures.ts';

const ids = (h: EpochRecord[]) => historyFindings(h).map((f) => f.id);

describe.skipIf(missing(DAPI, 'history checks on DAPI figures'))('history checks (validation figures from DAPI nuclei)', () => {
  let t: ClassTable;
  let bg: number;
  let gt: Labelled[];
  const cache = new Map<string, EpochRecord['val']>();
  /** Validation figures of a prediction made by `pred` on every image, cached by `key`. */
  const val = (key: string, pred: (m: LabelMap) => LabelMap) => {
    if (!cache.has(key)) cache.set(key, valOf(evaluate(gt.map((g) => ({ name: g.name, gt: g.labels, pred: pred(g.labels) })), t)));
    return cache.get(key)!;
  };
  const eroded = (r: number) => (r === 0 ? val('gt', (m) => m) : val(`e${r}`, (m) => erode(m, bg, r)));
  /** Nuclei of the right size in the wrong place: poor Dice, no collapse. */
  const misplaced = () => val('shift', (m) => shifted(m, 25, 25, bg));
  beforeAll(async () => {
    t = await table('dapi16-nuclei');
    bg = backgroundId(t);
    gt = await readMasks(join(DAPI, 'masks'), t, 6);
  });

  /** A healthy run: losses fall, the prediction improves from r = 8 to r = 1. */
  const healthy = () =>
    history(
      [8, 6, 5, 4, 3, 3, 2, 2, 1, 1].map((r, i) => ({
        trainLoss: 0.1 + 0.5 * Math.exp(-i / 3),
        valLoss: 0.15 + 0.5 * Math.exp(-i / 3) + (i % 2) * 0.005,
        val: eroded(r),
        best: i === 0 || r < [8, 6, 5, 4, 3, 3, 2, 2, 1, 1][i - 1],
      })),
    );

  it('a healthy run raises nothing', () => {
    const h = healthy();
    expect(h[9].val.meanForegroundDice!).toBeGreaterThan(h[0].val.meanForegroundDice!);
    expect(historyFindings(h)).toEqual([]);
    expect(runAudit({ history: h })).toEqual([]);
  });

  it('training loss flat at ln 2 (story 4): not-learning, critical, with the chance level in the evidence', () => {
    const h = history(
      Array.from({ length: 8 }, (_, i) => ({ trainLoss: Math.LN2 + 0.002 * Math.sin(i), valLoss: Math.LN2 + 0.001, val: misplaced() })),
    );
    expect(ids(h)).toEqual(['not-learning']);
    const [f] = checkNotLearning(h);
    expect(f).toMatchObject({ severity: 'critical', evidence: { classes: 2, atChanceLevel: true, epochs: 8 } });
    expect(f.evidence.chanceLoss).toBeCloseTo(Math.LN2, 12);
    expect(f.message).toContain('ln 2 = 0.693');
    // Too early to tell after 4 epochs.
    expect(checkNotLearning(h.slice(0, 4))).toEqual([]);
  });

  it('a falling loss whose foreground Dice never improves is not-learning too', () => {
    expect(misplaced().meanForegroundDice!).toBeLessThan(0.5);
    const h = history(Array.from({ length: 6 }, (_, i) => ({ trainLoss: 0.5 - 0.05 * i, valLoss: 0.5 - 0.04 * i, val: misplaced() })));
    const [f] = checkNotLearning(h);
    expect(f.evidence).toMatchObject({ atChanceLevel: false, lossFlat: false });
    expect(f.message).toContain('never rose');
  });

  it('a NaN loss is diverged, and the other checks stay silent after it', () => {
    const h = healthy();
    const broken = history(h.map((r, i) => ({ trainLoss: i >= 6 ? null : r.trainLoss, valLoss: i >= 6 ? null : r.valLoss, val: r.val })));
    expect(ids(broken)).toEqual(['diverged']);
    const [f] = checkDiverged(broken);
    expect(f.evidence).toMatchObject({ epoch: 7, loss: 'training', previousLoss: h[5].trainLoss });
  });

  it('an exploding loss is diverged; noise around a low loss is not', () => {
    const up = history([0.6, 0.4, 0.25, 0.2, 3.5].map((l) => ({ trainLoss: l, valLoss: l, val: eroded(2) })));
    expect(checkDiverged(up)[0]).toMatchObject({ id: 'diverged', evidence: { epoch: 5, lowest: 0.2 } });
    const noisy = history([0.6, 0.1, 0.03, 0.07, 0.04].map((l) => ({ trainLoss: l, valLoss: l, val: eroded(2) })));
    expect(checkDiverged(noisy)).toEqual([]);
  });

  it('all-background predictions in the last epochs: collapsed to the background', () => {
    const collapsed = val('bg', (m) => allBackground(m, bg));
    const h = history([4, 3, -1, -1, -1].map((r, i) => ({ trainLoss: 0.5 - 0.05 * i, valLoss: 0.5, val: r < 0 ? collapsed : eroded(r) })));
    const f = checkCollapsed(h);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ id: 'collapsed', severity: 'critical', evidence: { class: 'background', predictedShare: 1, epoch: 5 } });
    expect(f[0].evidence.trueShare as number).toBeLessThan(0.98);
    // Collapse in the first epochs only, then recovery: nothing.
    const recovered = history([-1, -1, 4, 2, 1].map((r, i) => ({ trainLoss: 0.5 - 0.05 * i, valLoss: 0.5 - 0.05 * i, val: r < 0 ? collapsed : eroded(r) })));
    expect(checkCollapsed(recovered)).toEqual([]);
  });

  it('val loss rising and val Dice falling while the training loss falls: overfitting, naming the best epoch', () => {
    const radii = [6, 4, 3, 2, 1, 1, 2, 3, 4, 5];
    const h = history(
      radii.map((r, i) => ({
        trainLoss: 0.6 * Math.exp(-i / 3),
        valLoss: i <= 4 ? 0.6 - 0.08 * i : 0.28 + 0.06 * (i - 4),
        val: eroded(r),
        best: i === 4,
      })),
    );
    expect(ids(h)).toEqual(['overfitting']);
    const [f] = checkOverfitting(h);
    expect(f).toMatchObject({ severity: 'warning', evidence: { minValLossEpoch: 5, bestDiceEpoch: 5, bestCheckpointEpoch: 5 } });
    expect(f.action).toContain('epoch 5');
    // The first five epochs alone are healthy.
    expect(checkOverfitting(h.slice(0, 5))).toEqual([]);
  });
});

describe.skipIf(missing(DROSOPHILA, 'class-never-predicted on Drosophila figures'))('a rare class never predicted (Drosophila VNC)', () => {
  it('synapse predicted as intracellular in every epoch: class-never-predicted names synapse', async () => {
    const t = await table('drosophila-vnc');
    const bg = backgroundId(t);
    const synapse = t.classes.findIndex((c) => c.name === 'synapse');
    const gt = await readMasks(join(DROSOPHILA, 'masks'), t, 3);
    const dropped = (r: number) =>
      valOf(
        evaluate(
          gt.map((g) => {
            const pred = erode(g.labels, bg, r);
            const data = pred.data.map((v) => (v === synapse ? bg : v));
            return { name: g.name, gt: g.labels, pred: { ...pred, data } };
          }),
          t,
        ),
      );
    const h = history([3, 2, 1, 1].map((r, i) => ({ trainLoss: 0.9 - 0.1 * i, valLoss: 0.9 - 0.08 * i, val: dropped(r) })));
    const f = runAudit({ history: h });
    expect(f.map((x) => x.id)).toEqual(['class-never-predicted']);
    expect(f[0]).toMatchObject({ title: 'Class never predicted', evidence: { classes: 'synapse', neverPredicted: 1, mode: 'after' } });
  });
});
