// The two model exporters against the model itself, on every architecture option: ONNX graphs run
// by onnxruntime-node and standard-layer tfjs models loaded by tf.loadLayersModel give the U-Net's
// probabilities within 1e-5 for grey and RGB input, with and without batch norm (statistics and
// affine weights perturbed so that a wrong mapping shows), softmax and sigmoid heads, depths 1-3,
// dropout (inference: identity). Plus the small file formats they rely on: .npy read back by numpy,
// zip archives checked by Python's zipfile, YAML parsed by PyYAML.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy } from '../../src/seg/formats/npy.ts';
import { readZip, writeZip } from '../../src/seg/formats/zip.ts';
import { toYaml } from '../../src/seg/formats/yaml.ts';
import { unetToOnnx } from '../../src/train/export/onnx-unet.ts';
import { unetToTfjs } from '../../src/train/export/tfjs-unet.ts';
import { parseUNetConfig } from '../../src/train/model/config.ts';
import type { UNetConfigInput } from '../../src/train/model/config.ts';
import { buildUNet } from '../../src/train/model/unet.ts';
import { loadWeights, serializeWeights } from '../../src/train/model/weights.ts';
import type { SerializedWeights } from '../../src/train/model/weights.ts';
import { tf, tfl } from '../../src/train/tf.ts';

const PY = '/usr/bin/python3';
let tmp: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'seglens-exporters-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function rng(seed: number) {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** The model's own weights with biases, BN affine weights and statistics set to random values. */
function perturbed(model: tfl.LayersModel, seed: number): SerializedWeights {
  const w = serializeWeights(model);
  const f = new Float32Array(w.data.buffer.slice(w.data.byteOffset, w.data.byteOffset + w.data.byteLength));
  const r = rng(seed);
  let at = 0;
  for (const s of w.specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) {
      if (s.name.endsWith('moving_variance')) f[at + i] = 0.3 + r();
      else if (s.name.endsWith('gamma')) f[at + i] = 0.5 + r();
      else if (!s.name.endsWith('kernel')) f[at + i] = r() - 0.5;
    }
    at += n;
  }
  return { specs: w.specs, data: new Uint8Array(f.buffer) };
}

const CASES: Array<[string, UNetConfigInput]> = [
  ['grey, batch norm, softmax, depth 2', { depth: 2, baseFilters: 4, inputChannels: 1, numClasses: 3 }],
  ['RGB, no batch norm, sigmoid, depth 3', { depth: 3, baseFilters: 3, inputChannels: 3, numClasses: 2, batchNorm: false, head: 'sigmoid' }],
  ['grey, depth 1, dropout, one sigmoid class', { depth: 1, baseFilters: 4, inputChannels: 1, numClasses: 1, head: 'sigmoid', dropout: 0.5 }],
];

describe('U-Net exporters', () => {
  for (const [label, input] of CASES) {
    it(`ONNX and tfjs give the model's probabilities: ${label}`, { timeout: 60_000 }, async () => {
      const cfg = parseUNetConfig({ ...input, seed: 7 });
      const model = buildUNet(cfg);
      const weights = perturbed(model, 11);
      loadWeights(model, weights);
      const m = 2 ** cfg.depth;
      const [H, W, C, K] = [3 * m, 5 * m, cfg.inputChannels, cfg.numClasses];
      const r = rng(5);
      const nhwc = Float32Array.from({ length: 2 * H * W * C }, () => r());
      const ref = (model.predict(tf.tensor4d(nhwc, [2, H, W, C])) as tf.Tensor).dataSync();
      const nchw = new Float32Array(nhwc.length);
      for (let b = 0; b < 2; b++) for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) nchw[(b * C + c) * H * W + p] = nhwc[(b * H * W + p) * C + c];
      const compare = (out: ArrayLike<number>) => {
        let d = 0;
        for (let b = 0; b < 2; b++) for (let p = 0; p < H * W; p++) for (let k = 0; k < K; k++) d = Math.max(d, Math.abs(ref[(b * H * W + p) * K + k] - out[(b * K + k) * H * W + p]));
        return d;
      };
      const session = await ort.InferenceSession.create(unetToOnnx(cfg, weights, { producerVersion: 'test' }));
      const o = await session.run({ input: new ort.Tensor('float32', nchw, [2, C, H, W]) });
      expect(o.output.dims).toEqual([2, K, H, W]);
      expect(compare(o.output.data as Float32Array)).toBeLessThan(1e-5);

      const files = await unetToTfjs(cfg, weights, 'test');
      const j = JSON.parse(files.modelJson);
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: j.modelTopology, weightSpecs: j.weightsManifest[0].weights, weightData: files.weights.slice().buffer }));
      const y = loaded.predict(tf.tensor4d(nchw, [2, C, H, W])) as tf.Tensor;
      expect(y.shape).toEqual([2, K, H, W]);
      expect(compare(y.dataSync())).toBeLessThan(1e-5);
      // Spread: a constant output would match a constant reference trivially.
      expect(Math.max(...ref) - Math.min(...ref)).toBeGreaterThan(0.005);
      y.dispose();
      loaded.dispose();
      model.dispose();
    });
  }

  it('refuses weights of another architecture, naming the tensor', () => {
    const a = parseUNetConfig({ depth: 2, baseFilters: 4, inputChannels: 1, numClasses: 3 });
    const b = parseUNetConfig({ depth: 2, baseFilters: 4, inputChannels: 1, numClasses: 4 });
    const model = buildUNet(a);
    expect(() => unetToOnnx(b, serializeWeights(model), { producerVersion: 't' })).toThrow(/Weight "logits\/kernel" has shape \[1,1,4,3\] but the model's configuration needs \[1,1,4,4\]/);
    model.dispose();
  });
});

describe('file formats of the package', () => {
  it('.npy files (float32, uint16, uint8) read back by numpy with their shape and values', async () => {
    const f32 = Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => i / 7 - 1);
    const u16 = Uint16Array.from({ length: 4 * 6 }, (_, i) => i * 2731);
    const u8 = Uint8Array.from([0, 1, 254, 255]);
    await writeFile(join(tmp, 'a.npy'), encodeNpy(f32, [2, 3, 5]));
    await writeFile(join(tmp, 'b.npy'), encodeNpy(u16, [1, 1, 4, 6]));
    await writeFile(join(tmp, 'c.npy'), encodeNpy(u8, [4]));
    const py = `import numpy as np, json, sys
a=np.load(sys.argv[1]+'/a.npy'); b=np.load(sys.argv[1]+'/b.npy'); c=np.load(sys.argv[1]+'/c.npy')
print(json.dumps({'a':[list(a.shape),str(a.dtype),a.ravel().tolist()],'b':[list(b.shape),str(b.dtype),b.ravel().tolist()],'c':[list(c.shape),str(c.dtype),c.tolist()]}))
np.save(sys.argv[1]+'/d.npy', np.arange(12, dtype=np.float32).reshape(3,4)/3)`;
    const out = JSON.parse(execFileSync(PY, ['-c', py, tmp], { encoding: 'utf8' }));
    expect(out.a[0]).toEqual([2, 3, 5]);
    expect(out.a[1]).toBe('float32');
    expect(out.a[2]).toEqual(Array.from(f32));
    expect(out.b).toEqual([[1, 1, 4, 6], 'uint16', Array.from(u16)]);
    expect(out.c).toEqual([[4], 'uint8', [0, 1, 254, 255]]);
    const d = decodeNpy(new Uint8Array(execFileSync('cat', [join(tmp, 'd.npy')])));
    expect(d.shape).toEqual([3, 4]);
    expect(Array.from(d.data)).toEqual(Array.from(Float32Array.from({ length: 12 }, (_, i) => i / 3)));
  });

  it('zip archives pass Python zipfile.testzip and read back byte for byte', async () => {
    const entries = [
      { name: 'rdf.yaml', data: new TextEncoder().encode('a: 1\n'.repeat(100)) },
      { name: 'sub/weights.bin', data: Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251) },
      { name: 'empty.txt', data: new Uint8Array(0) },
    ];
    const bytes = writeZip(entries);
    await writeFile(join(tmp, 'x.zip'), bytes);
    const py = `import zipfile, sys, json, hashlib
z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
print(json.dumps({n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}))`;
    const listed = JSON.parse(execFileSync(PY, ['-c', py, join(tmp, 'x.zip')], { encoding: 'utf8' }));
    expect(Object.keys(listed)).toEqual(['rdf.yaml', 'sub/weights.bin', 'empty.txt']);
    expect(readZip(bytes)).toEqual(entries);
    const broken = bytes.slice();
    broken[40] ^= 0xff;
    expect(() => readZip(broken, 'x.zip')).toThrow(/x.zip/);
  });

  it('YAML parsed by PyYAML gives the same data, tricky strings included', () => {
    const value = {
      name: 'plain text',
      yes: 'no',
      version: '0.5.4',
      num: 1e-6,
      neg: -3,
      list: ['y', 'x', 'true', '', 'a: b', '#hash', 'ünïcode', "it's"],
      nested: [{ id: 'input', axes: [{ type: 'batch' }, { type: 'space', id: 'y', size: { min: 16, step: 16 } }], empty: [], obj: {} }],
      nul: null,
      flag: false,
    };
    const text = toYaml(value, { header: 'header line\nsecond', comments: [{ path: 'nested', text: 'a comment' }] });
    expect(text).toMatch(/^# header line\n# second\n/);
    expect(text).toContain('# a comment\nnested:');
    const parsed = JSON.parse(execFileSync(PY, ['-c', 'import yaml,json,sys; print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: text, encoding: 'utf8' }));
    expect(parsed).toEqual(value);
  });
});
