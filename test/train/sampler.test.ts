import { tf } from '../../src/train/tf.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { IGNORE } from '../../src/seg/types.ts';
import { augment } from '../../src/train/data/augment.ts';
import { makeBatch } from '../../src/train/data/batch.ts';
import { indexClasses } from '../../src/train/data/class-index.ts';
import { extractPatch, reflectIndex } from '../../src/train/data/patch.ts';
import type { TrainImage } from '../../src/train/data/patch.ts';
import { Rng } from '../../src/train/data/rng.ts';
import { PatchSampler } from '../../src/train/data/sampler.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A w x h grey image whose value at (x, y) is y * w + x, with labels from `label(x, y)`. */
function makeImage(w: number, h: number, label: (x: number, y: number) => number, channels = 1): TrainImage {
  const image = new Float32Array(w * h * channels);
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < channels; c++) image[(y * w + x) * channels + c] = (y * w + x) * (c + 1);
      data[y * w + x] = label(x, y);
    }
  }
  return { image, channels, labels: { width: w, height: h, data } };
}

/** 64x64: class 1 fills the left quarter, rare class 2 is a 4x4 square near the bottom-right corner. */
const rareScene = () => makeImage(64, 64, (x, y) => (x >= 56 && x < 60 && y >= 58 && y < 62 ? 2 : x < 16 ? 1 : 0));

describe('class index', () => {
  it('counts every class exactly and lists pixels of that class, thinned to the cap', () => {
    const im = rareScene();
    const full = indexClasses(im.labels, 3);
    expect(full.counts).toEqual([64 * 64 - 16 * 64 - 16, 16 * 64, 16]);
    expect(full.pixels.map((p) => p.length)).toEqual(full.counts);
    const thin = indexClasses(im.labels, 3, 100);
    expect(thin.counts).toEqual(full.counts);
    thin.pixels.forEach((list, k) => {
      expect(list.length).toBeLessThanOrEqual(100);
      expect(list.length).toBeGreaterThan(0);
      for (const p of list) expect(im.labels.data[p]).toBe(k);
    });
  });

  it('skips IGNORE and refuses class ids beyond the class count', () => {
    const labels = { width: 2, height: 2, data: Uint8Array.from([0, IGNORE, 1, 1]) };
    expect(indexClasses(labels, 2).counts).toEqual([1, 2]);
    expect(() => indexClasses(labels, 1)).toThrow(/class id 1 .* only 1 classes/);
  });
});

describe('patch extraction', () => {
  it('reflects indices without repeating the edge (numpy "reflect")', () => {
    expect([-3, -2, -1, 0, 3, 4, 5, 6, 7, 10].map((i) => reflectIndex(i, 4))).toEqual([3, 2, 1, 0, 3, 2, 1, 0, 1, 2]);
    expect(reflectIndex(-5, 1)).toBe(0);
  });

  it('copies an inside window exactly, in every channel', () => {
    const im = makeImage(20, 10, (x) => x % 3, 3);
    const p = extractPatch(im, 4, 2, 6);
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 6; x++) {
        expect(p.labels[y * 6 + x]).toBe((x + 4) % 3);
        for (let c = 0; c < 3; c++) expect(p.image[(y * 6 + x) * 3 + c]).toBe(((y + 2) * 20 + x + 4) * (c + 1));
      }
    }
  });

  it('pads past the border: mirrored image, IGNORE mask', () => {
    const im = makeImage(10, 12, () => 1);
    const p = extractPatch(im, -3, 8, 8); // rows 8..15 (12..15 outside), columns -3..4 (-3..-1 outside)
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const sx = x - 3;
        const sy = y + 8;
        const inside = sx >= 0 && sy < 12;
        expect(p.labels[y * 8 + x]).toBe(inside ? 1 : IGNORE);
        expect(p.image[y * 8 + x]).toBe(reflectIndex(sy, 12) * 10 + reflectIndex(sx, 10));
      }
    }
  });
});

describe('PatchSampler', () => {
  const opts = { patchSize: 16, numClasses: 3, backgroundId: 0 };

  /** Share of sampled label pixels that are class 2, and share of patches containing any. */
  function rareShare(foregroundRatio: number, n = 400) {
    const sampler = new PatchSampler([rareScene()], { ...opts, foregroundRatio });
    const rng = Rng.fromSeed(42);
    let rare = 0;
    let withRare = 0;
    let centredOnRare = 0;
    let centred = 0;
    for (let i = 0; i < n; i++) {
      const s = sampler.sample(rng);
      const r = s.labels.filter((v) => v === 2).length;
      rare += r;
      if (r > 0) withRare++;
      if (s.origin.centredOn !== null) centred++;
      if (s.origin.centredOn === 2) centredOnRare++;
    }
    return { pixelShare: rare / (n * 256), patchShare: withRare / n, centred: centred / n, centredOnRare: centredOnRare / Math.max(centred, 1) };
  }

  it('oversamples the rare class at the stated ratio (fixed seed, wide margins)', () => {
    const uniform = rareShare(0);
    const half = rareShare(0.5);
    const all = rareShare(1);
    // Uniform windows: class 2 is 16 of 4096 pixels (0.4 %) in a corner, inside about 1 window in 50.
    expect(uniform.centred).toBe(0);
    expect(uniform.pixelShare).toBeLessThan(0.01);
    expect(uniform.patchShare).toBeLessThan(0.1);
    // foregroundRatio 0.5: about half the patches are centred on a foreground pixel, and the rare
    // class (inverse frequency 1/16 against 1/1024) is the one chosen almost always.
    expect(half.centred).toBeGreaterThan(0.4);
    expect(half.centred).toBeLessThan(0.6);
    expect(half.centredOnRare).toBeGreaterThan(0.9);
    expect(half.pixelShare).toBeGreaterThan(3 * uniform.pixelShare);
    expect(half.patchShare).toBeGreaterThan(uniform.patchShare + 0.25);
    // A patch centred on the rare class (jitter +-4 around a pixel of a 4x4 square) always
    // contains it; the few centred on class 1 may not.
    expect(all.centred).toBe(1);
    expect(all.patchShare).toBeGreaterThan(0.9);
    expect(all.pixelShare).toBeGreaterThan(half.pixelShare);
  });

  it('keeps windows inside images at least as large as the patch (no padding introduced)', () => {
    const sampler = new PatchSampler([rareScene()], { ...opts, foregroundRatio: 1 });
    const rng = Rng.fromSeed(1);
    for (let i = 0; i < 200; i++) {
      const s = sampler.sample(rng);
      expect(s.origin.x0).toBeGreaterThanOrEqual(0);
      expect(s.origin.x0).toBeLessThanOrEqual(64 - 16);
      expect(s.origin.y0).toBeLessThanOrEqual(64 - 16);
      expect(s.labels.includes(IGNORE)).toBe(false);
    }
  });

  it('pads images smaller than the patch and never resizes them', () => {
    const small = makeImage(10, 12, (x, y) => (x + y) % 2);
    const sampler = new PatchSampler([small], { patchSize: 16, numClasses: 2, backgroundId: 0 });
    const rng = Rng.fromSeed(3);
    for (let i = 0; i < 50; i++) {
      const s = sampler.sample(rng);
      // Every image pixel is in the patch exactly once; everything else is IGNORE.
      expect(s.labels.filter((v) => v !== IGNORE).length).toBe(10 * 12);
      expect(s.origin.x0).toBeLessThanOrEqual(0);
      expect(s.origin.x0).toBeGreaterThanOrEqual(10 - 16);
    }
  });

  it('falls back to uniform patches when the split has no foreground pixel', () => {
    const sampler = new PatchSampler([makeImage(32, 32, () => 0)], { ...opts, foregroundRatio: 1 });
    expect(sampler.classProbabilities).toEqual([0, 0, 0]);
    const rng = Rng.fromSeed(5);
    for (let i = 0; i < 20; i++) expect(sampler.sample(rng).origin.centredOn).toBeNull();
  });

  it('refuses mismatched images and bad options', () => {
    const a = makeImage(8, 8, () => 0);
    const b = makeImage(8, 8, () => 0, 3);
    expect(() => new PatchSampler([a, b], opts)).toThrow(/channels/);
    expect(() => new PatchSampler([], opts)).toThrow(/at least one/);
    expect(() => new PatchSampler([a], { ...opts, foregroundRatio: 1.5 })).toThrow(/foregroundRatio/);
    expect(() => new PatchSampler([{ ...a, image: new Float32Array(3) }], opts)).toThrow(/do not fit/);
  });
});

describe('seeding and resume', () => {
  const images = [rareScene(), makeImage(40, 24, (x, y) => (x * y) % 3)];
  const sampler = new PatchSampler(images, { patchSize: 16, numClasses: 3, backgroundId: 0 });
  const config = { flip: true, rotate90: true, intensity: { scale: 0.1, shift: 0.1, gamma: 0.2 }, elastic: { sigma: 2, spacing: 8, probability: 0.5 } };
  const step = (rng: Rng) => augment(sampler.sample(rng), rng, config);

  it('the same seed gives the same patches, another seed others', () => {
    const a = Rng.fromSeed(9);
    const b = Rng.fromSeed(9);
    const c = Rng.fromSeed(10);
    for (let i = 0; i < 10; i++) {
      const [sa, sb, sc] = [step(a), step(b), step(c)];
      expect(sb.image).toEqual(sa.image);
      expect(sb.labels).toEqual(sa.labels);
      if (i === 0) expect(sc.image).not.toEqual(sa.image);
    }
  });

  it('a state saved mid-stream (through JSON) continues with exactly the same patches', () => {
    const rng = Rng.fromSeed('resume');
    for (let i = 0; i < 7; i++) step(rng);
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const expected = Array.from({ length: 5 }, () => step(rng));
    const resumed = Rng.fromState(saved, 'checkpoint last/rng.json');
    const again = Array.from({ length: 5 }, () => step(resumed));
    again.forEach((s, i) => {
      expect(s.image).toEqual(expected[i].image);
      expect(s.labels).toEqual(expected[i].labels);
    });
    // restore() rewinds an existing generator the same way.
    rng.restore(saved);
    expect(step(rng).image).toEqual(expected[0].image);
    expect(() => Rng.fromState({ algorithm: 'arc4' }, 'rng.json')).toThrow(/rng.json/);
  });
});

describe('makeBatch', () => {
  it('stacks samples into x [B,P,P,C] float32 and y [B,P,P] int32, IGNORE kept', () => {
    const im = makeImage(6, 6, (x) => (x === 0 ? IGNORE : x % 2), 3);
    const s1 = extractPatch(im, 0, 0, 4);
    const s2 = extractPatch(im, 2, 2, 4);
    const before = tf.memory().numTensors;
    const { x, y } = makeBatch([s1, s2]);
    expect(x.shape).toEqual([2, 4, 4, 3]);
    expect(x.dtype).toBe('float32');
    expect(y.shape).toEqual([2, 4, 4]);
    expect(y.dtype).toBe('int32');
    expect(Array.from(x.dataSync().subarray(48))).toEqual(Array.from(s2.image));
    expect(Array.from(y.dataSync().subarray(0, 16))).toEqual(Array.from(s1.labels));
    expect(y.dataSync()[0]).toBe(IGNORE);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => makeBatch([s1, extractPatch(im, 0, 0, 2)])).toThrow(/sample 1/);
  });
});
