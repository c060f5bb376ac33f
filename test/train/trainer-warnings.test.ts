// The warning detectors on constructed histories (the trainer test raises not-learning and
// diverged on real runs; collapse and overfitting are constructed here).
import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../../src/seg/history.ts';
import {
  COLLAPSE_SHARE,
  DIVERGED_FACTOR,
  NOT_LEARNING_EPOCHS,
  OVERFIT_EPOCHS,
  collapsed,
  epochWarnings,
  isDiverged,
  notLearning,
  overfitting,
} from '../../src/train/trainer/warnings.ts';

function rec(epoch: number, trainLoss: number, valLoss: number, shares: Array<[number, number]> = [[0.7, 0.7], [0.3, 0.3]]): EpochRecord {
  const names = ['background', 'nucleus', 'boundary'];
  return {
    epoch,
    trainLoss,
    valLoss,
    lr: 1e-3,
    seconds: 1,
    steps: 10,
    val: {
      meanForegroundDice: 0.5,
      meanForegroundIoU: 0.4,
      meanDiceWithBackground: 0.6,
      channelSummedDice: 0.9,
      pixelAccuracy: 0.9,
      allBackgroundAccuracy: 0.7,
      classes: shares.map(([predictedShare, trueShare], i) => ({ name: names[i], dice: 0.5, iou: 0.4, predictedShare, trueShare })),
    },
    monitor: { name: 'meanForegroundDice', value: 0.5, best: false },
  };
}

describe('not-learning', () => {
  const flat = [rec(1, 1.09, 1.1), rec(2, 1.1, 1.1), rec(3, 1.085, 1.1)];
  it('fires when the loss has not dropped 5 % from its initial value after the third epoch', () => {
    const w = notLearning({ history: flat, initialLoss: 1.1, chanceLoss: null });
    expect(w?.kind).toBe('not-learning');
    expect(w?.epoch).toBe(NOT_LEARNING_EPOCHS);
    expect(w?.message).toMatch(/1\.085 after 3 epochs/);
  });
  it('not before the third epoch, and not when the loss fell', () => {
    expect(notLearning({ history: flat.slice(0, 2), initialLoss: 1.1, chanceLoss: null })).toBeNull();
    expect(notLearning({ history: [...flat.slice(0, 2), rec(3, 0.6, 0.7)], initialLoss: 1.1, chanceLoss: null })).toBeNull();
  });
  it('fires for a cross-entropy stuck at ln K even when it started higher (story 4: ln 2)', () => {
    const h = [rec(1, 3, 1), rec(2, 1, 1), rec(3, Math.LN2 + 0.01, 1)];
    const w = notLearning({ history: h, initialLoss: 3, chanceLoss: Math.LN2 });
    expect(w?.message).toMatch(/uniform guess \(0\.693\)/);
  });
});

describe('collapsed', () => {
  it('fires when one class takes almost every predicted pixel but not every true one', () => {
    const w = collapsed(rec(4, 1, 1, [[0.995, 0.7], [0.005, 0.3]]));
    expect(w).toMatchObject({ kind: 'collapsed', epoch: 4, details: { className: 'background' } });
    expect(w?.message).toMatch(/99\.5 % of the validation pixels but covers 70\.0 %/);
  });
  it('not when the data really is almost all one class, nor below the share threshold', () => {
    expect(collapsed(rec(4, 1, 1, [[0.995, 0.99], [0.005, 0.01]]))).toBeNull();
    expect(collapsed(rec(4, 1, 1, [[COLLAPSE_SHARE - 0.01, 0.7], [0.03, 0.3]]))).toBeNull();
  });
  it('names a collapsed foreground class too', () => {
    expect(collapsed(rec(2, 1, 1, [[0.01, 0.7], [0.99, 0.3]]))?.details.className).toBe('nucleus');
  });
});

describe('overfitting', () => {
  const h = [rec(1, 1.0, 0.9), rec(2, 0.8, 0.7), rec(3, 0.6, 0.8), rec(4, 0.5, 0.85), rec(5, 0.4, 0.9)];
  it('fires when the validation loss stays 10 % above its minimum for 3 epochs while the training loss falls', () => {
    const w = overfitting(h);
    expect(w).toMatchObject({ kind: 'overfitting', epoch: 5, details: { minEpoch: 2 } });
    expect(w?.message).toMatch(/rose from 0\.700 \(epoch 2\) to 0\.900/);
  });
  it('not with fewer epochs after the minimum, nor when the training loss rose too, nor within noise', () => {
    expect(overfitting(h.slice(0, 2 + OVERFIT_EPOCHS - 1))).toBeNull();
    expect(overfitting([...h.slice(0, 4), rec(5, 0.9, 0.9)])).toBeNull();
    expect(overfitting([rec(1, 1, 0.9), rec(2, 0.8, 0.7), rec(3, 0.6, 0.72), rec(4, 0.5, 0.74), rec(5, 0.4, 0.75)])).toBeNull();
  });
});

describe('diverged and repetition', () => {
  it('NaN, Infinity and a thousandfold rise are divergence; ordinary noise is not', () => {
    expect(isDiverged(NaN, 1)).toBe(true);
    expect(isDiverged(Infinity, null)).toBe(true);
    expect(isDiverged(DIVERGED_FACTOR * 2 + 1, 2)).toBe(true);
    expect(isDiverged(5, 2)).toBe(false);
    expect(isDiverged(1e9, null)).toBe(false);
  });
  it('a warning is raised once while it holds, and again after it cleared', () => {
    const collapse = (e: number) => rec(e, 1 - e * 0.1, 1, [[0.999, 0.7], [0.001, 0.3]]);
    const ok = (e: number) => rec(e, 1 - e * 0.1, 1);
    let active = new Set<string>();
    const kinds: string[][] = [];
    const h: EpochRecord[] = [];
    for (const r of [collapse(1), collapse(2), ok(3), collapse(4)]) {
      h.push(r);
      const out = epochWarnings({ history: h, initialLoss: 1, chanceLoss: null }, active);
      kinds.push(out.raise.map((w) => w.kind));
      active = out.active;
    }
    expect(kinds).toEqual([['collapsed'], [], [], ['collapsed']]);
  });
});
