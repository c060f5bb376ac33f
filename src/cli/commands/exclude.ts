// `seglens exclude PROJECT IMAGE...`: keep images out of training, splits and scores (seglens.json
// "exclude"), with why; `--include` brings them back; no image names: print the list. Nothing is
// deleted: the files stay, inspect still reads and reports them.
import type { Command } from 'commander';
import { join } from 'node:path';
import { openDataset } from '../../seg/dataset/index.ts';
import { PROJECT_FILE, foldersOf, projectGate, updateExclusions } from '../../seg/project/index.ts';
import { printJson } from '../output.ts';

interface ExcludeFlags {
  reason?: string;
  include?: boolean;
  json?: boolean;
}

export function registerExclude(program: Command): void {
  program
    .command('exclude')
    .description('leave images out of training, splits and scores (recorded in seglens.json with the reason); --include brings them back')
    .argument('<project>', 'project folder (with seglens.json)')
    .argument('[images...]', 'image names (file names without extension, as inspect prints them); none: list the excluded images')
    .option('--reason <text>', 'why (shown in the split preview, the app and the report)')
    .option('--include', 'bring the named images back instead')
    .option('--json', 'print the exclusion list as JSON')
    .action(async (project: string, images: string[], f: ExcludeFlags) => {
      const ds = await openDataset(project);
      let list = [...ds.excluded].map(([image, reason]) => ({ image, ...(reason ? { reason } : {}) }));
      if (images.length) {
        const known = new Set(ds.pairs.map((p) => p.name));
        // The project file is the only file this command writes.
        const gate = await projectGate(ds.dir, foldersOf(ds.dir, ds.project), { who: 'seglens exclude', owns: [join(ds.dir, PROJECT_FILE)], pairs: ds.pairs });
        list = await updateExclusions(gate, ds.dir, f.include ? { include: images } : { exclude: images.map((image) => ({ image, ...(f.reason ? { reason: f.reason } : {}) })) }, known);
      }
      if (f.json) return printJson({ project: ds.dir, exclude: list });
      if (images.length) console.log(`${f.include ? 'Brought back' : 'Excluded'}: ${images.join(', ')} (${ds.projectFile ?? ds.dir}).`);
      if (list.length === 0) console.log('No image is excluded.');
      else {
        console.log(`Excluded from training, splits and scores (${list.length}):`);
        for (const e of list) console.log(`  ${e.image}${e.reason ? `: ${e.reason}` : ''}`);
      }
    });
}
