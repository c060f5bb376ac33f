// Masks saved by the editor supersede imported ones for every use of the dataset, and an image
// annotated from scratch becomes a pair (issue 6: human in the loop).
import { rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectDataset, openDataset, readPairLabels } from '../../src/seg/dataset/index.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { writeLabelMask } from '../../src/seg/mask-write.ts';
import { EditedMasks } from '../../src/seg/project/index.ts';
import { testGate } from '../helpers/gate.ts';

describe('edited masks in the dataset', () => {
  it('replace imported masks and add images annotated from scratch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seglens-edits-'));
    await generateDemoProject(dir, { count: 3, size: 64, plantErrors: false });
    await rm(join(dir, 'masks', 'demo_03.png'));
    const before = await openDataset(dir);
    expect(before.pairs.map((p) => p.name)).toEqual(['demo_01', 'demo_02']);
    expect(before.problems.some((p) => p.code === 'missing-partner' && p.file.includes('demo_03'))).toBe(true);

    const edits = await EditedMasks.open(dir);
    const a = new Uint8Array(64 * 64).fill(1);
    a.fill(255, 0, 64); // first row unlabelled
    const b = new Uint8Array(64 * 64).fill(2);
    for (const [name, data, replaces] of [['demo_01', a, 'masks/demo_01.png'], ['demo_03', b, null]] as const) {
      const gate = await testGate(dir);
      const file = await edits.pathFor(gate, name);
      await writeLabelMask(gate, file, { width: 64, height: 64, data });
      await edits.record(gate, name, file, replaces);
    }

    const ds = await openDataset(dir);
    expect(ds.pairs.map((p) => p.name).sort()).toEqual(['demo_01', 'demo_02', 'demo_03']);
    const one = ds.pairs.find((p) => p.name === 'demo_01')!;
    expect(one.edited).toBe(true);
    expect(one.mask).toMatch(/masks-edited/);
    expect(ds.pairs.find((p) => p.name === 'demo_02')!.edited).toBeUndefined();
    expect((await readPairLabels(ds.project, one)).labels.data).toEqual(a);
    expect((await readPairLabels(ds.project, ds.pairs.find((p) => p.name === 'demo_03')!)).labels.data).toEqual(b);
    expect(ds.problems.some((p) => p.code === 'missing-partner')).toBe(false);

    const rep = await inspectDataset(ds);
    const three = rep.pairs.find((p) => p.name === 'demo_03')!;
    expect(three.classPixels).toEqual([0, 0, 64 * 64]);
    expect(rep.pairs.find((p) => p.name === 'demo_01')!.ignoredPixels).toBe(64);
  });
});
