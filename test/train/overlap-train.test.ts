// The training pieces of overlapping classes: class bits decoded by the loss, binary losses checked
// against plain-JS formulas (ignored pixels out, positive-pixel weights), no tensor leaked; the
// sampler's per-class index counting a pixel for each of its classes; the project option's strict
// checks; per-class masks read without resolving overlaps.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClassTable } from '../../src/seg/classes.ts';
import { readOverlappingMasks } from '../../src/seg/overlap-masks.ts';
import { ProjectSchema } from '../../src/seg/project/schema.ts';
import { IGNORE } from '../../src/seg/types.ts';
import { indexClasses } from '../../src/train/data/class-index.ts';
import { Rng } from '../../src/train/data/rng.ts';
import { makeLoss } from '../../src/train/losses/loss.ts';
import { binaryClassWeights, multiLabelBce, multiLabelDice, multiLabelTargets } from '../../src/train/losses/multi-label.ts';
import { tf } from '../../src/train/tf.ts';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'seglens-overlap-train-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const K = 3;

function randomCase(seed: number, n = 40) {
  const rng = Rng.fromSeed(seed);
  const logits = Float32Array.from({ length: n * K }, () => rng.normal() * 2);
  // Any combination of the 3 bits, never 0 (the background bit is "no other bit"), some IGNORE.
  const labels = Int32Array.from({ length: n }, () => (rng.next() < 0.2 ? IGNORE : [1, 2, 6, 4, 2][rng.int(5)]));
  return { logits, labels };
}

const bce = (z: number, t: number) => Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));

describe('multi-label losses', () => {
  it('decodes one target per class bit, zero on ignored pixels', () => {
    const labels = tf.tensor3d([1, 2, 6, 4, IGNORE, 5], [1, 1, 6], 'int32');
    const t = tf.tidy(() => multiLabelTargets(labels, K).target.arraySync() as number[][][][]);
    expect(t[0][0]).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
      [0, 0, 0],
      [1, 0, 1],
    ]);
    labels.dispose();
  });

  it('BCE is the mean binary cross-entropy over valid pixels and classes; weights scale positives only', () => {
    const { logits, labels } = randomCase(1);
    const n = labels.length;
    const z = tf.tensor4d(logits, [1, 1, n, K]);
    const y = tf.tensor3d(labels, [1, 1, n], 'int32');
    const w = [1, 2, 5];
    let plain = 0;
    let weighted = 0;
    let weights = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] === IGNORE) continue;
      for (let k = 0; k < K; k++) {
        const t = (labels[i] >> k) & 1;
        const l = bce(logits[i * K + k], t);
        plain += l;
        count++;
        const wk = t ? w[k] : 1;
        weighted += wk * l;
        weights += wk;
      }
    }
    const before = tf.memory().numTensors;
    expect(multiLabelBce(z, y).dataSync()[0]).toBeCloseTo(plain / count, 5);
    expect(multiLabelBce(z, y, w).dataSync()[0]).toBeCloseTo(weighted / weights, 5);
    const loss = makeLoss({ kind: 'dice-ce', numClasses: K, backgroundId: 0, head: 'sigmoid', multiLabel: true });
    const l = loss(z, y);
    const d = multiLabelDice(z, y, 0);
    expect(l.dataSync()[0]).toBeCloseTo(d.dataSync()[0] + plain / count, 5);
    // Only the returned scalars are new.
    expect(tf.memory().numTensors).toBe(before + 4);
    tf.dispose([z, y, l, d]);
  });

  it('Dice per class: confident correct logits give ~0; the background channel stays out of the mean', () => {
    const labels = Int32Array.from([1, 2, 6, 4, 1, IGNORE]);
    const logits = new Float32Array(labels.length * K);
    labels.forEach((v, i) => {
      for (let k = 0; k < K; k++) logits[i * K + k] = v !== IGNORE && (v >> k) & 1 ? 20 : -20;
    });
    const z = tf.tensor4d(logits, [1, 1, labels.length, K]);
    const y = tf.tensor3d(labels, [1, 1, labels.length], 'int32');
    expect(multiLabelDice(z, y, 0).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([z, y]);
  });

  it('refuses a softmax head, and gradients reach every class', () => {
    expect(() => makeLoss({ kind: 'ce', numClasses: K, backgroundId: 0, head: 'softmax', multiLabel: true })).toThrow(/sigmoid head/);
    const { logits, labels } = randomCase(2, 12);
    const y = tf.tensor3d(labels, [1, 1, 12], 'int32');
    const loss = makeLoss({ kind: 'focal', numClasses: K, backgroundId: 0, head: 'sigmoid', multiLabel: true, classWeights: [1, 1, 3] });
    const g = tf.grad((z: tf.Tensor) => loss(z as tf.Tensor4D, y))(tf.tensor4d(logits, [1, 1, 12, K]));
    const gs = g.arraySync() as number[][][][];
    for (let k = 0; k < K; k++) expect(gs[0][0].some((px) => px[k] !== 0)).toBe(true);
    tf.dispose([y, g]);
  });

  it('positive-pixel weights: negatives/positives of each class, clipped to [1, 10]', () => {
    expect(binaryClassWeights([800, 180, 20, 0], 1000)).toEqual([1, 820 / 180, 10, 1]);
  });
});

describe('per-class foreground sampling index', () => {
  it('lists a pixel under each of its classes', () => {
    const data = Uint8Array.from([1, 2, 6, 6, IGNORE, 4]);
    const ix = indexClasses({ width: 6, height: 1, data }, K, 1 << 16, true);
    expect(ix.counts).toEqual([1, 3, 3]);
    expect([...ix.pixels[1]]).toEqual([1, 2, 3]);
    expect([...ix.pixels[2]]).toEqual([2, 3, 5]);
    expect(() => indexClasses({ width: 1, height: 1, data: Uint8Array.from([8]) }, K, 1 << 16, true)).toThrow(/a bit beyond the 3 classes/);
  });
});

describe('the project option and reading', () => {
  const classes = {
    classes: [
      { name: 'background', values: [0] },
      { name: 'nucleus', values: [1] },
      { name: 'nucleolus', values: [2] },
    ],
    background: 'background',
  };
  const base = { version: 2, images: 'images', pairing: { rule: 'stem' }, classes, overlapping: true };

  it.each([
    [{ maskFormat: { kind: 'label' }, masks: 'masks' }, /overlapping.*per-class/],
    [{ maskFormat: { kind: 'per-class', folders: { background: 'm/bg', nucleus: 'm/n' } } }, /background is .{1,2}no foreground class/],
    [
      {
        maskFormat: { kind: 'per-class', folders: { c1: 'm/1' } },
        classes: { classes: Array.from({ length: 8 }, (_, i) => ({ name: `c${i}`, values: [i] })), background: 'c0' },
      },
      /at most 7 classes/,
    ],
    [{ maskFormat: { kind: 'per-class', folders: { nucleus: 'm/n' } }, overlaping: true }, /unknown key|Unrecognized key/],
  ])('refuses %j', (extra, message) => {
    const r = ProjectSchema.safeParse({ ...base, ...extra });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toMatch(message);
  });

  it('accepts per-class folders without the background', () => {
    expect(ProjectSchema.safeParse({ ...base, maskFormat: { kind: 'per-class', folders: { nucleus: 'm/n', nucleolus: 'm/o' } } }).success).toBe(true);
  });

  it('reads overlapping per-class files as bits, with no overlap problem', async () => {
    const write = async (name: string, px: number[]) => {
      const f = join(tmp, name);
      await sharp(Uint8Array.from(px), { raw: { width: 4, height: 1, channels: 1 } }).png().toFile(f);
      return f;
    };
    const table = parseClassTable(classes, 'test');
    const r = await readOverlappingMasks(
      [
        { className: 'nucleus', file: await write('n.png', [0, 255, 255, 255]) },
        { className: 'nucleolus', file: await write('o.png', [0, 0, 255, 0]) },
      ],
      table,
    );
    expect([...r.multi.data]).toEqual([1, 2, 6, 2]);
    expect([...r.labels.data]).toEqual([0, 1, 2, 1]);
    expect(r.cooccurrence[2][1]).toBe(1);
    expect(r.problems).toEqual([]);
  });
});
