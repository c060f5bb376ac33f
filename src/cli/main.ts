// Entry of the `seglens` command: assembles the sub-commands, nothing else.
import { Command, CommanderError } from 'commander';
import { toWire } from '../seg/errors.ts';
import { registerDemo } from './commands/demo.ts';
import { registerEval } from './commands/eval.ts';
import { registerExclude } from './commands/exclude.ts';
import { registerExport } from './commands/export.ts';
import { registerExportMasks } from './commands/export-masks.ts';
import { registerInit } from './commands/init.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerPredict } from './commands/predict.ts';
import { registerReport } from './commands/report.ts';
import { registerServe } from './commands/serve.ts';
import { registerSplit } from './commands/split.ts';
import { registerTrain } from './commands/train.ts';

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => (exitCode = code);
  const program = new Command('seglens')
    .description('Semantic segmentation of microscopy images with honest per-class metrics')
    .exitOverride()
    .showHelpAfterError('(add --help for the options)');
  registerInit(program, setExit);
  registerInspect(program, setExit);
  registerSplit(program);
  registerExclude(program);
  registerEval(program, setExit);
  registerDemo(program);
  registerServe(program, setExit);
  registerTrain(program, setExit);
  registerPredict(program, setExit);
  registerReport(program, setExit);
  registerExport(program, setExit);
  registerExportMasks(program, setExit);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    const w = toWire(e);
    console.error(`seglens: ${w.message}`);
    if (process.env.SEGLENS_DEBUG) console.error(e);
    return 2;
  }
}
