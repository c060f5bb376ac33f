// The trainer's live warnings are the audit's history checks in live mode: one set of rules, two
// columns of thresholds (src/seg/audit/rules.ts). Each history below is fed through BOTH paths,
// epoch by epoch through the trainer's epochWarnings (live) and whole through runAudit (after the
// run, as the report does): on every planted failure both name the same id, live no later than
// after; a healthy run raises nothing in either. Validation figures are real: the DAPI nuclei masks
// evaluated against predictions of a given quality, as in test/seg/audit-history.test.ts.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_RULES, runAudit } from '../../src/seg/audit/index.ts';
import { backgroundId } from '../../src/seg/classes.ts';
import type { ClassTable } from '../../src/seg/classes.ts';
import type { EpochRecord } from '../../src/seg/history.ts';
import { evaluate } from '../../src/seg/metrics/index.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import { epochWarnings, liveFindings, stepWarning } from '../../src/train/trainer/warnings.ts';
import type { TrainingWarning } from '../../src/train/trainer/events.ts';
import { DAPI, DROSOPHILA, allBackground, erode, history, missing, readMasks, shifted, table, valOf } from '../seg/audit-fixtures.ts';
import type { EpochSpec, Labelled } from '../seg/audit-fixtures.ts';

/** Live: the trainer's path, epoch by epoch; each warning with the epoch it was first raised. */
function live(h: EpochRecord[], initialLoss: number | null, chanceLoss: number | null): TrainingWarning[] {
  let active = new Set<string>();
  const raised: TrainingWarning[] = [];
  for (let i = 1; i <= h.length; i++) {
    const out = epochWarnings({ history: h.slice(0, i), initialLoss, chanceLoss }, active);
    raised.push(...out.raise);
    active = out.active;
  }
  return raised;
}

/** After the run: the report's path. */
function after(h: EpochRecord[], chanceLoss: number | null): string[] {
  return runAudit({ history: h, historyOptions: { chanceLoss } }).map((f) => f.id);
}

/** The first epoch at which the after-run path finds `id` on the history so far. */
function afterFirst(h: EpochRecord[], id: string, chanceLoss: number | null): number | undefined {
  for (let i = 1; i <= h.length; i++) if (after(h.slice(0, i), chanceLoss).includes(id)) return i;
  return undefined;
}

describe('one set of rules, live and after the run', () => {
  it('every history threshold has a live and an after-run column and a reason', () => {
    for (const [name, r] of Object.entries(HISTORY_RULES)) {
      expect(r.why.length, name).toBeGreaterThan(40);
      expect(r.live !== null || r.after !== null, name).toBe(true);
    }
    // The ones that differ say why in their own text.
    expect(HISTORY_RULES.notLearningEpochs.why).toMatch(/Live: .* After the run/);
    expect(HISTORY_RULES.collapseEpochs.why).toMatch(/2 live.*after the run 3/);
  });
});

describe.skipIf(missing(DAPI, 'live vs after-run warnings on DAPI figures'))('the same history through the live and the after-run path (DAPI nuclei)', () => {
  let t: ClassTable;
  let bg: number;
  let gt: Labelled[];
  const cache = new Map<string, EpochRecord['val']>();
  const val = (key: string, pred: (m: LabelMap) => LabelMap) => {
    if (!cache.has(key)) cache.set(key, valOf(evaluate(gt.map((g) => ({ name: g.name, gt: g.labels, pred: pred(g.labels) })), t)));
    return cache.get(key)!;
  };
  const eroded = (r: number) => (r === 0 ? val('gt', (m) => m) : val(`e${r}`, (m) => erode(m, bg, r)));
  const misplaced = () => val('shift', (m) => shifted(m, 25, 25, bg));
  const collapsedToBg = () => val('bg', (m) => allBackground(m, bg));
  beforeAll(async () => {
    t = await table('dapi16-nuclei');
    bg = backgroundId(t);
    gt = await readMasks(join(DAPI, 'masks'), t, 6);
  });

  const run = (specs: EpochSpec[]) => history(specs);

  it('a healthy run: nothing live, nothing after', () => {
    const radii = [8, 6, 5, 4, 3, 3, 2, 2, 1, 1];
    const h = run(radii.map((r, i) => ({ trainLoss: 0.1 + 0.5 * Math.exp(-i / 3), valLoss: 0.15 + 0.5 * Math.exp(-i / 3), val: eroded(r), best: i === 0 || r < radii[i - 1] })));
    expect(live(h, 0.9, null)).toEqual([]);
    expect(after(h, null)).toEqual([]);
  });

  it('cross-entropy stuck at ln 2 (story 4): not-learning on both paths, live at epoch 3, after at epoch 5', () => {
    const h = run(Array.from({ length: 8 }, (_, i) => ({ trainLoss: Math.LN2 + 0.002 * Math.sin(i), valLoss: Math.LN2 + 0.001, val: misplaced() })));
    const w = live(h, Math.LN2 + 0.001, Math.LN2);
    expect(w.map((x) => x.kind)).toEqual(['not-learning']);
    expect(w[0].epoch).toBe(HISTORY_RULES.notLearningEpochs.live);
    expect(after(h, Math.LN2)).toEqual(['not-learning']);
    expect(afterFirst(h, 'not-learning', Math.LN2)).toBe(HISTORY_RULES.notLearningEpochs.after);
    // The warning shows the audit's finding, nothing of its own.
    expect(w[0].message).toBe(`${w[0].finding.title}. ${w[0].finding.message}`);
    expect(w[0].hint).toBe(w[0].finding.action);
    expect(w[0].finding).toMatchObject({ id: 'not-learning', severity: 'critical', evidence: { atChanceLevel: true, mode: 'live' } });
  });

  it('collapse to the background: collapsed on both paths, live first', () => {
    const h = run([4, 3, -1, -1, -1, -1].map((r, i) => ({ trainLoss: 0.5 - 0.05 * i, valLoss: 0.5, val: r < 0 ? collapsedToBg() : eroded(r) })));
    const w = live(h, 0.9, null);
    expect(w.map((x) => x.kind)).toEqual(['collapsed']);
    expect(after(h, null)).toEqual(['collapsed']);
    expect(w[0].epoch).toBeLessThanOrEqual(afterFirst(h, 'collapsed', null)!);
    expect(w[0].epoch).toBe(2 + HISTORY_RULES.collapseEpochs.live);
  });

  it('validation loss rising while the training loss falls: overfitting on both paths', () => {
    const radii = [6, 4, 3, 2, 1, 1, 2, 3, 4, 5];
    const h = run(radii.map((r, i) => ({ trainLoss: 0.6 * Math.exp(-i / 3), valLoss: i <= 4 ? 0.6 - 0.08 * i : 0.28 + 0.06 * (i - 4), val: eroded(r), best: i === 4 })));
    const w = live(h, 0.9, null);
    expect(w.map((x) => x.kind)).toEqual(['overfitting']);
    expect(after(h, null)).toEqual(['overfitting']);
    expect(w[0].epoch).toBe(afterFirst(h, 'overfitting', null));
  });

  it('an epoch loss that explodes: diverged on both paths', () => {
    const h = run([0.6, 0.4, 0.25, 0.2, 3.5].map((l) => ({ trainLoss: l, valLoss: l, val: eroded(2) })));
    expect(live(h, 0.9, null).map((x) => x.kind)).toEqual(['diverged']);
    expect(after(h, null)).toEqual(['diverged']);
  });

  it('a warning is raised once while it holds, and again after it cleared', () => {
    const h = run([-1, -1, -1, 2, -1, -1].map((r, i) => ({ trainLoss: 0.5 - 0.05 * i, valLoss: 0.5, val: r < 0 ? collapsedToBg() : eroded(r) })));
    expect(live(h, 0.9, null).map((x) => [x.kind, x.epoch])).toEqual([
      ['collapsed', 2],
      ['collapsed', 6],
    ]);
  });
});

describe.skipIf(missing(DROSOPHILA, 'never-predicted live and after on Drosophila figures'))('a rare class never predicted, live and after (Drosophila VNC)', () => {
  it('synapse predicted nowhere: class-never-predicted on both paths, live from epoch 3', async () => {
    const t = await table('drosophila-vnc');
    const bg = backgroundId(t);
    const synapse = t.classes.findIndex((c) => c.name === 'synapse');
    const gt = await readMasks(join(DROSOPHILA, 'masks'), t, 3);
    const dropped = (r: number) =>
      valOf(
        evaluate(
          gt.map((g) => {
            const pred = erode(g.labels, bg, r);
            return { name: g.name, gt: g.labels, pred: { ...pred, data: pred.data.map((v) => (v === synapse ? bg : v)) } };
          }),
          t,
        ),
      );
    const h = history([3, 2, 1, 1, 1].map((r, i) => ({ trainLoss: 0.9 - 0.1 * i, valLoss: 0.9 - 0.08 * i, val: dropped(r) })));
    const w = live(h, 1.2, null);
    expect(w.map((x) => [x.kind, x.epoch])).toEqual([['class-never-predicted', HISTORY_RULES.neverPredictedEpochs.live]]);
    expect(w[0].finding.evidence).toMatchObject({ classes: 'synapse', mode: 'live' });
    expect(after(h, null)).toEqual(['class-never-predicted']);
    expect(liveFindings({ history: h.slice(0, 2), initialLoss: 1.2, chanceLoss: null })).toEqual([]);
  });
});

describe('step losses (live only)', () => {
  it('NaN, Infinity and a thousandfold rise stop training; ordinary noise does not', () => {
    const factor = HISTORY_RULES.stepDivergeFactor.live;
    expect(stepWarning({ epoch: 2, step: 7, loss: NaN, initialLoss: 1, lr: 1e-3 })).toMatchObject({ kind: 'diverged', epoch: 2 });
    expect(stepWarning({ epoch: 2, step: 7, loss: NaN, initialLoss: 1, lr: 1e-3 })?.message).toMatch(/became NaN at epoch 2, step 7/);
    expect(stepWarning({ epoch: 1, step: 1, loss: Infinity, initialLoss: null, lr: 1e-3 })?.kind).toBe('diverged');
    expect(stepWarning({ epoch: 3, step: 1, loss: factor * 2 + 1, initialLoss: 2, lr: 1e-3 })?.finding.evidence).toMatchObject({ divergeFactor: factor });
    expect(stepWarning({ epoch: 3, step: 1, loss: 5, initialLoss: 2, lr: 1e-3 })).toBeNull();
    expect(stepWarning({ epoch: 3, step: 1, loss: 1e9, initialLoss: null, lr: 1e-3 })).toBeNull();
  });
});
