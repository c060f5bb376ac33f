import { tf } from '../../src/train/tf.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { IGNORE } from '../../src/seg/types.ts';
import { classWeightsFromCounts, foregroundClassProbabilities } from '../../src/train/data/class-weights.ts';
import { chanceCrossEntropy, crossEntropy } from '../../src/train/losses/cross-entropy.ts';
import { softDiceLoss } from '../../src/train/losses/dice.ts';
import { focalLoss } from '../../src/train/losses/focal.ts';
import { LOSS_KINDS, makeLoss } from '../../src/train/losses/loss.ts';
import type { LossKind } from '../../src/train/losses/loss.ts';
import { Rng } from '../../src/train/data/rng.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

/** Two pixels, K=2: pixel 0 predicts [1/4, 3/4] with label 1; pixel 1 predicts [1/2, 1/2] with label 0. */
function twoPixels() {
  return {
    logits: tf.tensor4d([0, Math.log(3), 0, 0], [1, 1, 2, 2]),
    labels: tf.tensor3d([1, 0], [1, 1, 2], 'int32'),
  };
}

/** Random logits and labels with about a quarter of the labels IGNORE. */
function randomCase(seed: number, b = 2, h = 5, w = 6, k = 3) {
  const rng = Rng.fromSeed(seed);
  const n = b * h * w;
  const logits = Float32Array.from({ length: n * k }, () => rng.normal() * 2);
  const labels = Int32Array.from({ length: n }, () => (rng.next() < 0.25 ? IGNORE : rng.int(k)));
  return { logits, labels, shape: [b, h, w, k] as [number, number, number, number] };
}

/** Log-softmax in plain JS for one pixel. */
function logSoftmax(z: number[]): number[] {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
}

describe('cross-entropy', () => {
  it('matches hand-computed values', () => {
    const { logits, labels } = twoPixels();
    expect(value(crossEntropy(logits, labels, { head: 'softmax' }))).toBeCloseTo((Math.log(4 / 3) + Math.LN2) / 2, 6);
    // Weighted: weights [1, 3]; pixel 0 (label 1) counts 3 times: (3 ln(4/3) + ln 2) / 4.
    expect(value(crossEntropy(logits, labels, { head: 'softmax', classWeights: [1, 3] }))).toBeCloseTo((3 * Math.log(4 / 3) + Math.LN2) / 4, 6);
    // Sigmoid: per class BCE averaged over classes; pixel 0: class 0 z=0 t=0 -> ln 2, class 1 z=ln 3 t=1 -> ln(4/3).
    // Pixel 1: both z=0 -> ln 2.
    expect(value(crossEntropy(logits, labels, { head: 'sigmoid' }))).toBeCloseTo(((Math.LN2 + Math.log(4 / 3)) / 2 + Math.LN2) / 2, 6);
    tf.dispose([logits, labels]);
  });

  it.each([2, 3, 5])('a uniform %i-class prediction scores ln K (sigmoid: ln 2)', (k) => {
    const rng = Rng.fromSeed(k);
    const logits = tf.zeros([2, 4, 4, k]) as tf.Tensor4D;
    const labels = tf.tensor3d(Int32Array.from({ length: 32 }, () => rng.int(k)), [2, 4, 4], 'int32');
    expect(value(crossEntropy(logits, labels, { head: 'softmax' }))).toBeCloseTo(Math.log(k), 6);
    expect(chanceCrossEntropy(k, 'softmax')).toBeCloseTo(Math.log(k), 12);
    expect(value(crossEntropy(logits, labels, { head: 'sigmoid' }))).toBeCloseTo(Math.LN2, 6);
    expect(chanceCrossEntropy(k, 'sigmoid')).toBe(Math.LN2);
    // Weighted CE is a weighted MEAN, so it keeps the ln K scale.
    expect(value(crossEntropy(logits, labels, { head: 'softmax', classWeights: Array.from({ length: k }, (_, i) => i + 1) }))).toBeCloseTo(Math.log(k), 6);
    tf.dispose([logits, labels]);
  });

  it('equals a plain-JS mean of -log p_y over the pixels that are not IGNORE', () => {
    const c = randomCase(11);
    const [, , , k] = c.shape;
    let sum = 0;
    let n = 0;
    c.labels.forEach((y, p) => {
      if (y === IGNORE) return;
      sum -= logSoftmax(Array.from(c.logits.subarray(p * k, p * k + k)))[y];
      n++;
    });
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(c.labels.length);
    const logits = tf.tensor4d(c.logits, c.shape);
    const labels = tf.tensor3d(c.labels, c.shape.slice(0, 3) as [number, number, number], 'int32');
    expect(value(crossEntropy(logits, labels, { head: 'softmax' }))).toBeCloseTo(sum / n, 5);
    tf.dispose([logits, labels]);
  });
});

describe('soft Dice', () => {
  it('matches a hand-computed value (foreground class 1 only)', () => {
    const { logits, labels } = twoPixels();
    // Class 1: p = [3/4, 1/2], g = [1, 0] -> I = 3/4, sum p = 5/4, sum g = 1, dice = 1.5 / 2.25.
    expect(value(softDiceLoss(logits, labels, { head: 'softmax', backgroundId: 0, smooth: 0 }))).toBeCloseTo(1 - 1.5 / 2.25, 6);
    // With the background counted too: class 0: p = [1/4, 1/2], g = [0, 1] -> dice = 1 / 1.75.
    const both = value(softDiceLoss(logits, labels, { head: 'softmax', backgroundId: null, smooth: 0 }));
    expect(both).toBeCloseTo(1 - (1.5 / 2.25 + 1 / 1.75) / 2, 6);
    tf.dispose([logits, labels]);
  });

  it('averages only the foreground classes present in the labels', () => {
    // K=3, labels hold classes 0 and 1 only: class 2 is absent and must not enter the mean.
    const logits = tf.tensor4d([0, 2, 0, 1, 0, 0, 0, 0, 3], [1, 1, 3, 3]);
    const labels = tf.tensor3d([1, 0, 0], [1, 1, 3], 'int32');
    const p = [0, 1, 2].map((i) => logSoftmax([[0, 2, 0], [1, 0, 0], [0, 0, 3]][i]).map(Math.exp));
    const inter = p[0][1];
    const dice1 = (2 * inter) / (p[0][1] + p[1][1] + p[2][1] + 1);
    expect(value(softDiceLoss(logits, labels, { head: 'softmax', backgroundId: 0, smooth: 0 }))).toBeCloseTo(1 - dice1, 6);
    tf.dispose([logits, labels]);
  });

  it('is 0 for a batch without foreground and near 0 for a perfect prediction', () => {
    const labels = tf.tensor3d([0, 0, 1, 2], [1, 2, 2], 'int32');
    const bgOnly = tf.tensor3d([0, 0, IGNORE, 0], [1, 2, 2], 'int32');
    const perfect = tf.tidy(() => tf.mul(tf.oneHot(labels, 3, 1, 0, 'float32'), 40) as tf.Tensor4D);
    expect(value(softDiceLoss(perfect, bgOnly, { head: 'softmax', backgroundId: 0 }))).toBe(0);
    expect(value(softDiceLoss(perfect, labels, { head: 'softmax', backgroundId: 0 }))).toBeLessThan(1e-6);
    tf.dispose([labels, bgOnly, perfect]);
  });
});

describe('focal', () => {
  it('matches hand-computed values and equals CE for gamma 0', () => {
    const { logits, labels } = twoPixels();
    const expected = ((1 / 4) ** 2 * Math.log(4 / 3) + (1 / 2) ** 2 * Math.LN2) / 2;
    expect(value(focalLoss(logits, labels, { head: 'softmax' }))).toBeCloseTo(expected, 6);
    expect(value(focalLoss(logits, labels, { head: 'softmax', gamma: 0 }))).toBeCloseTo(value(crossEntropy(logits, labels, { head: 'softmax' })), 6);
    expect(value(focalLoss(logits, labels, { head: 'sigmoid', gamma: 0 }))).toBeCloseTo(value(crossEntropy(logits, labels, { head: 'sigmoid' })), 6);
    tf.dispose([logits, labels]);
  });
});

describe('every loss kind', () => {
  const weights = [0.5, 2, 3];
  const kinds = LOSS_KINDS.flatMap((kind) => (['softmax', 'sigmoid'] as const).map((head) => ({ kind, head })));

  it.each(kinds)('$kind ($head): ignored pixels contribute nothing', ({ kind, head }) => {
    const c = randomCase(kinds.findIndex((x) => x.kind === kind && x.head === head) + 100);
    const k = c.shape[3];
    const loss = makeLoss({ kind, head, numClasses: k, backgroundId: 0, classWeights: weights });
    const full = value(tf.tidy(() => loss(tf.tensor4d(c.logits, c.shape), tf.tensor3d(c.labels, c.shape.slice(0, 3) as [number, number, number], 'int32'))));
    // The same loss on the kept pixels alone, laid out as one row of a 1-image batch.
    const kept = [...c.labels.keys()].filter((p) => c.labels[p] !== IGNORE);
    const keptLogits = Float32Array.from(kept.flatMap((p) => Array.from(c.logits.subarray(p * k, p * k + k))));
    const keptLabels = Int32Array.from(kept.map((p) => c.labels[p]));
    const alone = value(tf.tidy(() => loss(tf.tensor4d(keptLogits, [1, 1, kept.length, k]), tf.tensor3d(keptLabels, [1, 1, kept.length], 'int32'))));
    expect(full).toBeCloseTo(alone, 5);
    // And the logits at ignored pixels get exactly zero gradient.
    const grad = tf.tidy(() => {
      const labels = tf.tensor3d(c.labels, c.shape.slice(0, 3) as [number, number, number], 'int32');
      return tf.grad((z: tf.Tensor) => loss(z as tf.Tensor4D, labels))(tf.tensor4d(c.logits, c.shape)).dataSync();
    });
    c.labels.forEach((y, p) => {
      if (y === IGNORE) for (let j = 0; j < k; j++) expect(Math.abs(grad[p * k + j])).toBe(0);
    });
  });

  it.each(kinds)('$kind ($head): finite loss and gradients on extreme logits and an all-ignored batch', ({ kind, head }) => {
    const loss = makeLoss({ kind, head, numClasses: 3, backgroundId: 0, classWeights: weights });
    const extreme = tf.tensor4d([80, -80, 0, -80, 80, 0, 0, 0, 80, -80, -80, 80], [1, 2, 2, 3]);
    const wrong = tf.tensor3d([2, 0, 1, IGNORE], [1, 2, 2], 'int32');
    const none = tf.tensor3d([IGNORE, IGNORE, IGNORE, IGNORE], [1, 2, 2], 'int32');
    const before = tf.memory().numTensors;
    for (const labels of [wrong, none]) {
      const { value: v, grad } = tf.tidy(() => tf.valueAndGrad((z: tf.Tensor) => loss(z as tf.Tensor4D, labels))(extreme));
      const lv = v.dataSync()[0];
      expect(Number.isFinite(lv)).toBe(true);
      if (labels === none) expect(lv).toBe(0);
      else expect(lv).toBeGreaterThan(0);
      for (const g of grad.dataSync()) expect(Number.isFinite(g)).toBe(true);
      tf.dispose([v, grad]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([extreme, wrong, none]);
  });

  it('dice-ce is dice + ce (weighted CE when weights are given)', () => {
    const c = randomCase(5);
    const logits = tf.tensor4d(c.logits, c.shape);
    const labels = tf.tensor3d(c.labels, c.shape.slice(0, 3) as [number, number, number], 'int32');
    const get = (kind: LossKind, w?: number[]) => value(makeLoss({ kind, numClasses: 3, backgroundId: 0, classWeights: w })(logits, labels));
    expect(get('dice-ce')).toBeCloseTo(get('dice') + get('ce'), 6);
    expect(get('dice-ce', weights)).toBeCloseTo(get('dice') + get('weighted-ce', weights), 6);
    tf.dispose([logits, labels]);
  });

  it('makeLoss refuses inconsistent options with a clear message', () => {
    expect(() => makeLoss({ kind: 'weighted-ce', numClasses: 3, backgroundId: 0 })).toThrow(/needs class weights/);
    expect(() => makeLoss({ kind: 'ce', numClasses: 3, backgroundId: 0, classWeights: [1, 2] })).toThrow(/3 finite non-negative/);
    expect(() => makeLoss({ kind: 'dice', numClasses: 3, backgroundId: 3 })).toThrow(/not a class id/);
    const loss = makeLoss({ kind: 'ce', numClasses: 3, backgroundId: 0 });
    const z = tf.zeros([1, 2, 2, 2]) as tf.Tensor4D;
    const y = tf.zeros([1, 2, 2], 'int32') as tf.Tensor3D;
    expect(() => loss(z, y)).toThrow(/do not fit/);
    tf.dispose([z, y]);
  });
});

describe('class weights from the training split', () => {
  it('median-frequency balancing: median class 1, rarer classes more, background less', () => {
    const w = classWeightsFromCounts([700, 200, 100]);
    expect(w[0]).toBeCloseTo(0.2 / 0.7, 10);
    expect(w[1]).toBeCloseTo(1, 10);
    expect(w[2]).toBeCloseTo(2, 10);
  });

  it('clips to [0.1, 10] by default and gives absent classes 1', () => {
    // Frequencies ~1 and 1e-6: median 0.5, raw weights 0.5 and 5e5.
    const w = classWeightsFromCounts([999_999, 1, 0]);
    expect(w[0]).toBeCloseTo(0.5, 5);
    expect(w.slice(1)).toEqual([10, 1]);
    expect(classWeightsFromCounts([999_999, 1], { max: 100 })[1]).toBe(100);
    expect(classWeightsFromCounts([0, 0])).toEqual([1, 1]);
  });

  it('foreground sampling probabilities: inverse frequency over present foreground classes', () => {
    const p = foregroundClassProbabilities([1000, 300, 100, 0], 0);
    expect(p[0]).toBe(0);
    expect(p[3]).toBe(0);
    expect(p[2] / p[1]).toBeCloseTo(3, 10);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(foregroundClassProbabilities([5, 0], 0)).toEqual([0, 0]);
  });
});
