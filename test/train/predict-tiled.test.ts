// Tiled prediction (src/train/predict/tiled.ts): exact against whole-image prediction where the
// model makes that possible, exact against a known pointwise function for any image size (so a
// misplaced tile, a wrong crop of the padding or unnormalised blending weights fail), and leak-free.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { tf, tfl } from '../../src/train/tf.ts';
import { ConfigError, ShapeError } from '../../src/seg/errors.ts';
import { buildUNet } from '../../src/train/model/unet.ts';
import { blendWindow1d, WINDOW_FLOOR } from '../../src/train/predict/blend.ts';
import { inferSizeMultiple, predictImage, reflectIndex, tileLayout } from '../../src/train/predict/tiled.ts';
import type { PredictInput } from '../../src/train/predict/tiled.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomImage(height: number, width: number, channels: number, seed: string): PredictInput {
  const rng = seedrandom(seed);
  const data = new Float32Array(height * width * channels);
  for (let i = 0; i < data.length; i++) data[i] = rng();
  return { width, height, channels, data };
}

/**
 * A model whose output at a pixel depends on that pixel only: softmax(x W + b), plus a branch
 * through two 2x2 max-pools and a 4x up-sampling multiplied by zero weights, so that the model
 * needs sides divisible by 4 (as a U-Net needs 2^depth) without changing the function.
 */
const C = 2;
const K = 3;
const W1 = [0.9, -1.3, 0.4, 2.1, -0.7, 1.6]; // [C][K]
const B1 = [0.1, -0.2, 0.3];
function pointwiseModel(): tfl.LayersModel {
  const inp = tfl.input({ shape: [null, null, C] });
  const a = tfl.layers.conv2d({ filters: K, kernelSize: 1, weights: [tf.tensor4d(W1, [1, 1, C, K]), tf.tensor1d(B1)] }).apply(inp) as tfl.SymbolicTensor;
  let b = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(inp) as tfl.SymbolicTensor;
  b = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }).apply(b) as tfl.SymbolicTensor;
  b = tfl.layers.upSampling2d({ size: [4, 4] }).apply(b) as tfl.SymbolicTensor;
  b = tfl.layers.conv2d({ filters: K, kernelSize: 1, kernelInitializer: 'zeros', biasInitializer: 'zeros' }).apply(b) as tfl.SymbolicTensor;
  const sum = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
  return tfl.model({ inputs: inp, outputs: tfl.layers.softmax({ axis: -1 }).apply(sum) as tfl.SymbolicTensor });
}

/** The pointwise model's function, computed in plain JS. */
function expectedPointwise(img: PredictInput): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * K);
  for (let p = 0; p < n; p++) {
    const z = B1.map((b, k) => b + Array.from({ length: C }, (_, c) => img.data[p * C + c] * W1[c * K + k]).reduce((s, v) => s + v, 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    e.forEach((v, k) => (out[p * K + k] = v / s));
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('tile geometry', () => {
  it('tileLayout: fewest tiles of at most maxTile, shrunk to the smallest fitting multiple, even, flush with the end', () => {
    for (const [len, maxTile, overlap, m] of [[517, 64, 16, 4], [300, 64, 0, 4], [64, 64, 16, 4], [65, 64, 16, 4], [1000, 256, 64, 16], [1024, 512, 128, 16], [2048, 512, 128, 16], [2048, 256, 64, 16], [700, 512, 128, 16]]) {
      const { tile, offsets } = tileLayout(len, maxTile, overlap, m);
      const n = offsets.length;
      expect(tile).toBeLessThanOrEqual(maxTile);
      expect(tile % m).toBe(0);
      expect(n).toBe(len <= maxTile ? 1 : Math.ceil((len - overlap) / (maxTile - overlap)));
      expect(offsets[0]).toBe(0);
      expect(offsets[n - 1]).toBe(len - tile);
      for (let i = 1; i < n; i++) {
        expect(offsets[i] - offsets[i - 1]).toBeGreaterThan(0);
        expect(offsets[i] - offsets[i - 1]).toBeLessThanOrEqual(tile - overlap); // overlap at least `overlap`
      }
      // one multiple smaller could not cover the side with n tiles and that overlap
      if (n > 1) expect(n * (tile - m) - (n - 1) * overlap).toBeLessThan(len);
    }
    expect(tileLayout(1024, 512, 128, 16)).toEqual({ tile: 432, offsets: [0, 296, 592] });
    expect(tileLayout(512, 512, 128, 16)).toEqual({ tile: 512, offsets: [0] });
    expect(tileLayout(40, 64, 16, 16)).toEqual({ tile: 48, offsets: [0] });
  });

  it('reflectIndex mirrors without repeating the edge, for any overflow', () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6].map((i) => reflectIndex(i, 4))).toEqual([3, 2, 1, 0, 1, 2, 3, 2, 1, 0]);
    expect(reflectIndex(-7, 1)).toBe(0);
    expect(reflectIndex(9, 3)).toBe(1);
  });

  it('the blend window tapers towards the borders, is symmetric and never reaches 0', () => {
    const w = blendWindow1d(64);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(WINDOW_FLOOR);
    expect(w[0]).toBeLessThan(0.12);
    expect(w[31]).toBeGreaterThan(0.99);
    for (let i = 0; i < 64; i++) expect(w[i]).toBeCloseTo(w[63 - i], 6);
  });

  it('inferSizeMultiple reads 2^depth from a U-Net and 4 from two pools', () => {
    const u = buildUNet({ depth: 3, baseFilters: 2, inputChannels: 1, numClasses: 2 });
    expect(inferSizeMultiple(u)).toBe(8);
    u.dispose();
    const m = pointwiseModel();
    expect(inferSizeMultiple(m)).toBe(4);
    m.dispose();
  });
});

describe('predictImage', () => {
  const unet = { depth: 2, baseFilters: 4, inputChannels: 1 as const, numClasses: 3 };
  let model: tfl.LayersModel;
  let point: tfl.LayersModel;
  beforeAll(() => {
    model = buildUNet(unet);
    point = pointwiseModel();
  });
  afterAll(() => {
    model.dispose();
    point.dispose();
  });

  it.each([
    [64, 64],
    [48, 64],
  ])('an image of exactly one tile (%i x %i) equals model.predict on the whole image', async (h, w) => {
    const img = randomImage(h, w, 1, `one-${h}`);
    const r = await predictImage(model, img, { tile: 64, head: 'softmax', numClasses: 3 });
    expect(r.tiles).toBe(1);
    const whole = tf.tidy(() => (model.predict(tf.tensor4d(img.data, [1, h, w, 1])) as tf.Tensor).dataSync() as Float32Array);
    expect(maxAbsDiff(r.probs, whole)).toBeLessThan(1e-6);
    // labels are the argmax of probs
    for (let p = 0; p < h * w; p += 97) {
      const row = Array.from(whole.subarray(p * 3, p * 3 + 3));
      expect(r.labels.data[p]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  it.each([
    [300, 517, 64, 16, 4],
    [300, 517, 64, 0, 3],
    [129, 64, 32, 8, 2],
    [130, 130, 64, 16, 2], // tiles shrunk to 56 x 56
    [37, 50, 64, 16, 4], // smaller than a tile in both sides: reflect-padded to 40 x 52
    [200, 30, 64, 20, 4], // tiled along y, padded along x
    [3, 5, 64, 16, 1],
    [1, 1, 16, 4, 1],
  ])('a pointwise model gives its exact function on %i x %i (tile %i, overlap %i, batch %i)', async (h, w, tile, overlap, batch) => {
    const img = randomImage(h, w, C, `pw-${h}-${w}`);
    let calls = 0;
    const r = await predictImage(point, img, { tile, overlap, batch, head: 'softmax', numClasses: K, onProgress: () => calls++ });
    expect(r.probs.length).toBe(h * w * K);
    expect(r.labels.width).toBe(w);
    expect(r.labels.height).toBe(h);
    expect(calls).toBe(Math.ceil(r.tiles / batch));
    expect(maxAbsDiff(r.probs, expectedPointwise(img))).toBeLessThan(2e-6);
  });

  it('logits output: the head is applied per tile, giving the same probabilities', async () => {
    const logits = tfl.model({ inputs: point.inputs, outputs: point.layers[point.layers.length - 2].output as tfl.SymbolicTensor });
    const img = randomImage(90, 70, C, 'logits');
    const a = await predictImage(point, img, { tile: 32, head: 'softmax', numClasses: K });
    const b = await predictImage(logits, img, { tile: 32, head: 'softmax', numClasses: K, modelOutput: 'logits' });
    expect(maxAbsDiff(a.probs, b.probs)).toBeLessThan(1e-6);
  });

  it('a U-Net on an odd-sized image: probabilities sum to 1 and no tensor is left behind', async () => {
    const img = randomImage(77, 141, 1, 'unet');
    const before = tf.memory().numTensors;
    const r = await predictImage(model, img, { tile: 32, overlap: 8, batch: 3, head: 'softmax', numClasses: 3 });
    expect(tf.memory().numTensors).toBe(before);
    for (let p = 0; p < 77 * 141; p += 53) expect(r.probs[p * 3] + r.probs[p * 3 + 1] + r.probs[p * 3 + 2]).toBeCloseTo(1, 5);
    await expect(predictImage(model, randomImage(20, 20, 3, 'rgb'), { tile: 32, head: 'softmax', numClasses: 3 })).rejects.toThrow(ShapeError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad arguments are named', async () => {
    const img = randomImage(40, 40, 1, 'bad');
    await expect(predictImage(model, img, { tile: 30, head: 'softmax', numClasses: 3 })).rejects.toThrow(/multiple of 4/);
    await expect(predictImage(model, img, { tile: 32, overlap: 32, head: 'softmax', numClasses: 3 })).rejects.toThrow(ConfigError);
    await expect(predictImage(model, img, { tile: 32, batch: 0, head: 'softmax', numClasses: 3 })).rejects.toThrow(/batch/);
    await expect(predictImage(model, img, { tile: 32, head: 'softmax', numClasses: 4 })).rejects.toThrow(/outputs 3/);
    await expect(predictImage(model, { ...img, data: img.data.subarray(1) }, { head: 'softmax', numClasses: 3 })).rejects.toThrow(/values for 40 x 40/);
  });
});
