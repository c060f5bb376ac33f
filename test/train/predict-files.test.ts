// predictFiles and model folders on real files in a temp dir: masks hold the class table's stored
// values, probability maps exist and sum to 1 per pixel (softmax), a bad file is reported by name
// and the others are still predicted; models round-trip through model folders and run folders.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/train/tf.ts';
import type { tfl } from '../../src/train/tf.ts';
import { parseClassTable } from '../../src/seg/classes.ts';
import { FileError } from '../../src/seg/errors.ts';
import { readImage, readRawMask } from '../../src/seg/image-io.ts';
import { normalize } from '../../src/seg/normalize.ts';
import { makeModelMeta, parseUNetConfig } from '../../src/train/model/config.ts';
import type { ModelMeta } from '../../src/train/model/config.ts';
import { buildUNet, LOGITS_LAYER, logitsModel } from '../../src/train/model/unet.ts';
import { loadModel, saveModel } from '../../src/train/predict/model-io.ts';
import { expandImagePaths, predictFiles, PROB_SCALE } from '../../src/train/predict/predict-files.ts';
import { predictImage } from '../../src/train/predict/tiled.ts';
import { testGate } from '../helpers/gate.ts';

const table = parseClassTable({
  classes: [
    { name: 'cell interior', values: [255], color: '#000000' },
    { name: 'membrane', values: [0, 32], color: '#e6194b' },
    { name: 'mito', values: [191], color: '#3cb44b' },
  ],
  background: 'cell interior',
});
const STORED = [255, 0, 191]; // first stored value of each class, what a mask must hold

let tmp: string;
let model: tfl.LayersModel;
let meta: ModelMeta;

/** A grey image with structure, so that a random-weight U-Net predicts more than one class. */
function pattern(w: number, h: number, seed: number, max: number): number[] {
  return Array.from({ length: w * h }, (_, i) => {
    const x = i % w, y = Math.floor(i / w);
    return Math.round(((Math.sin(x / (3 + seed)) * Math.cos(y / 5) + 1) / 2) * max);
  });
}

async function raw(file: string): Promise<{ data: Uint8Array | Uint16Array; width: number; height: number; channels: number }> {
  const meta = await sharp(file).metadata();
  expect(meta.depth).toBe('ushort');
  const img = await readImage(file);
  return { data: img.data, width: img.width, height: img.height, channels: meta.channels };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'seglens-predict-'));
  const cfg = parseUNetConfig({ depth: 2, baseFilters: 4, inputChannels: 1, numClasses: 3, seed: 3 });
  model = buildUNet(cfg);
  meta = makeModelMeta(cfg, { kind: 'percentile', low: 1, high: 99.8, scope: 'image' }, table);
  await mkdir(join(tmp, 'a'));
  await mkdir(join(tmp, 'b'));
  await sharp(Uint8Array.from(pattern(45, 70, 1, 255)), { raw: { width: 45, height: 70, channels: 1 } }).toColourspace('b-w').png().toFile(join(tmp, 'a', 'img1.png'));
  await sharp(Uint16Array.from(pattern(33, 20, 2, 4000)), { raw: { width: 33, height: 20, channels: 1 } }).toColourspace('grey16').tiff().toFile(join(tmp, 'b', 'img2.tif'));
  await sharp(Uint8Array.from(pattern(16, 16, 3, 255).flatMap((v) => [v, 255 - v, v])), { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(tmp, 'b', 'rgb.png'));
  await writeFile(join(tmp, 'b', 'broken.png'), 'this is not a png');
  // Centre the random head's logits on img1 so that the untrained model predicts every class
  // somewhere: a test on a one-class prediction would prove little.
  const img = normalize(await readImage(join(tmp, 'a', 'img1.png')), meta.normalization);
  const logits = (await predictImage(logitsModel(model), img, { tile: 32, head: 'softmax', numClasses: 3 })).probs; // blended raw logits
  const head = model.getLayer(LOGITS_LAYER);
  const mean = [0, 1, 2].map((k) => {
    let s = 0;
    for (let p = 0; p < 45 * 70; p++) s += logits[p * 3 + k];
    return s / (45 * 70);
  });
  const bias = tf.tensor1d(mean.map((m) => -m));
  head.setWeights([head.getWeights()[0], bias]);
  bias.dispose();
  await sharp(Uint8Array.from(pattern(20, 20, 4, 255)), { raw: { width: 20, height: 20, channels: 1 } }).toColourspace('b-w').png().toFile(join(tmp, 'b', 'img1.png'));
});

afterAll(async () => {
  model?.dispose();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('predictFiles', () => {
  it('writes masks in the table values and 16-bit probability maps; bad files are reported and the rest predicted', async () => {
    const files = await expandImagePaths([join(tmp, 'a'), join(tmp, 'b')]);
    expect(files.map((f) => f.slice(tmp.length + 1))).toEqual(['a/img1.png', 'b/broken.png', 'b/img1.png', 'b/img2.tif', 'b/rgb.png']);
    const out = join(tmp, 'out');
    const progress: number[] = [];
    const before = tf.memory().numTensors;
    const r = await predictFiles(model, meta, files, { gate: await testGate(tmp), outDir: out, writeProbs: true, tile: 32, overlap: 8, batch: 2, onProgress: (d) => progress.push(d) });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.predicted.map((p) => p.file.slice(tmp.length + 1))).toEqual(['a/img1.png', 'b/img2.tif']);
    expect(progress).toEqual([1, 2, 3, 4]);
    const byFile = new Map(r.problems.map((p) => [p.file.slice(tmp.length + 1), p]));
    expect([...byFile.keys()].sort()).toEqual(['b/broken.png', 'b/img1.png', 'b/rgb.png']);
    expect(byFile.get('b/broken.png')!.message).toMatch(/broken.png is a text file/);
    expect(byFile.get('b/img1.png')!.code).toBe('duplicate-stem');
    expect(byFile.get('b/rgb.png')!.message).toMatch(/RGB \(3 channels\) but the model was trained on grey/);

    for (const p of r.predicted) {
      // the mask equals predictImage's labels mapped to the table's first stored values
      const expected = await predictImage(model, normalize(await readImage(p.file), meta.normalization), { tile: 32, overlap: 8, head: 'softmax', numClasses: 3 });
      expect((await sharp(p.mask).metadata()).channels).toBe(1);
      const mask = await readRawMask(p.mask);
      expect([mask.width, mask.height, mask.channels]).toEqual([p.width, p.height, 1]);
      const seen = new Set<number>();
      for (let i = 0; i < mask.data.length; i++) {
        expect(mask.data[i]).toBe(STORED[expected.labels.data[i]]);
        seen.add(mask.data[i]);
      }
      expect(seen.size).toBeGreaterThan(p.file.includes('img1') ? 2 : 1);
      expect(p.classFractions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);

      // probability maps: one per class, 16-bit, summing to 1 per pixel, agreeing with the mask
      expect(p.probs.map((f) => f.slice(join(out, 'probs').length + 1))).toEqual(
        ['cell_interior', 'membrane', 'mito'].map((c) => `${p.file.includes('img1') ? 'img1' : 'img2'}_${c}.png`),
      );
      const maps = await Promise.all(p.probs.map(raw));
      for (const m of maps) expect([m.width, m.height, m.channels]).toEqual([p.width, p.height, 1]);
      for (let i = 0; i < p.width * p.height; i++) {
        const v = maps.map((m) => m.data[i]);
        // Rounded to 1/65535, and moved one step more where rounding would leave p's 1/1000 threshold bin (storedProbability).
        expect(Math.abs(v[0] + v[1] + v[2] - PROB_SCALE)).toBeLessThanOrEqual(5);
        for (let k = 0; k < 3; k++) expect(Math.abs(v[k] / PROB_SCALE - expected.probs[i * 3 + k])).toBeLessThanOrEqual(1.5 / PROB_SCALE + 1e-6);
      }
    }
  });

  it('refuses an output folder where a mask would replace an input image, or sit beside one', async () => {
    const img = join(tmp, 'a', 'img1.png');
    const before = await readFile(img);
    const listing = await readdir(join(tmp, 'a'));
    await expect(predictFiles(model, meta, [img], { gate: await testGate(tmp), outDir: join(tmp, 'a') })).rejects.toThrow(/is an input image, which the project reads: it is never replaced/);
    expect(await readFile(img)).toEqual(before);
    expect(await readdir(join(tmp, 'a'))).toEqual(listing);
    // A TIFF predicted into its own folder: its PNG mask replaces nothing but would be read as an image.
    const beside = await readdir(join(tmp, 'b'));
    await expect(predictFiles(model, meta, [join(tmp, 'b', 'img2.tif')], { gate: await testGate(tmp), outDir: join(tmp, 'b') })).rejects.toThrow(/img2\.png would be written into the folder of input images/);
    expect(await readdir(join(tmp, 'b'))).toEqual(beside);
  });

  it('a missing path and a folder without images are errors naming them', async () => {
    await expect(expandImagePaths([join(tmp, 'nope')])).rejects.toThrow(/nope does not exist/);
    await mkdir(join(tmp, 'empty', 'sub'), { recursive: true });
    await expect(expandImagePaths([join(tmp, 'empty')])).rejects.toThrow(/holds no PNG, JPEG or TIFF image.*sub/);
  });
});

describe('model folders', () => {
  const x = () => tf.tensor4d(Float32Array.from({ length: 16 * 24 }, (_, i) => Math.sin(i)), [1, 16, 24, 1]);
  const out = (m: tfl.LayersModel) => tf.tidy(() => (m.predict(x()) as tf.Tensor).dataSync() as Float32Array);

  it('saveModel / loadModel round-trip a model folder, a run folder (best/) and a model.json path', async () => {
    const modelDir = join(tmp, 'model');
    await mkdir(modelDir);
    await saveModel(await testGate(tmp), modelDir, model, meta);
    const runBest = join(tmp, 'runs', 'r1', 'best');
    await mkdir(runBest, { recursive: true });
    await saveModel(await testGate(tmp), runBest, model, meta);
    await writeFile(join(tmp, 'runs', 'r1', 'config.json'), JSON.stringify({ validation: { tile: 48, overlap: 12 } }));
    const want = out(model);
    for (const [path, from, dir] of [
      [modelDir, 'model', modelDir],
      [join(tmp, 'runs', 'r1'), 'run', runBest],
      [join(modelDir, 'model.json'), 'model', modelDir],
    ] as const) {
      const before = tf.memory().numTensors;
      const loaded = await loadModel(path);
      expect(loaded.from).toBe(from);
      expect(loaded.dir).toBe(dir);
      expect(loaded.meta).toEqual(meta);
      expect(loaded.validationTiling).toEqual(from === 'run' ? { tile: 48, overlap: 12 } : undefined);
      expect(out(loaded.model)).toEqual(want);
      loaded.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('says what is missing: no path, no model, no weights, only a last checkpoint', async () => {
    await expect(loadModel(join(tmp, 'absent'))).rejects.toThrow(/absent: the path does not exist/);
    await mkdir(join(tmp, 'notamodel'));
    await expect(loadModel(join(tmp, 'notamodel'))).rejects.toThrow(/neither model.json .* nor best\/model.json/);
    const noWeights = join(tmp, 'noweights');
    await mkdir(noWeights);
    await writeFile(join(noWeights, 'model.json'), JSON.stringify(meta));
    const e = await loadModel(noWeights).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FileError);
    expect((e as FileError).message).toMatch(/has model.json but no weights.bin/);
    const lastOnly = join(tmp, 'runs', 'r2', 'last');
    await mkdir(lastOnly, { recursive: true });
    await saveModel(await testGate(tmp), lastOnly, model, meta);
    await expect(loadModel(join(tmp, 'runs', 'r2'))).rejects.toThrow(/"last" checkpoint but no "best"/);
    await writeFile(join(noWeights, 'model.json'), JSON.stringify({ ...meta, inputChannels: 3 }));
    await expect(loadModel(noWeights)).rejects.toThrow(/inputChannels/);
    expect(existsSync(join(noWeights, 'weights.bin'))).toBe(false);
  });
});
