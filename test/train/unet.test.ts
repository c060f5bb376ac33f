import { tf } from '../../src/train/tf.ts';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ShapeError } from '../../src/seg/errors.ts';
import { checkInputSize, makeModelMeta, parseModelMeta, parseUNetConfig } from '../../src/train/model/config.ts';
import { LOGITS_LAYER, PROBS_LAYER, applyHead, buildUNet, logitsModel, modelSummary } from '../../src/train/model/unet.ts';
import { loadWeights, packWeights, serializeWeights, unpackWeights } from '../../src/train/model/weights.ts';
import { makeLoss } from '../../src/train/losses/loss.ts';
import { DEFAULT_NORMALIZATION } from '../../src/seg/types.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny = { depth: 2, baseFilters: 4, inputChannels: 1 as const, numClasses: 3 };

function predictArray(model: tfl.LayersModel, x: tf.Tensor4D): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

describe('buildUNet', () => {
  it.each([1, 2, 3])('depth %i builds and predicts [B,H,W,K] for input [B,H,W,C]', (depth) => {
    const model = buildUNet({ ...tiny, depth, inputChannels: 3, numClasses: 4 });
    const x = tf.randomNormal([2, 16, 24, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 16, 24, 4]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('softmax head: probabilities per pixel sum to 1', () => {
    const model = buildUNet(tiny);
    const x = tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const sums = tf.tidy(() => tf.sum(model.predict(x) as tf.Tensor, -1).dataSync());
    expect(sums.length).toBe(256);
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    x.dispose();
    model.dispose();
  });

  it('sigmoid head: independent probabilities in (0,1), not forced to sum to 1', () => {
    const model = buildUNet({ ...tiny, head: 'sigmoid', numClasses: 1 });
    const x = tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const p = predictArray(model, x);
    expect(p.length).toBe(256);
    for (const v of p) expect(v > 0 && v < 1).toBe(true);
    expect(model.getLayer(PROBS_LAYER).getConfig().activation).toBe('sigmoid');
    x.dispose();
    model.dispose();
  });

  it('head layer order: a linear 1x1 conv "logits" feeds the softmax directly, the model ends there', () => {
    const model = buildUNet(tiny);
    const last = model.layers[model.layers.length - 1];
    expect(last.name).toBe(PROBS_LAYER);
    expect(last.getClassName()).toBe('Softmax');
    expect(model.outputLayers.map((l) => l.name)).toEqual([PROBS_LAYER]);
    const into = last.inboundNodes[0].inboundLayers;
    expect(into.map((l) => l.name)).toEqual([LOGITS_LAYER]);
    const logits = model.getLayer(LOGITS_LAYER);
    expect(logits.getClassName()).toBe('Conv2D');
    const cfg = logits.getConfig();
    expect(cfg.activation).toBe('linear');
    expect(cfg.kernelSize).toEqual([1, 1]);
    expect(cfg.filters).toBe(tiny.numClasses);
    // What feeds the logits conv is the last decoder block's output: batch norm THEN ReLU (one
    // fused layer), so no normalisation sits after the last non-linearity.
    const feeding = logits.inboundNodes[0].inboundLayers;
    expect(feeding.map((l) => l.getClassName())).toEqual(['SeglensBatchNormRelu']);
    expect(feeding[0].getConfig().relu).toBe(true);
    model.dispose();
  });

  it('logitsModel shares the weights: softmax(logits) equals the model output', () => {
    const model = buildUNet(tiny);
    const lm = logitsModel(model);
    const x = tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
    const a = predictArray(model, x);
    const b = tf.tidy(() => applyHead(lm.predict(x) as tf.Tensor4D, 'softmax').dataSync());
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 5);
    x.dispose();
    model.dispose();
  });

  it('has BN before every ReLU when batchNorm is on, none when off; dropout only when asked', () => {
    const on = buildUNet(tiny);
    const off = buildUNet({ ...tiny, batchNorm: false, dropout: 0.3 });
    const count = (m: tfl.LayersModel, cls: string) => m.layers.filter((l) => l.getClassName() === cls).length;
    expect(count(on, 'BatchNormalization')).toBe(count(on, 'ReLU'));
    expect(count(off, 'BatchNormalization')).toBe(0);
    expect(count(on, 'Dropout')).toBe(0);
    expect(count(off, 'Dropout')).toBe(1);
    expect(count(on, 'Conv2DTranspose')).toBe(tiny.depth);
    expect(count(on, 'MaxPooling2D')).toBe(tiny.depth);
    on.dispose();
    off.dispose();
  });

  it('the same seed builds the same weights, another seed other weights', () => {
    const a = serializeWeights(buildUNet({ ...tiny, seed: 7 }));
    const b = serializeWeights(buildUNet({ ...tiny, seed: 7 }));
    const c = serializeWeights(buildUNet({ ...tiny, seed: 8 }));
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
  });

  it('He-normal init: first conv kernel std close to sqrt(2 / fan_in)', () => {
    const model = buildUNet({ ...tiny, baseFilters: 32, depth: 1, inputChannels: 3 });
    const k = model.getLayer('enc0_conv1').getWeights()[0];
    const fanIn = 3 * 3 * 32;
    const std = tf.tidy(() => tf.sqrt(tf.moments(k).variance).dataSync()[0]);
    // tfjs' heNormal is a truncated normal with stddev sqrt(2/fan_in)/0.8796, cut at 2 sd.
    expect(std).toBeGreaterThan(0.8 * Math.sqrt(2 / fanIn));
    expect(std).toBeLessThan(1.2 * Math.sqrt(2 / fanIn));
    model.dispose();
  });
});

describe('modelSummary', () => {
  it.each([
    { depth: 1, baseFilters: 4, inputChannels: 1 as const, numClasses: 2 },
    { depth: 3, baseFilters: 4, inputChannels: 3 as const, numClasses: 5 },
    { depth: 2, baseFilters: 6, inputChannels: 1 as const, numClasses: 3, batchNorm: false },
    { depth: 2, baseFilters: 4, inputChannels: 1 as const, numClasses: 4, head: 'sigmoid' as const },
  ])('counts the parameters tfjs counts (%o)', (cfg) => {
    const model = buildUNet(cfg);
    const s = modelSummary(cfg);
    expect(s.params).toBe(model.countParams());
    const trainable = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((a, b) => (a as number) * (b as number), 1)!, 0);
    expect(s.trainableParams).toBe(trainable);
    model.dispose();
  });

  it('depth 4, base 16, 4 classes (the benchmark net) has about 1.9 M parameters', () => {
    const s = modelSummary({ depth: 4, baseFilters: 16, inputChannels: 1, numClasses: 4 });
    expect(s.filters).toEqual([16, 32, 64, 128, 256]);
    expect(s.trainableParams).toBeGreaterThan(1.8e6);
    expect(s.trainableParams).toBeLessThan(2.0e6);
  });
});

describe('config and input size', () => {
  it('rejects sizes that are not a multiple of 2^depth and says which', () => {
    expect(() => checkInputSize({ depth: 3 }, 64, 64)).not.toThrow();
    expect(() => checkInputSize({ depth: 3 }, 60, 64)).toThrow(/height 60 is not a multiple of 8/);
    expect(() => checkInputSize({ depth: 3 }, 64, 20)).toThrow(/width 20 is not a multiple of 8/);
    expect(() => checkInputSize({ depth: 2 }, 6, 10)).toThrow(/height 6 and width 10 are not a multiple of 4/);
    expect(() => checkInputSize({ depth: 2 }, 6, 10)).toThrow(ShapeError);
  });

  it('validates the config with paths in the message', () => {
    expect(() => parseUNetConfig({ inputChannels: 2, numClasses: 3 })).toThrow(ConfigError);
    expect(() => parseUNetConfig({ inputChannels: 1, numClasses: 3, depth: 9 })).toThrow(/depth/);
    expect(() => parseUNetConfig({ inputChannels: 1, numClasses: 1 })).toThrow(/sigmoid/);
    const cfg = parseUNetConfig({ inputChannels: 1, numClasses: 3 });
    expect(cfg).toMatchObject({ depth: 4, baseFilters: 16, batchNorm: true, dropout: 0, head: 'softmax' });
  });
});

describe('ModelMeta and weights', () => {
  const classTable = {
    classes: [
      { name: 'bg', values: [0], color: '#000000' },
      { name: 'membrane', values: [1], color: '#ff0000' },
      { name: 'mito', values: [2], color: '#00ff00' },
    ],
    background: 'bg',
    ignore: [],
  };

  it('round-trips through JSON and rejects a class table that does not fit the config', () => {
    const cfg = parseUNetConfig(tiny);
    const meta = makeModelMeta(cfg, DEFAULT_NORMALIZATION, classTable);
    expect(parseModelMeta(JSON.parse(JSON.stringify(meta)))).toEqual(meta);
    expect(() => makeModelMeta({ ...cfg, numClasses: 4 }, DEFAULT_NORMALIZATION, classTable)).toThrow(/numClasses/);
    expect(() => parseModelMeta({ ...meta, version: 99 })).toThrow(/version/);
    // A dataset-wide normalisation is only repeatable with the range it computed.
    const dataset = { ...DEFAULT_NORMALIZATION, scope: 'dataset' as const };
    expect(() => makeModelMeta(cfg, dataset, classTable)).toThrow(/datasetRange/);
    expect(makeModelMeta(cfg, dataset, classTable, { lo: 12, hi: 3400 }).datasetRange).toEqual({ lo: 12, hi: 3400 });
  });

  it('serialise -> pack -> unpack -> load reproduces predictions; bytes are deterministic', () => {
    const a = buildUNet({ ...tiny, seed: 1 });
    const b = buildUNet({ ...tiny, seed: 2 });
    const x = tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const packed = packWeights(serializeWeights(a));
    expect(Buffer.from(packWeights(serializeWeights(a))).equals(Buffer.from(packed))).toBe(true);
    const before = tf.memory().numTensors;
    loadWeights(b, unpackWeights(packed, 'w.bin'));
    expect(tf.memory().numTensors).toBe(before);
    const pa = predictArray(a, x);
    const pb = predictArray(b, x);
    expect(Array.from(pb)).toEqual(Array.from(pa));
    x.dispose();
    a.dispose();
    b.dispose();
  });

  it('refuses weights of another architecture and files that are not weights', () => {
    const w = serializeWeights(buildUNet({ ...tiny, baseFilters: 8 }));
    const m = buildUNet(tiny);
    expect(() => loadWeights(m, w)).toThrow(/shape/);
    expect(() => loadWeights(buildUNet({ ...tiny, depth: 3 }), serializeWeights(m))).toThrow(/different architecture/);
    expect(() => unpackWeights(new TextEncoder().encode('{"not":"weights"}'), 'x.bin')).toThrow(/x.bin is not a seglens weights file/);
  });
});

describe('tiny overfit', () => {
  it('depth-1 U-Net, base 4, learns a bright square in 60 Adam steps (train Dice > 0.9)', () => {
    const n = 16;
    const img = new Float32Array(n * n);
    const lab = new Int32Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const inSquare = i >= 4 && i < 11 && j >= 5 && j < 12;
        lab[i * n + j] = inSquare ? 1 : 0;
        img[i * n + j] = (inSquare ? 0.8 : 0.2) + 0.05 * Math.sin(i * 7 + j * 3);
      }
    }
    const x = tf.tensor4d(img, [1, n, n, 1]);
    const y = tf.tensor3d(lab, [1, n, n], 'int32');
    const model = buildUNet({ depth: 1, baseFilters: 4, inputChannels: 1, numClasses: 2, seed: 3 });
    const lm = logitsModel(model);
    const loss = makeLoss({ kind: 'dice-ce', numClasses: 2, backgroundId: 0 });
    const optimizer = tf.train.adam(0.02);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const tensorsBefore = tf.memory().numTensors;
    let first = NaN;
    let last = NaN;
    for (let step = 0; step < 60; step++) {
      const cost = optimizer.minimize(() => loss(lm.apply(x, { training: true }) as tf.Tensor4D, y), true, vars)!;
      last = cost.dataSync()[0];
      if (step === 0) first = last;
      cost.dispose();
    }
    // Adam's moment variables are created on the first step and live as long as the optimizer.
    const adamState = 2 * vars.length + 2;
    expect(tf.memory().numTensors).toBeLessThanOrEqual(tensorsBefore + adamState);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    const pred = tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, -1).dataSync());
    let inter = 0;
    let sum = 0;
    for (let i = 0; i < lab.length; i++) {
      if (pred[i] === 1 && lab[i] === 1) inter++;
      sum += (pred[i] === 1 ? 1 : 0) + (lab[i] === 1 ? 1 : 0);
    }
    expect((2 * inter) / sum).toBeGreaterThan(0.9);
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });
});
