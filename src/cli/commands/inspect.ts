// `seglens inspect DIR`: every pair read once; sizes, bit depths, class fractions, problems.
// Exits 1 when a problem blocks training.
import type { Command } from 'commander';
import { formatInspect, inspectDataset, openDataset } from '../../seg/dataset/index.ts';
import { printJson, progressBar } from '../output.ts';
import { addDatasetOptions, datasetOverrides, type DatasetFlags } from './common.ts';

export function registerInspect(program: Command, setExit: (code: number) => void): void {
  addDatasetOptions(
    program
      .command('inspect')
      .description('check a dataset: pairs, sizes, bit depths, class fractions, every problem (exit 1 if training is blocked)')
      .argument('<dir>', 'project folder (with seglens.json) or a folder with images/ and masks/'),
  )
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, flags: DatasetFlags & { json?: boolean }) => {
      const ds = await openDataset(dir, await datasetOverrides(flags));
      const bar = progressBar('inspect', !flags.json);
      const report = await inspectDataset(ds, { onProgress: (d, t, n) => bar.update(d, t, n) });
      bar.stop();
      if (flags.json) printJson(report);
      else console.log(formatInspect(report));
      setExit(report.blocking ? 1 : 0);
    });
}
