// Entry of the `seglens` command: assembles the sub-commands, nothing else. Each command's module
// (and what it imports: the dataset code, zod's schemas, ...) is loaded only when it is needed: a
// command line naming one sub-command loads that one (`seglens serve` starts the server sooner:
// issue 14, launch to first image); anything else (--help, a typo, `help`) loads them all, in the
// order the help lists them.
import { Command, CommanderError } from 'commander';
import { toWire } from '../seg/errors.ts';

type SetExit = (code: number) => void;
type Register = (program: Command, setExit: SetExit) => void;

/** Sub-command name -> the module that registers it (serve.ts registers `serve` and `start`). */
const COMMANDS: [string[], () => Promise<Register>][] = [
  [['init'], async () => (await import('./commands/init.ts')).registerInit],
  [['inspect'], async () => (await import('./commands/inspect.ts')).registerInspect],
  [['split'], async () => (await import('./commands/split.ts')).registerSplit],
  [['exclude'], async () => (await import('./commands/exclude.ts')).registerExclude],
  [['eval'], async () => (await import('./commands/eval.ts')).registerEval],
  [['demo'], async () => (await import('./commands/demo.ts')).registerDemo],
  [['serve', 'start'], async () => (await import('./commands/serve.ts')).registerServe],
  [['train'], async () => (await import('./commands/train.ts')).registerTrain],
  [['predict'], async () => (await import('./commands/predict.ts')).registerPredict],
  [['report'], async () => (await import('./commands/report.ts')).registerReport],
  [['export'], async () => (await import('./commands/export.ts')).registerExport],
  [['export-masks'], async () => (await import('./commands/export-masks.ts')).registerExportMasks],
];

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number) => (exitCode = code);
  const program = new Command('seglens')
    .description('Semantic segmentation of microscopy images with honest per-class metrics')
    .exitOverride()
    .showHelpAfterError('(add --help for the options)');
  try {
    // argv is [node, script, sub-command, ...].
    const named = COMMANDS.find(([names]) => names.includes(argv[2] ?? ''));
    const registers = await Promise.all((named ? [named] : COMMANDS).map(([, load]) => load()));
    for (const register of registers) register(program, setExit);
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
