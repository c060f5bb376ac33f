// A tiny training run on the demo project for report tests: 12 images of 64 x 64 split 6 train /
// 3 val / 3 test by a manifest (DIR/split.json, as `seglens split --test` writes it), a depth-2
// U-Net with 4 base filters, 4 epochs of 4 steps (a few seconds on the wasm backend).
import { join } from 'node:path';
import { backgroundId } from '../../src/seg/classes.ts';
import { openDataset, splitItems } from '../../src/seg/dataset/index.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { makeSplit, toManifest, writeManifest } from '../../src/seg/split/index.ts';
import { train } from '../../src/train/trainer/trainer.ts';
import type { TrainResult } from '../../src/train/trainer/events.ts';
import { testGate } from '../helpers/gate.ts';

/** `plantErrors: false` for a project `seglens train` accepts (the planted pairing error blocks it). */
export async function tinyRun(dir: string, o: { plantErrors?: boolean } = {}): Promise<{ project: string; run: TrainResult }> {
  const project = join(dir, 'demo');
  await generateDemoProject(project, { seed: 2, count: 12, size: 64, plantErrors: o.plantErrors ?? true });
  const ds = await openDataset(project);
  const table = ds.project.classes;
  const { items } = await splitItems(ds);
  const split = makeSplit(items, { val: 0.25, test: 0.25, seed: 1, classNames: table.classes.map((c) => c.name), background: backgroundId(table), source: 'split' });
  await writeManifest(await testGate(project), join(project, 'split.json'), toManifest(split));
  const run = await train({
    project,
    config: {
      model: { depth: 2, baseFilters: 4 },
      patch: 32,
      batch: 2,
      stepsPerEpoch: 4,
      epochs: 4,
      validation: { tile: 64, overlap: 0 },
      seeds: { split: 1, init: 1, sampling: 1, augmentation: 1 },
    },
  });
  return { project, run };
}
