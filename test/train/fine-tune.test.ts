// `seglens train PROJECT --from RUN` through the real binary on the demo: the new run starts from
// the parent's best weights (with a learning rate of 1e-12 one step changes no weight at float32
// precision, so the new run's weights must be the parent's, batch-norm statistics aside), takes a
// tenth of the parent's learning rate and a short schedule by default, keeps the parent's
// validation images while a newly annotated image joins training, records its lineage in run.json
// and the report; with other classes it gets a new head whose shared classes keep their weights;
// and what cannot be fine-tuned is refused with the reason.
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelWeights } from '../../src/train/predict/model-io.ts';
import type { SerializedWeights } from '../../src/train/model/weights.ts';
import { seglens } from '../helpers/cli.ts';

let tmp: string;
let demo: string;
let parent: string;

const runs = async (dir: string) => (await readdir(join(dir, 'runs'))).sort();
const readJson = async (f: string) => JSON.parse(await readFile(f, 'utf8'));

function byName(w: SerializedWeights): Map<string, Float32Array> {
  const f = new Float32Array(w.data.buffer.slice(w.data.byteOffset, w.data.byteOffset + w.data.byteLength));
  const m = new Map<string, Float32Array>();
  let at = 0;
  for (const s of w.specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    m.set(s.name, f.subarray(at, at + n));
    at += n;
  }
  return m;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-finetune-'));
  demo = join(tmp, 'demo');
  expect((await seglens(['demo', demo, '--count', '8', '--size', '64', '--clean'])).code).toBe(0);
  // The parent: its last image held back (no mask), annotated later.
  await cp(join(demo, 'masks', 'demo_08.png'), join(tmp, 'mask8.png'));
  await rm(join(demo, 'masks', 'demo_08.png'));
  const t = await seglens(['train', demo, '--epochs', '2', '--steps', '5', '--patch', '32', '--batch', '2', '--lr', '0.002']);
  expect(t.code, t.stdout + t.stderr).toBe(0);
  parent = (await runs(demo))[0];
}, 180_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('seglens train --from', () => {
  it('starts from the parent weights with its split, a tenth of its learning rate and a short schedule; records the lineage', { timeout: 120_000 }, async () => {
    // The held-back image is annotated now.
    await cp(join(tmp, 'mask8.png'), join(demo, 'masks', 'demo_08.png'));
    const r = await seglens(['train', demo, '--from', parent, '--epochs', '1', '--steps', '1', '--lr', '1e-12']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`fine-tuning from run ${parent} \\(its best epoch \\d\\), learning rate 1\\.0e-12: same classes, every weight kept`));
    expect(r.stdout).toMatch(/1 image\(s\) annotated since run .* join the training split: demo_08/);
    const child = (await runs(demo)).find((id) => id !== parent)!;
    const info = await readJson(join(demo, 'runs', child, 'run.json'));
    expect(info.parent).toMatchObject({ runId: parent, dir: join(demo, 'runs', parent), head: 'kept', kept: ['background', 'nucleus', 'boundary'], added: [], dropped: [], lr: 1e-12 });
    const ps = await readJson(join(demo, 'runs', parent, 'split.json'));
    const cs = await readJson(join(demo, 'runs', child, 'split.json'));
    expect(cs.val).toEqual(ps.val);
    expect(cs.train).toEqual([...ps.train, 'demo_08']);
    // Weights: the parent's (moving batch-norm statistics move with the one training step).
    const a = byName((await readModelWeights(join(demo, 'runs', parent))).weights);
    const b = byName((await readModelWeights(join(demo, 'runs', child))).weights);
    for (const [name, w] of a) if (!/moving_/.test(name)) expect(maxDiff(w, b.get(name)!), name).toBeLessThan(1e-6);

    // The report says where the run came from.
    const rep = await seglens(['report', join(demo, 'runs', child), '--images', '0']);
    expect(rep.code, rep.stdout + rep.stderr).toBeLessThan(2);
    const json = await readJson(join(demo, 'runs', child, 'report', 'report.json'));
    expect(json.run.parent.runId).toBe(parent);
    expect(await readFile(join(demo, 'runs', child, 'report', 'report.html'), 'utf8')).toContain(`fine-tuned from`);

    // Defaults when nothing is given: lr / 10, 10 epochs, patience at most 4, the parent's patch.
    const d = await seglens(['train', demo, '--from', join(demo, 'runs', parent), '--max-minutes', '0.01']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    const newest = (await runs(demo)).at(-1)!;
    const cfg = await readJson(join(demo, 'runs', newest, 'config.json'));
    const pcfg = await readJson(join(demo, 'runs', parent, 'config.json'));
    expect(cfg.optimizer.lr).toBeCloseTo(pcfg.optimizer.lr / 10, 12);
    expect(cfg.epochs).toBe(10);
    expect(cfg.earlyStopping.patience).toBe(4);
    expect(cfg.patch).toBe(32);
    expect(cfg.model).toEqual(pcfg.model);
  });

  it('gives a new head when the classes differ, keeping the weights of the classes both have', { timeout: 120_000 }, async () => {
    const project = await readJson(join(demo, 'seglens.json'));
    project.classes.classes[2].name = 'edge';
    await writeFile(join(demo, 'seglens.json'), JSON.stringify(project));
    try {
      const r = await seglens(['train', demo, '--from', parent, '--epochs', '1', '--steps', '1', '--lr', '1e-12']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/other classes: a new head \(weights kept for background, nucleus; new: edge; dropped: boundary\)/);
      const child = (await runs(demo)).at(-1)!;
      expect((await readJson(join(demo, 'runs', child, 'run.json'))).parent).toMatchObject({ head: 'new', kept: ['background', 'nucleus'], added: ['edge'], dropped: ['boundary'] });
      const a = byName((await readModelWeights(join(demo, 'runs', parent))).weights);
      const b = byName((await readModelWeights(join(demo, 'runs', child))).weights);
      expect(maxDiff(a.get('enc0_conv0/kernel')!, b.get('enc0_conv0/kernel')!)).toBeLessThan(1e-6);
      const ka = a.get('logits/kernel')!;
      const kb = b.get('logits/kernel')!;
      const f0 = ka.length / 3;
      for (let i = 0; i < f0; i++) {
        expect(Math.abs(ka[i * 3] - kb[i * 3])).toBeLessThan(1e-6); // background
        expect(Math.abs(ka[i * 3 + 1] - kb[i * 3 + 1])).toBeLessThan(1e-6); // nucleus
      }
      // The new class's column is a fresh initialisation, not the dropped class's.
      expect(maxDiff(Float32Array.from({ length: f0 }, (_, i) => ka[i * 3 + 2]), Float32Array.from({ length: f0 }, (_, i) => kb[i * 3 + 2]))).toBeGreaterThan(1e-3);
    } finally {
      project.classes.classes[2].name = 'boundary';
      await writeFile(join(demo, 'seglens.json'), JSON.stringify(project));
    }
  });

  it('refuses what cannot be fine-tuned, saying why', { timeout: 60_000 }, async () => {
    const both = await seglens(['train', demo, '--from', parent, '--resume', parent]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give one of them/);
    const missing = await seglens(['train', demo, '--from', 'no-such-run']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-run is not a training run/);
    const project = await readJson(join(demo, 'seglens.json'));
    const saved = JSON.stringify(project);
    project.normalization = { kind: 'minmax', low: 1, high: 99.8, scope: 'image' };
    await writeFile(join(demo, 'seglens.json'), JSON.stringify(project));
    try {
      const norm = await seglens(['train', demo, '--from', parent]);
      expect(norm.code).toBe(2);
      expect(norm.stderr).toMatch(/normalised its images as .*percentile.* but this project says .*minmax.*Set "normalization" in seglens.json to the run's/);
    } finally {
      await writeFile(join(demo, 'seglens.json'), saved);
    }
  });
});
