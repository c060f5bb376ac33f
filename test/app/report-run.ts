// A tiny training run on the demo project for report tests: 10 images of 64 x 64, a depth-2 U-Net
// with 4 base filters, 4 epochs of 4 steps (a few seconds on the wasm backend).
import { join } from 'node:path';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { train } from '../../src/train/trainer/trainer.ts';
import type { TrainResult } from '../../src/train/trainer/events.ts';

export async function tinyRun(dir: string): Promise<{ project: string; run: TrainResult }> {
  const project = join(dir, 'demo');
  await generateDemoProject(project, { seed: 2, count: 10, size: 64 });
  const run = await train({
    project,
    config: {
      model: { depth: 2, baseFilters: 4 },
      patch: 32,
      batch: 2,
      stepsPerEpoch: 4,
      epochs: 4,
      validation: { tile: 64, overlap: 0 },
      split: { val: 0.3 },
      seeds: { split: 1, init: 1, sampling: 1, augmentation: 1 },
    },
  });
  return { project, run };
}
