// An overlapping-classes run as the app sees it (issue 16): a real tiny training in this process
// on the multi-label demo, then `getRun` through the contract's dispatcher (so the result is
// checked against RunDetailSchema): the best epoch's thresholds, the rule, and per class the
// validation curve whose Dice at the stored threshold is the recorded Dice, which the threshold
// slider reads. Also: no tensor left behind, and a softmax asked for becomes the sigmoid head.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDownload, dispatchDownload, dispatchJson, dispatchUpload, encodeSaveMask } from '../../src/api/index.ts';
import type { ClassPredictionPixels } from '../../src/api/index.ts';
import { openDataset, readPairLabels } from '../../src/seg/dataset/index.ts';
import { readRawMask } from '../../src/seg/image-io.ts';
import { atThreshold } from '../../src/seg/metrics/index.ts';
import { unlink } from 'node:fs/promises';
import { exportMasks } from '../../src/app/mask-export.ts';
import { exportReport } from '../../src/app/report.ts';
import { readdir } from 'node:fs/promises';
import type { ImageMetricsResult, MetricsTableResult, RunDetail } from '../../src/api/index.ts';
import { Workspace } from '../../src/app/workspace.ts';
import { generateOverlappingDemo } from '../../src/seg/demo/index.ts';
import { tf } from '../../src/train/tf.ts';
import { train } from '../../src/train/trainer/trainer.ts';

let tmp: string;
let project: string;
let ws: Workspace;
let runId: string;
let runDir: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-overlap-app-'));
  project = join(tmp, 'nucleoli');
  await generateOverlappingDemo(project, { count: 6, size: 64, seed: 4 });
  ws = new Workspace({ demoDir: join(tmp, 'demo'), emit: () => undefined });
});

afterAll(async () => {
  await ws.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('an overlapping run in the app', () => {
  it('getRun returns the thresholds and the validation curves the sliders read', { timeout: 180_000 }, async () => {
    const before = tf.memory().numTensors;
    const result = await train({
      project,
      backend: { prefer: 'wasm' },
      config: {
        model: { depth: 2, baseFilters: 4, head: 'softmax' },
        patch: 32,
        batch: 2,
        stepsPerEpoch: 4,
        epochs: 2,
        split: { val: 0.34 },
        validation: { tile: 32, overlap: 8, batch: 4 },
        seeds: { split: 1, init: 2, sampling: 3, augmentation: 4 },
      },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.status).toBe('finished');
    runId = result.runId;
    runDir = result.runDir;
    const cfg = JSON.parse(await readFile(join(result.runDir, 'config.json'), 'utf8'));
    expect(cfg.model.head).toBe('sigmoid');

    await dispatchJson(ws, 'openProject', { dir: project });
    const d = (await dispatchJson(ws, 'getRun', { runId: result.runId })) as RunDetail;
    const th = d.thresholds!;
    expect(th.rule).toBe('max-dice-val');
    expect(th.epoch).toBe(result.bestEpoch);
    const model = JSON.parse(await readFile(join(result.runDir, 'best', 'model.json'), 'utf8'));
    expect(th.classes.map((c) => c.threshold)).toEqual(model.thresholds.values);
    const best = d.history.find((r) => r.epoch === result.bestEpoch)!;
    th.classes.forEach((c, k) => {
      expect(c.curve.length).toBe(101);
      // The recorded Dice of the epoch is the Dice at the chosen threshold.
      expect(c.dice).toBeCloseTo(best.val.classes[k].dice!, 12);
      expect(best.val.classes[k].threshold).toBe(c.threshold);
      // A threshold on the 0.01 grid: the curve's point there is the Dice the slider shows.
      const onGrid = c.curve.find((p) => Math.abs(p.threshold - c.threshold) < 1e-9);
      if (onGrid) expect(onGrid.dice).toBeCloseTo(c.dice!, 12);
      for (const p of c.curve) if (p.dice !== null) expect(p.dice).toBeLessThanOrEqual(c.dice! + 1e-12);
    });
  });

  it('refuses what would lose overlaps: saving an edited class-id mask, exporting class-id masks', async () => {
    const data = new Uint8Array(64 * 64);
    await expect(dispatchUpload(ws, 'saveMask', encodeSaveMask({ name: 'demo_01', width: 64, height: 64, baseVersion: null, data }))).rejects.toThrow(/overlapping classes.*Edit the per-class mask files/);
    expect(existsSync(join(project, 'masks-edited'))).toBe(false);
    await expect(exportMasks({ project, format: 'tiff', out: join(tmp, 'exported') })).rejects.toThrow(/would lose every pixel of two classes/);
    expect(existsSync(join(tmp, 'exported'))).toBe(false);
  });

  it('saves thresholds moved by hand into the best weights; the report applies them and still matches training', { timeout: 180_000 }, async () => {
    await dispatchJson(ws, 'predictRun', { runId });
    const predicted = join(runDir, 'predictions');
    expect((await readdir(join(predicted, 'nucleolus'))).length).toBeGreaterThan(0);
    await expect(dispatchJson(ws, 'setThresholds', { runId, values: [0.5, 0.5] })).rejects.toThrow(/Give 3 thresholds/);
    const th = (await dispatchJson(ws, 'setThresholds', { runId, values: [0.5, 0.4, 0.2] })) as RunDetail['thresholds'] & object;
    expect(th.applied).toEqual({ rule: 'set-by-hand', values: [0.5, 0.4, 0.2] });
    // The validation's own choice stays as recorded.
    expect(th.rule).toBe('max-dice-val');
    const model = JSON.parse(await readFile(join(runDir, 'best', 'model.json'), 'utf8'));
    expect(model.thresholds).toEqual({ rule: 'set-by-hand', values: [0.5, 0.4, 0.2] });
    // Predictions made at the old thresholds are gone, not shown as the model's.
    expect((await readdir(join(predicted, 'nucleolus'))).length).toBe(0);
    expect((await readdir(predicted)).filter((f) => f.endsWith('.png'))).toEqual([]);
    const rep = await exportReport(runDir, { now: new Date(0) });
    expect(rep.data.thresholds!.rule).toBe('set-by-hand');
    expect(rep.data.thresholds!.ruleText).toMatch(/set by hand/);
    const val = rep.data.evaluations.find((e) => e.split === 'val')!;
    expect(val.result.classes.map((c) => c.threshold)).toEqual([0.5, 0.4, 0.2]);
    // Training's figures are compared at the thresholds it recorded: no mismatch from moving them.
    expect(rep.findings.filter((f) => f.id === 'metric-mismatch')).toEqual([]);

    // The metrics view scores each class by its own stored mask: the report's figures, per class.
    await dispatchJson(ws, 'predictRun', { runId });
    const table = (await dispatchJson(ws, 'metricsTable', { runId, split: 'val' })) as MetricsTableResult;
    expect(table.scope.scored).toBe(val.result.images);
    for (const k of [1, 2]) expect(table.summary.classes[k].dice).toBeCloseTo(val.result.classes[k].dice!, 12);
    expect(table.summary.meanForegroundDice).toBeCloseTo(val.result.meanForegroundDice!, 12);
    const one = (await dispatchJson(ws, 'imageMetrics', { runId, name: table.rows[0].name })) as ImageMetricsResult;
    expect(one.row!.cells[2].tp).toBe(table.rows[0].cells[2].tp);
  });

  it('gives the image view each class by its own bit: probabilities whose thresholding is the stored masks, and the ground truth bits', { timeout: 180_000 }, async () => {
    // The predictions of the previous test, made at the thresholds set by hand [0.5, 0.4, 0.2].
    const ds = await openDataset(project);
    const names = ds.pairs.map((pr) => pr.name);
    expect(names.length).toBe(6);
    let positives = 0;
    let both = 0;
    for (const pr of ds.pairs) {
      const frame = await dispatchDownload(ws, 'getClassPredictionPixels', { runId, name: pr.name });
      const cp = decodeDownload('getClassPredictionPixels', frame) as ClassPredictionPixels;
      expect(cp.classes).toEqual([
        { id: 1, name: 'nucleus', threshold: 0.4 },
        { id: 2, name: 'nucleolus', threshold: 0.2 },
      ]);
      expect(cp.planes).toBe(4);
      expect(cp.annotated).toBe(true);
      const n = cp.width * cp.height;
      const predBits = cp.data.subarray(2 * n, 3 * n);
      for (const [k, c] of cp.classes.entries()) {
        const stored = await readRawMask(join(runDir, 'predictions', c.name, `${pr.name}.png`));
        let differ = 0;
        for (let i = 0; i < n; i++) {
          const fromProb = atThreshold(cp.data[k * n + i] / cp.probScale, c.threshold);
          const inMask = stored.data[i] !== 0;
          if (fromProb !== inMask) differ++;
          if (inMask !== ((predBits[i] >> c.id) & 1) > 0) differ++;
          if (inMask) positives++;
        }
        expect(differ, `${c.name} of ${pr.name}`).toBe(0);
      }
      for (let i = 0; i < n; i++) if ((predBits[i] & 6) === 6) both++;
      // The ground truth plane is the project's per-class masks, bit for bit.
      const gt = (await readPairLabels(ds.project, pr)).overlap!.multi;
      expect(Array.from(cp.data.subarray(3 * n))).toEqual(Array.from(gt.data));
    }
    expect(positives).toBeGreaterThan(0);
    // Pixels predicted as nucleus and nucleolus at once: what a class-id view cannot show.
    expect(both).toBeGreaterThan(0);

    // A prediction stored without its probabilities (before they were kept) is made again.
    const stem = names[0];
    await unlink(join(runDir, 'predictions', 'probs', `${stem}_nucleolus.png`));
    await expect(dispatchDownload(ws, 'getClassPredictionPixels', { runId, name: stem })).rejects.toMatchObject({ name: 'NotFoundError' });
    const again = (await dispatchJson(ws, 'predictRun', { runId })) as { predicted: number; cached: number };
    expect(again).toMatchObject({ predicted: 1, cached: 5 });
    expect(existsSync(join(runDir, 'predictions', 'probs', `${stem}_nucleolus.png`))).toBe(true);

    // Moving the thresholds removes the probabilities with the masks.
    await dispatchJson(ws, 'setThresholds', { runId, values: [0.5, 0.5, 0.5] });
    expect((await readdir(join(runDir, 'predictions', 'probs'))).filter((f) => f.endsWith('.png'))).toEqual([]);
    await expect(dispatchDownload(ws, 'getClassPredictionPixels', { runId, name: stem })).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
