// split --group when the groups cannot give the requested shares: 2 groups and --val 0.2 give 0.5,
// and the split must say so and what it got. On the ISBI 2012 slices (real fingerprints) named as
// two animals, through makeSplit and through the `seglens split` command on a copied project.
import { readdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/seg/audit/index.ts';
import { classPixelCounts } from '../../src/seg/dataset/index.ts';
import { fingerprintFile, makeSplit } from '../../src/seg/split/index.ts';
import type { SplitItem } from '../../src/seg/split/index.ts';
import { seglens } from '../helpers/cli.ts';
import { ISBI, TABLES, missing, readMasks, table } from './audit-fixtures.ts';
import { groupKeysOf } from '../../src/seg/split/group-keys.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-split-shares-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe.skipIf(missing(ISBI, 'split shares on ISBI 2012'))('shares the groups cannot give (ISBI 2012 as two animals)', () => {
  let items: SplitItem[];
  const animal = (n: number) => (n < 15 ? `mouseA_${n}` : `mouseB_${n}`);
  beforeAll(async () => {
    const t = await table('isbi2012-membranes');
    const masks = new Map((await readMasks(join(ISBI, 'masks'), t)).map((m) => [m.name, m.labels]));
    const names = readdirSync(join(ISBI, 'images')).map((f) => parseInt(f)).sort((a, b) => a - b);
    items = await Promise.all(names.map(async (n) => ({ name: animal(n), classPixels: classPixelCounts(masks.get(String(n))!, 2), fingerprint: await fingerprintFile(join(ISBI, 'images', `${n}.png`)) })));
  });

  it('2 groups and --val 0.2: split-share-unmet says it got 50 % and that no grouping comes closer', async () => {
    const groups = await groupKeysOf(items.map((i) => i.name), '^(mouse[AB])_');
    const split = makeSplit(items, { val: 0.2, seed: 1, groups, classNames: ['membrane', 'cell'], background: 1 });
    expect(split.val).toHaveLength(15);
    const w = split.report.warnings.filter((p) => p.code === 'split-share-unmet');
    expect(w).toHaveLength(1);
    expect(w[0].message).toMatch(/--val 0\.2 asked for 20 % of the images in val, but the 30 images form 2 groups .*val got 15 of 30 images \(50 %\)\. No assignment of whole groups comes closer than 15 images \(50 %\)/);
    expect(w[0].details).toMatchObject({ requested: 0.2, got: 0.5, groups: 2 });
    const f = runAudit({ split: split.report }).filter((x) => x.id === 'split-share-unmet');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', evidence: { split: 'val', requested: 0.2, got: 0.5 } });
  });

  it('enough groups (10, by the last digit of the slice number): the share is met, nothing said', async () => {
    const groups = await groupKeysOf(items.map((i) => i.name), '(\\d)$');
    const split = makeSplit(items, { val: 0.2, seed: 1, groups, classNames: ['membrane', 'cell'], background: 1 });
    expect(split.groups).toHaveLength(10);
    expect(split.report.warnings.map((p) => p.code)).not.toContain('split-share-unmet');
    const noGroups = makeSplit(items, { val: 0.2, seed: 1, classNames: ['membrane', 'cell'], background: 1 });
    expect(noGroups.val).toHaveLength(6);
    expect(noGroups.report.warnings).toEqual([]);
  });

  it('seglens split --group prints the warning with what it got', async () => {
    const dir = join(tmp, 'two-animals');
    await mkdir(join(dir, 'images'), { recursive: true });
    await mkdir(join(dir, 'masks'), { recursive: true });
    for (let n = 0; n < 10; n++) {
      const name = n < 5 ? `mouseA_${n}` : `mouseB_${n}`;
      await copyFile(join(ISBI, 'images', `${n}.png`), join(dir, 'images', `${name}.png`));
      await copyFile(join(ISBI, 'masks', `${n}.png`), join(dir, 'masks', `${name}.png`));
    }
    await writeFile(join(dir, 'note.txt'), 'two animals');
    const r = await seglens(['split', dir, '--val', '0.2', '--seed', '3', '--group', '^(mouse[AB])_', '--classes', join(TABLES, 'isbi2012-membranes.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/WARNING \[split-share-unmet\] .*val got 5 of 10 images \(50 %\)/);
    expect(r.stdout).toMatch(/use a --group pattern that makes more, smaller groups/);
  });
});
