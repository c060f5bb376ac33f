// The split preview's one list of findings: the audit's reading of what the split would do (here
// two identical images, which the split keeps on one side and says so), with the images named.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SplitPreviewResultSchema } from '../../src/api/index.ts';
import { Workspace } from '../../src/app/workspace.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';

let tmp: string;
let dir: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-split-preview-'));
  dir = join(tmp, 'project');
  await generateDemoProject(dir, { count: 8, size: 64, seed: 5, plantErrors: false });
  await copyFile(join(dir, 'images', 'demo_01.tif'), join(dir, 'images', 'demo_09.tif'));
  await copyFile(join(dir, 'masks', 'demo_01.png'), join(dir, 'masks', 'demo_09.png'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe('previewSplit', () => {
  it('lists what the split would do as findings: duplicates kept together, named, on one side', async () => {
    const ws = new Workspace({ emit: () => undefined });
    await ws.openProject({ dir });
    const r = SplitPreviewResultSchema.parse(await ws.previewSplit({ valFraction: 0.25, seed: 2 }));
    expect(r).not.toHaveProperty('problems');
    const leak = r.findings.find((f) => f.id === 'split-leakage')!;
    expect(leak, JSON.stringify(r.findings)).toBeDefined();
    expect(leak.images).toEqual(expect.arrayContaining(['demo_01', 'demo_09']));
    expect(leak.severity).not.toBe('critical'); // kept together: nothing leaks
    const side = (n: string) => r.assignments.find((a) => a.name === n)!.split;
    expect(side('demo_01')).toBe(side('demo_09'));
    await ws.close();
  });
});
