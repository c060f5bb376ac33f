// `seglens train PROJECT`: checks the project (inspect) and every option before any work, then
// trains with a progress bar on stderr, one line per epoch on stdout (train/val loss, per-class
// validation Dice, every class shown, however low), warnings as they happen. Ctrl-C finishes the
// current step, writes the `last` checkpoint and says how to resume.
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { relative } from 'node:path';
import { trainConfigOf } from '../../app/training/options.ts';
import { blockers, excludeHint, inspectDataset, openDataset } from '../../seg/dataset/index.ts';
import { ConfigError } from '../../seg/errors.ts';
import type { EpochRecord } from '../../seg/history.ts';
import { formatFindings } from '../../seg/audit/index.ts';
import { parseTrainConfig } from '../../train/trainer/config.ts';
import type { TrainConfigInput } from '../../train/trainer/config.ts';
import type { TrainEvent, TrainResult } from '../../train/trainer/events.ts';
import type { Lineage } from '../../train/trainer/fine-tune.ts';
import { LOSS_KINDS } from '../../train/losses/kinds.ts';
import { BACKEND_CANDIDATES } from '../../train/backend/candidates.ts';
import type { BackendCandidate } from '../../train/backend/candidates.ts';
import { numberOption, progressBar } from '../output.ts';
import { addDatasetOptions, datasetOverrides, threadsOption, type DatasetFlags } from './common.ts';

interface TrainFlags extends DatasetFlags {
  epochs?: number;
  patience?: number;
  patch?: number;
  batchSize?: number;
  stepsPerEpoch?: number;
  learningRate?: number;
  loss?: (typeof LOSS_KINDS)[number];
  seed?: number;
  valFraction?: number;
  /** The old names of batchSize, stepsPerEpoch, learningRate and valFraction, still accepted. */
  batch?: number;
  steps?: number;
  lr?: number;
  val?: number;
  split?: string;
  maxMinutes?: number;
  out?: string;
  resume?: string;
  from?: string;
  backend?: BackendCandidate;
  threads?: number | true;
  allowSoftwareGpu?: boolean;
}

/** Options that shape the run: a resumed run keeps its own (config.json), so these are refused. */
const FIXED_ON_RESUME = ['patience', 'patch', 'batchSize', 'batch', 'stepsPerEpoch', 'steps', 'learningRate', 'lr', 'loss', 'seed', 'valFraction', 'val', 'split', 'maxMinutes'] as const;

/** The flags named as the API names the options, and the short names they had before (issue 14). */
const OLD_NAMES = { batchSize: 'batch', stepsPerEpoch: 'steps', learningRate: 'lr', valFraction: 'val' } as const;

const intOption = (name: string, min: number, max?: number) => {
  const parse = numberOption(name, min, max);
  return (v: string) => {
    const n = parse(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} takes a whole number, not "${v}".`);
    return n;
  };
};

const kebab = (k: string) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** The flags as the API's TrainingOptions (old names folded in), mapped by the app's one mapping. */
export function configFromFlags(f: TrainFlags): TrainConfigInput {
  for (const [name, old] of Object.entries(OLD_NAMES)) {
    if (f[name as keyof typeof OLD_NAMES] !== undefined && f[old] !== undefined) throw new ConfigError(`Give ${kebab(name)} or ${kebab(old)} (its old name), not both.`);
  }
  return trainConfigOf({
    epochs: f.epochs,
    patience: f.patience,
    patch: f.patch,
    batchSize: f.batchSize ?? f.batch,
    stepsPerEpoch: f.stepsPerEpoch ?? f.steps,
    learningRate: f.learningRate ?? f.lr,
    loss: f.loss,
    valFraction: f.valFraction ?? f.val,
    seed: f.seed,
    maxMinutes: f.maxMinutes,
  });
}

const fmt = (x: number | null, digits = 3) => (x === null ? 'n/a' : x.toFixed(digits));

function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** One line per epoch: losses, then the validation Dice of every class (background marked). */
export function formatEpochLine(r: EpochRecord, epochs: number, background: string): string {
  // Overlapping classes: each Dice is at that class's threshold, chosen on this validation.
  const at = (c: EpochRecord['val']['classes'][number]) => (c.threshold !== undefined && c.threshold !== null ? `@${c.threshold.toFixed(2)}` : '');
  const classes = r.val.classes.map((c) => `${c.name}${c.name === background ? '(bg)' : ''} ${fmt(c.dice)}${at(c)}`).join('  ');
  return (
    `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}  train ${fmt(r.trainLoss, 4)}  val ${fmt(r.valLoss, 4)}  ` +
    `| Dice ${classes} | fg mean ${fmt(r.val.meanForegroundDice)}${r.monitor.best ? ' *best' : ''}  lr ${r.lr.toExponential(1)}  ${duration(r.seconds)}`
  );
}

/** What a fine-tuning run starts from, in one line. */
export function lineageLine(l: Lineage): string {
  const what =
    l.head === 'kept'
      ? 'same classes, every weight kept'
      : `other classes: a new head (weights kept for ${l.kept.join(', ') || 'none'}; new: ${l.added.join(', ') || 'none'}${l.dropped.length ? `; dropped: ${l.dropped.join(', ')}` : ''})`;
  return `fine-tuning from run ${l.runId} (its best epoch ${l.epoch ?? '?'}), learning rate ${l.lr.toExponential(1)}: ${what}`;
}

function resumeCommand(project: string, result: TrainResult): string {
  const run = relative(process.cwd(), result.runDir) || result.runDir;
  return `seglens train ${project} --resume ${run}`;
}

export function registerTrain(program: Command, setExit: (code: number) => void): void {
  addDatasetOptions(
    program
      .command('train')
      .description('train a U-Net on the project (checks it first); writes runs/<id>/ with checkpoints and metrics.jsonl')
      .argument('<project>', 'project folder (with seglens.json), or a folder with images/ and masks/ plus --classes'),
  )
    .option('--epochs <n>', 'maximum epochs (early stopping usually ends sooner; default 100)', intOption('--epochs', 1))
    .option('--patience <n>', 'epochs without improvement of the validation mean foreground Dice before stopping (default 10)', intOption('--patience', 1))
    .option('--patch <px>', 'training patch side, a multiple of 2^depth: 16 for the default U-Net (default 128)', intOption('--patch', 8, 2048))
    .option('--batch-size <n>', 'patches per step (default 4)', intOption('--batch-size', 1, 256))
    .addOption(new Option('--batch <n>', 'old name of --batch-size').argParser(intOption('--batch', 1, 256)).hideHelp())
    .option('--steps-per-epoch <n>', 'steps per epoch (default: about 30 s of steps on this machine, timed on the first steps, at least 50)', intOption('--steps-per-epoch', 1, 100_000))
    .addOption(new Option('--steps <n>', 'old name of --steps-per-epoch').argParser(intOption('--steps', 1, 100_000)).hideHelp())
    .option('--learning-rate <rate>', 'Adam learning rate (default 0.001)', numberOption('--learning-rate', Number.MIN_VALUE, 10))
    .addOption(new Option('--lr <rate>', 'old name of --learning-rate').argParser(numberOption('--lr', Number.MIN_VALUE, 10)).hideHelp())
    .addOption(new Option('--loss <kind>', 'loss (default dice-ce)').choices([...LOSS_KINDS]))
    .option('--seed <n>', 'seed of the split, initialisation, sampling and augmentation (default 0)', intOption('--seed', 0, 2 ** 31 - 1))
    .option('--val-fraction <fraction>', 'validation share when the project has no split manifest (default 0.2)', numberOption('--val-fraction', 0.01, 0.9))
    .addOption(new Option('--val <fraction>', 'old name of --val-fraction').argParser(numberOption('--val', 0.01, 0.9)).hideHelp())
    .option('--split <file>', 'split manifest to use instead of the project\'s (seglens split)')
    .option('--max-minutes <m>', 'stop (resumably) after this many minutes', numberOption('--max-minutes', 0.01))
    .option('--out <dir>', 'parent folder of the run folder (default PROJECT/runs)')
    .option('--resume <run>', 'continue a stopped run from its last checkpoint (a run folder or run id)')
    .option('--from <run>', "fine-tune: start a new run from this run's best weights (same classes; a new head when they differ), with its settings, a tenth of its learning rate, 10 epochs, patience 4 and its validation images (options given here win)")
    .addOption(new Option('--backend <name>', 'try this backend first (cpu: pure JS, tiny tests only)').choices([...BACKEND_CANDIDATES]))
    .addOption(threadsOption())
    .option('--allow-software-gpu', 'accept a software WebGPU adapter (llvmpipe, SwiftShader): for tests, far slower than the CPU path')
    .action(async (project: string, f: TrainFlags, cmd: Command) => {
      // ---- every argument checked before any work
      if (f.resume) {
        const given = FIXED_ON_RESUME.filter((k) => cmd.getOptionValueSource(k) === 'cli');
        if (given.length) {
          throw new ConfigError(
            `--resume continues a run with its own settings (its config.json); ${given.map(kebab).join(', ')} cannot change them. Only --epochs (a new maximum), --backend and --threads may be given.`,
          );
        }
      }
      if (f.resume && f.from) throw new ConfigError('--resume continues a run and --from starts a new one from another run\'s weights: give one of them.');
      const config = configFromFlags(f);
      if (!f.resume && !f.from) parseTrainConfig(config, 'the options');
      const ds = await openDataset(project, await datasetOverrides(f));

      // ---- the project checked before any work (seglens inspect)
      const bar = progressBar('check');
      const report = await inspectDataset(ds, { onProgress: (d, t, n) => bar.update(d, t, n) });
      bar.stop();
      if (report.blocking) {
        const blocking = blockers(report);
        console.error(`seglens train: the project cannot be trained on as it is (${blocking.length} blocking finding(s)):`);
        console.error(formatFindings(blocking, { heading: 'Blocking' }));
        const hint = excludeHint(project, report);
        if (hint) console.error(hint);
        setExit(1);
        return;
      }
      if (report.excluded.length) console.log(`${report.excluded.length} image(s) excluded by the project file: ${report.excluded.map((e) => e.name).join(', ')}`);
      const warnings = report.findings.filter((f) => f.severity === 'warning' && f.files?.length);
      if (warnings.length) {
        console.log(`${warnings.length} warning(s) about the data files (seglens inspect ${project} shows all):`);
        for (const f of warnings.slice(0, 5)) console.log(`  WARNING [${f.id}] ${f.files!.join(', ')}: ${f.message}\n    -> ${f.action}`);
      }

      // ---- training
      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts === 1) {
          console.error('\nStopping after the current step (the last checkpoint is written). Press Ctrl-C again to quit at once.');
          controller.abort();
        } else process.exit(130);
      };
      process.on('SIGINT', onSigint);
      const background = ds.project.classes.background;
      const steps = progressBar('epoch');
      let epochs = 0;
      let announcedSteps = false;
      const onEvent = (e: TrainEvent) => {
        switch (e.type) {
          case 'started': {
            epochs = e.epochs;
            console.log(`backend ${e.backend.name}: ${e.backend.reason}`);
            const s = e.split;
            console.log(
              `split: ${s.train} train / ${s.val} val / ${s.test} test images, ${s.source === 'project-manifest' ? `from ${s.file}` : `made for this run (seed ${s.seed})`}`,
            );
            for (const w of s.warnings) console.log(`  split warning: ${w}`);
            console.log(`run folder: ${e.runDir}${e.resumedFrom ? ` (resumed after epoch ${e.resumedFrom.epoch}, step ${e.resumedFrom.step})` : ''}`);
            if (e.fineTunedFrom) console.log(lineageLine(e.fineTunedFrom));
            if (e.lockTakenOver) console.log(`note: the run's lock was left by ${e.lockTakenOver}, which is no longer running; taken over.`);
            if (e.stepsPerEpoch === null) console.log('steps per epoch: timing the first steps to make an epoch about 30 s long');
            break;
          }
          case 'step':
            if (!announcedSteps) console.log(`steps per epoch: ${e.stepsPerEpoch}`);
            announcedSteps = true;
            steps.update(e.step, e.stepsPerEpoch, `ep ${e.epoch} loss ${e.epochLoss.toFixed(4)} ${e.imagesPerSecond.toFixed(1)} img/s | run ETA ${e.etaSeconds === null ? '?' : duration(e.etaSeconds)}`);
            break;
          case 'epoch':
            steps.stop();
            console.log(formatEpochLine(e.record, epochs, background));
            break;
          case 'warning':
            steps.stop();
            console.log(`WARNING [${e.warning.kind}] ${e.warning.message}\n    -> ${e.warning.hint}`);
            break;
          case 'checkpoint':
          case 'finished':
            break;
        }
      };
      // Loaded here, not at the top: TensorFlow.js takes a second to load, which `seglens --help`
      // and the other commands should not pay.
      const { Trainer } = await import('../../train/trainer/trainer.ts');
      const trainer = new Trainer({
        project,
        dataset: await datasetOverrides(f),
        config,
        ...(f.out ? { out: f.out } : {}),
        ...(f.resume ? { resume: f.resume } : {}),
        ...(f.resume && f.epochs !== undefined ? { epochs: f.epochs } : {}),
        ...(f.split ? { splitFile: f.split } : {}),
        ...(f.from ? { from: f.from } : {}),
        backend: { ...(f.backend ? { prefer: f.backend, allowCpu: f.backend === 'cpu' } : {}), ...(f.threads !== undefined ? { threads: f.threads } : {}), ...(f.allowSoftwareGpu ? { allowSoftwareGpu: true } : {}) },
      });
      let result: TrainResult;
      try {
        result = await trainer.fit({ signal: controller.signal, onEvent });
      } finally {
        steps.stop();
        process.off('SIGINT', onSigint);
        trainer.dispose();
      }
      const best = result.best;
      console.log(`\n${result.status}: ${result.reason} (${duration(result.seconds)}).`);
      if (best) {
        console.log(`best epoch ${best.epoch}: ${result.monitor} ${fmt(result.bestValue, 4)}; validation Dice per class:`);
        for (const c of best.val.classes) {
          const multi = c.threshold !== undefined && c.threshold !== null ? `  at threshold ${c.threshold.toFixed(3)}, pixel AUC ${fmt(c.auc ?? null)}` : '';
          console.log(`  ${c.name.padEnd(16)} ${fmt(c.dice)}${multi}${c.name === background ? '  (background)' : ''}`);
        }
        console.log(`  all-background baseline accuracy ${fmt(best.val.allBackgroundAccuracy)}, pixel accuracy ${fmt(best.val.pixelAccuracy)}`);
        console.log(`model: ${result.runDir}/best`);
      }
      if (result.status === 'stopped' || result.status === 'time-limit') {
        console.log(`Resume with: ${resumeCommand(project, result)}`);
      }
      setExit(result.status === 'diverged' ? 1 : result.status === 'stopped' ? 130 : 0);
    });
}
