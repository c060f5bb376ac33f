// `seglens export RUN --bioimageio OUT` end to end: a U-Net trained by `seglens train` on the demo is
// exported as a zip and as a folder; Python (numpy, PyYAML, zipfile; no seglens code) reads the
// package, checks every sha256, loads the .npy test tensors and applies the preprocessing rdf.yaml
// lists; onnxruntime-node runs weights.onnx on that and must give the probabilities `seglens
// predict --probs` writes for sample_input.tif, and the test output, within 1e-4; the TensorFlow.js
// model in tfjs_model.zip loads with tf.loadLayersModel and gives the same. Then the refusals: an
// existing OUT, a package among the project's images, a model folder without --sample.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/seg/formats/npy.ts';
import { readZip } from '../../src/seg/formats/zip.ts';
import { tf, tfl } from '../../src/train/tf.ts';
import { json, seglens } from '../helpers/cli.ts';
import { REPO } from '../helpers/paths.ts';

const PY = '/usr/bin/python3';
const CHECK = join(REPO, 'test', 'export', 'bioimageio_check.py');
let tmp: string;
let demo: string;
let run: string;

interface Checked {
  format_version: string;
  type: string;
  checked: string[];
  input: { shape: number[]; dtype: string };
  output: { shape: number[]; dtype: string; channel_sum_min: number; channel_sum_max: number };
  preprocessed: { min: number; max: number };
  channel_names: string[];
  opset: number;
  seglens: { class_table: { classes: { name: string }[] }; run: string; lineage: string[] };
}

function python(pkg: string, work: string): Checked {
  return JSON.parse(execFileSync(PY, [CHECK, pkg, work], { encoding: 'utf8' })) as Checked;
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-export-'));
  demo = join(tmp, 'demo');
  expect((await seglens(['demo', demo, '--count', '8', '--size', '96', '--clean'])).code).toBe(0);
  const t = await seglens(['train', demo, '--epochs', '2', '--steps', '6', '--patch', '64', '--batch', '2']);
  expect(t.code, t.stdout + t.stderr).toBe(0);
  run = join(demo, 'runs', (await readdir(join(demo, 'runs')))[0]);
}, 180_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('seglens export --bioimageio', () => {
  it('writes a zip that Python reads: rdf.yaml 0.5, sha256 of every file, .npy tensors named as input and output', { timeout: 120_000 }, async () => {
    const zip = join(tmp, 'model.zip');
    const r = await seglens(['export', run, '--bioimageio', zip, '--author', 'Ada Lovelace; EMBL; 0000-0002-1825-0097', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = json<{ kind: string; toFill: string[]; files: Record<string, unknown> }>(r);
    expect(out.kind).toBe('zip');
    expect(out.toFill).toEqual(['training_data.cite (--data-cite, --data-url or --data-doi)']);
    expect(Object.keys(out.files).sort()).toEqual(['README.md', 'cover.png', 'rdf.yaml', 'sample_input.tif', 'test_input.npy', 'test_output.npy', 'tfjs_model.zip', 'weights.onnx']);
    const work = join(tmp, 'zip-work');
    await mkdir(work);
    const c = python(zip, work);
    expect(c.type).toBe('model');
    expect(c.format_version).toMatch(/^0\.5\.\d+$/);
    expect(c.checked.sort()).toEqual(['sample_input.tif', 'test_input.npy', 'test_output.npy', 'tfjs_model.zip', 'weights.onnx']);
    // The demo's 96 x 96 16-bit images: the whole image is the test crop (a multiple of 16).
    expect(c.input).toEqual({ shape: [1, 1, 96, 96], dtype: 'uint16' });
    expect(c.output.shape).toEqual([1, 3, 96, 96]);
    expect(c.output.dtype).toBe('float32');
    expect(c.output.channel_sum_min).toBeGreaterThan(0.9999);
    expect(c.output.channel_sum_max).toBeLessThan(1.0001);
    expect(c.preprocessed.min).toBe(0);
    expect(c.preprocessed.max).toBe(1);
    expect(c.channel_names).toEqual(['background', 'nucleus', 'boundary']);
    expect(c.seglens.class_table.classes.map((k) => k.name)).toEqual(['background', 'nucleus', 'boundary']);
    expect(c.opset).toBe(17);
    const rdf = await readFile(join(work, 'rdf.yaml'), 'utf8');
    expect(rdf).toContain('name: Ada Lovelace');
    expect(rdf).toMatch(/# FILL IN: where the training images are published/);
    const cover = await sharp(join(work, 'cover.png')).metadata();
    expect(cover.width).toBe(2 * cover.height!);
    const readme = await readFile(join(work, 'README.md'), 'utf8');
    expect(readme).toMatch(/\| nucleus \| [0-9.]+ \| [0-9.]+ \|/);
    expect(readme).toContain('deepImageJ');
  });

  it('ONNX (onnxruntime-node) on the preprocessed test tensor = seglens predict = the test output, within 1e-4', { timeout: 120_000 }, async () => {
    const work = join(tmp, 'zip-work');
    const x = decodeNpy(await readFile(join(work, 'preprocessed.npy')));
    const expected = decodeNpy(await readFile(join(work, 'test_output.npy')));
    const session = await ort.InferenceSession.create(join(work, 'weights.onnx'));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    const res = await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, x.shape) });
    const onnx = res.output.data as Float32Array;
    expect(res.output.dims).toEqual(expected.shape);
    expect(maxDiff(onnx, expected.data)).toBeLessThan(1e-4);

    // seglens predict on the sample image file: 16-bit probability maps, planes in class order.
    const pred = join(tmp, 'predicted');
    const p = await seglens(['predict', run, join(work, 'sample_input.tif'), '--out', pred, '--probs']);
    expect(p.code, p.stderr).toBe(0);
    const [, K, H, W] = expected.shape;
    const planes = new Float32Array(K * H * W);
    for (const [k, name] of ['background', 'nucleus', 'boundary'].entries()) {
      const { data, info } = await sharp(join(pred, 'probs', `sample_input_${name}.png`)).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
      expect([info.width, info.height, info.channels]).toEqual([W, H, 1]);
      const v = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
      for (let i = 0; i < H * W; i++) planes[k * H * W + i] = v[i] / 65535;
    }
    // 16-bit storage rounds by at most 1.5/65535 = 2.3e-5 (kept in the 1/1000 threshold bin: storedProbability).
    expect(maxDiff(onnx, planes)).toBeLessThan(1e-4);
    // And not trivially: the model's probabilities vary over the image.
    expect(Math.max(...onnx) - Math.min(...onnx)).toBeGreaterThan(0.3);
  });

  it('the TensorFlow.js weights load with tf.loadLayersModel and give the same probabilities', { timeout: 60_000 }, async () => {
    const work = join(tmp, 'zip-work');
    const files = readZip(await readFile(join(work, 'tfjs_model.zip')));
    expect(files.map((f) => f.name).sort()).toEqual(['model.json', 'weights.bin']);
    const mj = JSON.parse(new TextDecoder().decode(files.find((f) => f.name === 'model.json')!.data));
    expect(mj.format).toBe('layers-model');
    expect(JSON.stringify(mj.modelTopology)).not.toContain('Seglens');
    const wb = files.find((f) => f.name === 'weights.bin')!.data;
    await tf.setBackend('cpu');
    const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: mj.weightsManifest[0].weights, weightData: wb.buffer.slice(wb.byteOffset, wb.byteOffset + wb.byteLength) as ArrayBuffer }));
    const x = decodeNpy(await readFile(join(work, 'preprocessed.npy')));
    const expected = decodeNpy(await readFile(join(work, 'test_output.npy')));
    const y = model.predict(tf.tensor(x.data as Float32Array, x.shape)) as tf.Tensor;
    expect(y.shape).toEqual(expected.shape);
    expect(maxDiff(await y.data(), expected.data)).toBeLessThan(1e-4);
    y.dispose();
    model.dispose();
  });

  it('writes the same package as a folder, and never replaces anything', { timeout: 120_000 }, async () => {
    const folder = join(tmp, 'model-folder');
    const r = await seglens(['export', run, '--bioimageio', folder, '--data-cite', 'Synthetic demo', '--data-url', 'https://example.org/demo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Fill in before sharing it');
    expect(r.stdout).toContain('authors (--author)');
    const work = join(tmp, 'folder-work');
    await mkdir(work);
    const c = python(folder, work);
    expect(c.checked.length).toBe(5);
    expect((await readdir(tmp)).filter((n) => n.includes('.partial-'))).toEqual([]);
    // OUT exists: refused, nothing touched.
    const before = await readFile(join(folder, 'rdf.yaml'), 'utf8');
    const again = await seglens(['export', run, '--bioimageio', folder]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; seglens export never replaces a file or folder/);
    expect(await readFile(join(folder, 'rdf.yaml'), 'utf8')).toBe(before);
    // Among the project's images: refused by the write gate before anything is written.
    const inImages = await seglens(['export', run, '--bioimageio', join(demo, 'images', 'model.zip')]);
    expect(inImages.code).toBe(2);
    expect(inImages.stderr).toMatch(/image folder/);
    expect(existsSync(join(demo, 'images', 'model.zip'))).toBe(false);
    // A model folder has no run to take a test image from: --sample is asked for.
    const noSample = await seglens(['export', join(run, 'best'), '--bioimageio', join(tmp, 'x.zip')]);
    expect(noSample.code).toBe(2);
    expect(noSample.stderr).toMatch(/--sample IMAGE/);
    const withSample = await seglens(['export', join(run, 'best'), '--bioimageio', join(tmp, 'x.zip'), '--sample', join(demo, 'images', 'demo_01.tif')]);
    expect(withSample.code, withSample.stderr).toBe(0);
    await writeFile(join(tmp, 'ok'), '');
  });
});
