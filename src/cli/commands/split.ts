// `seglens split DIR --val 0.2 --seed N`: stratified, leak-free image-level split, written as the
// manifest the trainer uses. --out is a path as the user typed it, so it is relative to the current
// folder (not the project); it is recorded in seglens.json relative to the project (absolute when
// outside), and the write gate refuses it onto an input (a mask, an image, the project file).
import type { Command } from 'commander';
import { dirname, join, relative, resolve } from 'node:path';
import { backgroundId } from '../../seg/classes.ts';
import { openDataset, splitItems } from '../../seg/dataset/index.ts';
import { formatProblem } from '../../seg/problems.ts';
import { foldersOf, projectGate, projectPath, saveProject, toProjectPath } from '../../seg/project/index.ts';
import { WriteGate } from '../../seg/write-gate.ts';
import { formatSplitReport, groupKeysOf, makeSplit, toManifest, writeManifest } from '../../seg/split/index.ts';
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
      const out = f.out !== undefined ? resolve(f.out) : join(ds.dir, 'split.json');
      // Checked before the masks are read: a refused --out costs nothing and writes nothing.
      const gate = await projectGate(ds.dir, foldersOf(ds.dir, ds.project), {
        who: 'seglens split',
        roots: f.out !== undefined ? [{ dir: dirname(out), what: 'the folder of --out' }] : [],
        // The manifest the project names now is replaced; no other input is (the project file
        // only by saveProject below, through its own gate).
        owns: ds.project.split ? [projectPath(ds.dir, ds.project.split)] : [],
        pairs: ds.pairs,
      });
      await gate.target(out);
      // The pattern runs first, bounded, before the masks are read (groupKeysOf).
      const groups = f.group !== undefined ? await groupKeysOf(ds.pairs.map((p) => p.name), f.group) : undefined;
      const bar = progressBar('read masks', !f.json);
      const { items, problems } = await splitItems(ds, (d, t) => bar.update(d, t));
      bar.stop();
      const table = ds.project.classes;
      const result = makeSplit(items, {
        val: f.val,
        test: f.test,
        seed: f.seed,
        ...(groups ? { groups } : {}),
        classNames: table.classes.map((c) => c.name),
        background: backgroundId(table),
        source: 'split',
      });
      const manifest = toManifest(result);
      await writeManifest(gate, out, manifest);
      if (ds.projectFile) await saveProject(await WriteGate.extend(gate, { owns: [ds.projectFile] }), ds.dir, { ...ds.project, split: toProjectPath(ds.dir, out) });
      if (f.json) printJson({ manifestFile: out, manifest, problems });
      else {
        console.log(formatSplitReport(result.report));
        for (const p of problems) console.log('  ' + formatProblem(p));
        console.log(`\nManifest written to ${relative(process.cwd(), out) || out}${ds.projectFile ? ' (recorded in seglens.json)' : ''}.`);
      }
    });
}
