// `seglens demo DIR`: write the built-in demo project (synthetic 16-bit nuclei, 3 classes, a few
// planted annotation errors listed in demo-truth.json). Deterministic by seed.
import type { Command } from 'commander';
import { generateDemoProject, generateOverlappingDemo } from '../../seg/demo/index.ts';
import { numberOption, printJson } from '../output.ts';

interface DemoFlags {
  seed: number;
  count: number;
  size: number;
  clean?: boolean;
  overlapping?: boolean;
  force?: boolean;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('write the built-in demo project (synthetic fluorescence nuclei with planted annotation errors) into DIR')
    .argument('<dir>', 'folder to create (must be empty or a previous demo)')
    .option('--seed <n>', 'random seed', numberOption('--seed'), 1)
    .option('--count <n>', 'number of images', numberOption('--count', 2, 500), 12)
    .option('--size <px>', 'image width and height', numberOption('--size', 32, 8192), 256)
    .option('--clean', 'plant no annotation errors')
    .option('--overlapping', 'a multi-label demo instead: nuclei with nucleoli inside them, per-class binary masks, overlapping classes')
    .option('--force', 'write into a folder that is not empty')
    .option('--json', 'print the planted errors as JSON')
    .action(async (dir: string, f: DemoFlags) => {
      if (f.overlapping) {
        const r = await generateOverlappingDemo(dir, { seed: f.seed, count: f.count, size: f.size, force: f.force });
        if (f.json) printJson(r);
        else console.log(`Multi-label demo project written to ${r.dir} (${f.count} images of ${f.size}x${f.size}, 16-bit; classes nucleus and nucleolus overlap: masks/nucleus/, masks/nucleolus/). Try: seglens inspect ${dir}`);
        return;
      }
      const r = await generateDemoProject(dir, { seed: f.seed, count: f.count, size: f.size, plantErrors: !f.clean, force: f.force });
      if (f.json) printJson(r);
      else {
        console.log(`Demo project written to ${r.dir} (${f.count} images of ${f.size}x${f.size}, 16-bit; classes background, nucleus, boundary).`);
        console.log(`Planted annotation errors are listed in ${r.truthFile}. Try: seglens inspect ${dir}`);
      }
    });
}
