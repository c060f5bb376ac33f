// Options several commands share: how to find the dataset when there is no project file.
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { readClassTable } from '../../seg/class-table-file.ts';
import type { DatasetOverrides } from '../../seg/dataset/index.ts';
import { parseThreads } from '../../train/backend/native.ts';
import { numberOption } from '../output.ts';

export interface DatasetFlags {
  classes?: string;
  pair?: 'stem' | 'sorted';
  images?: string;
  masks?: string;
  page?: number;
  maxPixels?: number;
}

export function addDatasetOptions(cmd: Command): Command {
  return cmd
    .option('--classes <file>', 'class table JSON (overrides the project file; format in the README)')
    .addOption(new Option('--pair <rule>', 'pair images with masks by identical file stem or by sorted order').choices(['stem', 'sorted']))
    .option('--images <folder>', 'image folder (default: from the project file, else images/)')
    .option('--masks <folder>', 'mask folder (default: from the project file, else masks/)')
    .option('--page <n>', 'page of multi-page TIFF images (0-based)', numberOption('--page', 0))
    .option('--max-pixels <n>', 'largest decoded width x height accepted (default 8192 x 8192 = 67108864; raise it where the memory allows)', numberOption('--max-pixels', 1));
}

export async function datasetOverrides(f: DatasetFlags): Promise<DatasetOverrides> {
  return {
    ...(f.classes ? { classes: await readClassTable(f.classes) } : {}),
    ...(f.pair ? { pairing: f.pair } : {}),
    ...(f.images ? { images: f.images } : {}),
    ...(f.masks ? { masks: f.masks } : {}),
    ...(f.page !== undefined ? { imagePage: f.page } : {}),
    ...(f.maxPixels !== undefined ? { maxPixels: f.maxPixels } : {}),
  };
}

/** `--threads N|all`: threads of the native CPU path (default: one per core; SEGLENS_THREADS). */
export function threadsOption(): Option {
  return new Option('--threads <n>', 'threads of the native CPU path: a number or "all" (default all cores, or SEGLENS_THREADS)').argParser((v: string) => {
    try {
      return parseThreads(v);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  });
}
