// `seglens predict` through the real binary: every bad argument or model is stopped with a message
// naming it before any backend starts; a good run names the backend, writes masks and predict.json,
// reports an image of the wrong channel count by name and exits 1 for it.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/train/tf.ts';
import { parseClassTable } from '../../src/seg/classes.ts';
import { makeModelMeta, parseUNetConfig } from '../../src/train/model/config.ts';
import { buildUNet } from '../../src/train/model/unet.ts';
import { saveModel } from '../../src/train/predict/model-io.ts';
import { json, seglens } from '../helpers/cli.ts';
import { testGate } from '../helpers/gate.ts';

let tmp: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'seglens-predict-cli-'));
  const cfg = parseUNetConfig({ depth: 2, baseFilters: 4, inputChannels: 1, numClasses: 2 });
  const table = parseClassTable({ classes: [{ name: 'bg', values: [0], color: '#000000' }, { name: 'fg', values: [255], color: '#ffffff' }], background: 'bg' });
  const model = buildUNet(cfg);
  await mkdir(join(tmp, 'runs', 'r1', 'best'), { recursive: true });
  await saveModel(await testGate(tmp), join(tmp, 'runs', 'r1', 'best'), model, makeModelMeta(cfg, { kind: 'minmax', low: 0, high: 100, scope: 'image' }, table));
  model.dispose();
  // the run's config.json as the trainer writes it; predict repeats its validation tiling
  await writeFile(join(tmp, 'runs', 'r1', 'config.json'), JSON.stringify({ epochs: 3, validation: { tile: 32, overlap: 8, batch: 2 } }));
  await mkdir(join(tmp, 'noweights'));
  await writeFile(join(tmp, 'noweights', 'model.json'), await readFile(join(tmp, 'runs', 'r1', 'best', 'model.json')));
  await mkdir(join(tmp, 'images'));
  const grey = Uint8Array.from({ length: 50 * 37 }, (_, i) => (i * 7) % 256);
  await sharp(grey, { raw: { width: 50, height: 37, channels: 1 } }).toColourspace('b-w').png().toFile(join(tmp, 'images', 'cells.png'));
  const rgb = Uint8Array.from({ length: 20 * 20 * 3 }, (_, i) => (i * 13) % 256);
  await sharp(rgb, { raw: { width: 20, height: 20, channels: 3 } }).png().toFile(join(tmp, 'images', 'colour.png'));
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('seglens predict', () => {
  it('refuses a missing model, a model without weights, a bad or misfitting --tile, with the reason', async () => {
    const out = join(tmp, 'never');
    const img = join(tmp, 'images');
    const [missing, noWeights, notNumber, misfit, overlap] = await Promise.all([
      seglens(['predict', join(tmp, 'runs', 'nope'), img, '--out', out]),
      seglens(['predict', join(tmp, 'noweights'), img, '--out', out]),
      seglens(['predict', join(tmp, 'runs', 'r1'), img, '--out', out, '--tile', 'big']),
      seglens(['predict', join(tmp, 'runs', 'r1'), img, '--out', out, '--tile', '30']),
      seglens(['predict', join(tmp, 'runs', 'r1'), img, '--out', out, '--tile', '32', '--overlap', '32']),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/No model at .*nope: the path does not exist/);
    expect(noWeights.code).toBe(2);
    expect(noWeights.stderr).toMatch(/has model.json but no weights.bin/);
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toMatch(/--tile takes a whole number of at least 1, not "big"/);
    expect(misfit.code).toBe(2);
    expect(misfit.stderr).toMatch(/--tile 30 is not a multiple of 4 .*depth 2.*use 28 or 32/);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toMatch(/--overlap 32 must be smaller than the tile/);
    expect(existsSync(out)).toBe(false);
  });

  it('predicts a folder with the run\'s validation tiling: names the backend, writes masks, probability maps and predict.json; a colour image is reported', async () => {
    const out = join(tmp, 'out');
    const r = await seglens(['predict', join(tmp, 'runs', 'r1'), join(tmp, 'images'), '--out', out, '--probs', '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^backend (native|wasm|tensorflow|cpu): /m);
    const summary = json(r);
    expect(['native', 'wasm', 'tensorflow', 'cpu']).toContain(summary.backend.name);
    expect(summary.model.from).toBe('run');
    expect(summary.options).toMatchObject({ tile: 32, overlap: 8, batch: 2, probs: true, tilingFromRun: true });
    expect(r.stderr).toMatch(/tile 32, overlap 8, batch 2, as in the run's validation/);
    expect(summary.files.map((f: { file: string }) => f.file)).toEqual([join(tmp, 'images', 'cells.png')]);
    expect(summary.problems).toHaveLength(1);
    expect(summary.problems[0].file).toBe(join(tmp, 'images', 'colour.png'));
    expect(summary.problems[0].message).toMatch(/RGB \(3 channels\) but the model was trained on grey/);
    expect(JSON.parse(await readFile(join(out, 'predict.json'), 'utf8'))).toEqual(summary);
    const mask = await sharp(join(out, 'cells.png')).metadata();
    expect([mask.width, mask.height, mask.channels]).toEqual([50, 37, 1]);
    expect(existsSync(join(out, 'probs', 'cells_bg.png'))).toBe(true);
    expect(existsSync(join(out, 'probs', 'cells_fg.png'))).toBe(true);
  });

  it('refuses an image that decodes to more than the pixel limit, with its size and the --max-pixels that would accept it', { timeout: 120_000 }, async () => {
    // 8200 x 8200 = 67.2 megapixels: a small file, just over the default 8192 x 8192.
    const big = join(tmp, 'big', 'wide.png');
    await mkdir(join(tmp, 'big'));
    await sharp({ create: { width: 8200, height: 8200, channels: 3, background: { r: 9, g: 9, b: 9 } } }).toColourspace('b-w').png().toFile(big);
    const out = join(tmp, 'out-big');
    const r = await seglens(['predict', join(tmp, 'runs', 'r1'), big, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(1);
    const problem = json(r).problems[0];
    expect(problem.code).toBe('image-too-large');
    expect(problem.message).toMatch(/wide\.png is 8200 x 8200 = 67\.2 megapixels when decoded, over the limit of 67\.1 megapixels/);
    expect(problem.hint).toMatch(/--max-pixels 67240000/);
    expect(existsSync(join(out, 'wide.png'))).toBe(false);
  });
});
