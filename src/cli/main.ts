// Entry of the `seglens` command: assembles the sub-commands, nothing else.
import { Command, CommanderError } from 'commander';
import { toWire } from '../seg/errors.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('seglens')
    .description('Semantic segmentation of microscopy images with honest per-class metrics')
    .exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const w = toWire(e);
    console.error(`seglens: ${w.message}`);
    return 2;
  }
}
