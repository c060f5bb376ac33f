// `seglens split DIR --val 0.2 --seed N`: stratified, leak-free image-level split, written as the
// manifest the trainer uses.
import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { backgroundId } from '../../seg/classes.ts';
import { openDataset, splitItems } from '../../seg/dataset/index.ts';
import { formatProblem } from '../../seg/problems.ts';
import { saveProject, toProjectPath } from '../../seg/project/index.ts';
import { formatSplitReport, makeSplit, toManifest, writeManifest } from '../../seg/split/index.ts';
import { numberOption, printJson, progressBar } from '../output.ts';
import { addDatasetOptions, datasetOverrides, type DatasetFlags } from './common.ts';

interface SplitFlags extends DatasetFlags {
  val: number;
  test: number;
  seed: number;
  group?: string;
  out?: string;
  json?: boolean;
}

export function registerSplit(program: Command): void {
  addDatasetOptions(
    program
      .command('split')
      .description('stratified, leak-free train/val(/test) split by image; writes split.json for training')
      .argument('<dir>', 'project folder'),
  )
    .option('--val <fraction>', 'share of images for validation', numberOption('--val', 0, 0.9), 0.2)
    .option('--test <fraction>', 'share of images held out for testing', numberOption('--test', 0, 0.9), 0)
    .requiredOption('--seed <n>', 'random seed (the same seed gives the same split)', numberOption('--seed'))
    .option('--group <regex>', 'images whose names share this pattern (first capture group) stay on one side, e.g. "^(mouse\\d+)_"')
    .option('--out <file>', 'manifest file (default DIR/split.json)')
    .option('--json', 'print the manifest as JSON')
    .action(async (dir: string, f: SplitFlags) => {
      const ds = await openDataset(dir, await datasetOverrides(f));
      const bar = progressBar('read masks', !f.json);
      const { items, problems } = await splitItems(ds, (d, t) => bar.update(d, t));
      bar.stop();
      const table = ds.project.classes;
      const result = makeSplit(items, {
        val: f.val,
        test: f.test,
        seed: f.seed,
        ...(f.group ? { groupPattern: f.group } : {}),
        classNames: table.classes.map((c) => c.name),
        background: backgroundId(table),
        source: 'split',
      });
      const manifest = toManifest(result);
      const out = f.out ?? join(ds.dir, 'split.json');
      await writeManifest(out, manifest);
      if (ds.projectFile) await saveProject(ds.dir, { ...ds.project, split: toProjectPath(ds.dir, out) });
      if (f.json) printJson({ manifestFile: out, manifest, problems });
      else {
        console.log(formatSplitReport(result.report));
        for (const p of problems) console.log('  ' + formatProblem(p));
        console.log(`\nManifest written to ${relative(process.cwd(), out) || out}${ds.projectFile ? ' (recorded in seglens.json)' : ''}.`);
      }
    });
}
