// Issue 16 end to end through the real binary: `seglens demo --overlapping` (nuclei with nucleoli,
// per-class masks), inspect's co-occurrence, a split with a test set, a small real training with a
// sigmoid per class, thresholds chosen on validation and stored with the model, `seglens report`
// (per-class threshold, pixel AUC, Dice, curves) and `seglens predict` (one mask per class).
// The low-prevalence class (nucleolus, ~2 % of the pixels) does worse at a shared 0.5 than at its
// chosen threshold on the TEST images, which took no part in choosing it.
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, seglens } from '../helpers/cli.ts';

let tmp: string;
let project: string;
let run: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-overlap-'));
  project = join(tmp, 'demo');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function pixels(file: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).extractChannel(0).raw().toBuffer());
}

describe('overlapping classes end to end (issue 16)', () => {
  it('demo --overlapping writes per-class masks and a project with "overlapping": true', async () => {
    const r = await seglens(['demo', project, '--overlapping', '--count', '10', '--size', '96', '--seed', '2']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(await readFile(join(project, 'seglens.json'), 'utf8'));
    expect(p.overlapping).toBe(true);
    expect(p.maskFormat).toEqual({ kind: 'per-class', folders: { nucleus: 'masks/nucleus', nucleolus: 'masks/nucleolus' } });
    const nucleus = await pixels(join(project, 'masks', 'nucleus', 'demo_01.png'));
    const nucleolus = await pixels(join(project, 'masks', 'nucleolus', 'demo_01.png'));
    let inside = 0;
    let count = 0;
    for (let i = 0; i < nucleolus.length; i++) {
      if (!nucleolus[i]) continue;
      count++;
      if (nucleus[i]) inside++;
    }
    expect(count).toBeGreaterThan(0);
    expect(inside).toBe(count); // every nucleolus pixel is also nucleus: the classes overlap
  });

  it('inspect reports co-occurrence instead of overlap errors', async () => {
    const r = await seglens(['inspect', project, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = json(r);
    expect(rep.findings.filter((f: Json) => f.id === 'mask-overlap')).toEqual([]);
    const co = rep.cooccurrence;
    expect(co.classes).toEqual(['background', 'nucleus', 'nucleolus']);
    const [, n, o] = [0, 1, 2];
    expect(co.pixels[o][n]).toBe(co.pixels[o][o]); // all nucleolus pixels are nucleus pixels
    expect(co.pixels[n][n]).toBeGreaterThan(co.pixels[o][o]);
    expect(co.images[o][n]).toBe(10);
    expect(co.pixels[0][n]).toBe(0); // background is "no foreground class"
    const text = await seglens(['inspect', project]);
    expect(text.stdout).toMatch(/Overlapping classes: co-occurrence/);
    expect(text.stdout).toMatch(/nucleolus\s+\d+\s+nucleus: \d+ px, 100\.00 %, 10\/10 images/);
  });

  it('trains with a sigmoid per class and stores per-class thresholds with the model', { timeout: 360_000 }, async () => {
    expect((await seglens(['split', project, '--val', '0.2', '--test', '0.2', '--seed', '1'])).code).toBe(0);
    const r = await seglens(['train', project, '--epochs', '4', '--patch', '48', '--batch', '4', '--steps', '15', '--lr', '0.003']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const runs = await readdir(join(project, 'runs'));
    run = join(project, 'runs', runs[0]);
    const cfg = JSON.parse(await readFile(join(run, 'config.json'), 'utf8'));
    expect(cfg.model.head).toBe('sigmoid');
    const model = JSON.parse(await readFile(join(run, 'best', 'model.json'), 'utf8'));
    const meta = model; // best/model.json is the model metadata itself
    expect(meta.overlapping).toBe(true);
    expect(meta.thresholds.rule).toBe('max-dice-val');
    expect(meta.thresholds.values).toHaveLength(3);
    expect(meta.thresholds.values.some((t: number) => t !== 0.5)).toBe(true);
    // The epoch record holds each class's threshold and AUC of that validation.
    const last = JSON.parse((await readFile(join(run, 'metrics.jsonl'), 'utf8')).trim().split('\n').pop()!);
    for (const c of last.val.classes) {
      expect(c.threshold).toBeGreaterThan(0);
      expect(c.auc).toBeGreaterThan(0.5);
    }
  });

  it('report.json has per class the chosen threshold and the pixel AUC; 0.5 is worse on the rare class', { timeout: 180_000 }, async () => {
    const r = await seglens(['report', run]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const d = JSON.parse(await readFile(join(run, 'report', 'report.json'), 'utf8'));
    const model = JSON.parse(await readFile(join(run, 'best', 'model.json'), 'utf8'));
    const stored = model.thresholds.values;
    expect(d.thresholds.rule).toBe('max-dice-val');
    expect(d.thresholds.classes.map((c: Json) => c.threshold)).toEqual(stored);
    expect(d.evaluations.map((e: Json) => e.split)).toEqual(['val', 'test']);
    for (const e of d.evaluations) {
      e.result.classes.forEach((c: Json, k: number) => {
        expect(c.threshold).toBe(stored[k]);
        expect(c.auc).toBeGreaterThan(0.5);
        expect(c.auc).toBeLessThanOrEqual(1);
        expect(c.dice).toBeGreaterThan(0);
      });
      expect(e.result.multiLabel.meanForegroundAuc).toBeGreaterThan(0.5);
    }
    // Training's validation figure is the report's (same thresholds, same predictions).
    expect(d.findings.filter((f: Json) => f.id === 'metric-mismatch')).toEqual([]);
    const test = d.evaluations.find((e: Json) => e.split === 'test');
    const k = test.result.classes.findIndex((c: Json) => c.name === 'nucleolus');
    const cls = test.result.multiLabel.classes[k];
    expect(cls.prevalence).toBeLessThan(0.05);
    const atHalf = cls.curve.find((p: Json) => p.threshold === 0.5).dice;
    expect(test.result.classes[k].dice).toBeGreaterThan(atHalf);
    const html = await readFile(join(run, 'report', 'report.html'), 'utf8');
    expect(html).toMatch(/a threshold per class, AUC and curves/);
    expect(html).toMatch(/nucleolus: ROC \(AUC/);
    expect(html).toMatch(/nucleolus: PR \(AP/);
    // One mask per class beside the class-id view.
    const pred = join(run, 'report', 'predictions', 'test');
    expect((await readdir(join(pred, 'nucleolus'))).length).toBe(2);
  });

  it('predict writes one 0/255 mask per class at the stored thresholds, equal to the report\'s', { timeout: 120_000 }, async () => {
    const d = JSON.parse(await readFile(join(run, 'report', 'report.json'), 'utf8'));
    const name = d.evaluations.find((e: Json) => e.split === 'test').result.perImage[0].name;
    const out = join(tmp, 'pred');
    const r = await seglens(['predict', run, join(project, 'images', `${name}.tif`), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/one 0\/255 mask per class/);
    for (const cls of ['nucleus', 'nucleolus']) {
      const mine = await pixels(join(out, cls, `${name}.png`));
      expect(new Set(mine)).toEqual(new Set([0, 255]));
      expect(mine).toEqual(await pixels(join(run, 'report', 'predictions', 'test', cls, `${name}.png`)));
    }
  });

  it('export --bioimageio carries the thresholds: rdf.yaml config and the README say how to cut each channel', { timeout: 120_000 }, async () => {
    const out = join(tmp, 'package');
    const r = await seglens(['export', run, '--bioimageio', out]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const model = JSON.parse(await readFile(join(run, 'best', 'model.json'), 'utf8'));
    const rdf = await readFile(join(out, 'rdf.yaml'), 'utf8');
    expect(rdf).toMatch(/overlapping: true/);
    expect(rdf).toMatch(/rule: max-dice-val/);
    expect(rdf).toContain(`nucleolus: ${model.thresholds.values[2]}`);
    const readme = await readFile(join(out, 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`nucleolus ${model.thresholds.values[2].toFixed(3)}`));
    expect(readme).toMatch(/Do not cut every channel at 0\.5/);
  });

  it('fine-tunes from an overlapping run (train --from): sigmoid kept, thresholds chosen again', { timeout: 240_000 }, async () => {
    const before = new Set(await readdir(join(project, 'runs')));
    const r = await seglens(['train', project, '--from', run, '--epochs', '1', '--steps', '3', '--patch', '48']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/nucleolus\s+\d\.\d+\s+at threshold \d\.\d+, pixel AUC/);
    const child = (await readdir(join(project, 'runs'))).find((d) => !before.has(d))!;
    const model = JSON.parse(await readFile(join(project, 'runs', child, 'best', 'model.json'), 'utf8'));
    expect(model.config.head).toBe('sigmoid');
    expect(model.thresholds.rule).toBe('max-dice-val');
    expect(model.thresholds.values).toHaveLength(3);
  });
});
