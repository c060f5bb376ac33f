// `seglens init DIR`: scan the masks, list every stored value, write a proposed class table.
// Exits 1 when the masks are damaged (or other errors were found) and the damage was not accepted.
import type { Command } from 'commander';
import { Option } from 'commander';
import { resolve } from 'node:path';
import { formatScan, initProject } from '../../seg/project/index.ts';
import { numberOption, printJson, progressBar } from '../output.ts';

interface InitFlags {
  images?: string;
  masks?: string;
  pair?: 'stem' | 'sorted' | 'auto';
  force?: boolean;
  acceptDamaged?: boolean;
  page?: number;
  maxPixels?: number;
  json?: boolean;
}

export function registerInit(program: Command, setExit: (code: number) => void): void {
  program
    .command('init')
    .description('scan the masks of a folder, list every stored value and write seglens.json with a proposed class table to edit')
    .argument('<dir>', 'folder with images and masks sub-folders')
    .option('--images <folder>', 'image folder (default: found by name, e.g. images/)')
    .option('--masks <folder>', 'mask folder (default: found by name, e.g. masks/ or labels/)')
    .addOption(new Option('--pair <rule>', 'pairing rule').choices(['stem', 'sorted', 'auto']).default('auto'))
    .option('--page <n>', 'page of multi-page TIFF images (0-based)', numberOption('--page', 0))
    .option('--max-pixels <n>', 'largest accepted width x height', numberOption('--max-pixels', 1))
    .option('--force', 'replace an existing seglens.json')
    .option('--accept-damaged', 'put mask values judged to be interpolation or JPEG damage in "ignore" (default: report them and leave them in no class, so inspect blocks training)')
    .option('--json', 'print the scan and proposal as JSON')
    .action(async (dir: string, f: InitFlags) => {
      const bar = progressBar('scan masks', !f.json);
      const result = await initProject(dir, {
        // Folders given on the command line are relative to where the user is, not to DIR.
        ...(f.images ? { images: resolve(f.images) } : {}),
        ...(f.masks ? { masks: resolve(f.masks) } : {}),
        pairing: f.pair,
        force: f.force,
        acceptDamaged: f.acceptDamaged,
        ...(f.page !== undefined ? { imagePage: f.page } : {}),
        ...(f.maxPixels !== undefined ? { maxPixels: f.maxPixels } : {}),
        onProgress: (d, t) => bar.update(d, t),
      });
      bar.stop();
      if (f.json) printJson(result);
      else console.log(formatScan(result));
      // Written, but not usable as it is: the damage must be fixed or accepted first.
      setExit(result.problems.some((p) => p.severity === 'error') ? 1 : 0);
    });
}
