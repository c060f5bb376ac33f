// The run folder `runs/<id>/`: everything needed to understand, repeat or resume a run.
//   split.json     the split manifest used (copied, or made for this run)
//   config.json    the resolved TrainConfig (defaults and seeds filled in)
//   run.json       backend and why, versions, sessions (start, end, status), best epoch
//   metrics.jsonl  one EpochRecord (src/seg/history.ts) per epoch, appended and fsynced
//   best/, last/   checkpoints (checkpoint.ts)
//   predictions/<stem>.png   label masks by the best checkpoint, in the class table's stored values
//                            (as `seglens predict` writes them), made at the end of an app run or on
//                            demand (predict/run-predictions.ts), one per image file stem
//   predictions/index.json   which checkpoint (and its epoch) and tiling made them
//   predictions/<class>/<stem>.png, predictions/probs/<stem>_<class>.png   overlapping classes:
//                            each foreground class's mask at its threshold and every class's
//                            probability (16-bit), for the app's per-class layers (run-outputs.ts)
//   preview.png, preview.json  the per-epoch prediction of one validation image (class ids), app runs
//   thresholds.json  overlapping classes: the best epoch's per-class thresholds, AUC, AP and the
//                  validation curves (Dice, ROC, PR every 0.01) the app's threshold sliders read
//   report/        `seglens report`'s default output (report.html, report.json, ...: src/app/report.ts)
// This module owns every one of these names; the app reads a run only through it.
// Every file is written atomically through the run's write gate (src/seg/write-gate.ts) except
// metrics.jsonl, which only grows by whole fsynced lines (a torn last line is dropped by
// parseHistory). A RunFolder opened without a gate only reads.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../../seg/errors.ts';
import { EpochRecordSchema, parseHistory } from '../../seg/history.ts';
import type { EpochRecord } from '../../seg/history.ts';
import { readManifest, writeManifest } from '../../seg/split/index.ts';
import type { SplitManifest } from '../../seg/split/index.ts';
import { parseOrThrow } from '../../seg/validate.ts';
import type { WriteGate } from '../../seg/write-gate.ts';
import { parseTrainConfig } from './config.ts';
import type { TrainConfig } from './config.ts';

/** The folder under a project that holds its run folders by default. */
export const RUNS_FOLDER = 'runs';

export const RUN_FILES = {
  split: 'split.json',
  config: 'config.json',
  run: 'run.json',
  metrics: 'metrics.jsonl',
  best: 'best',
  last: 'last',
  predictions: 'predictions',
  predictionsIndex: 'index.json',
  preview: 'preview.png',
  previewInfo: 'preview.json',
  /** Default folder of `seglens report RUN` and the app's report export. */
  report: 'report',
  thresholds: 'thresholds.json',
} as const;

const unit = z.number().min(0).max(1);
const unitOrNull = unit.nullable();
/** thresholds.json: see the file comment; NaN figures are null. */
export const ThresholdsFileSchema = z.object({
  format: z.literal('seglens-thresholds'),
  version: z.literal(1),
  /** The epoch whose weights are `best` and whose validation chose these thresholds. */
  epoch: z.number().int().min(1),
  rule: z.string().min(1),
  ruleText: z.string(),
  classes: z.array(
    z.object({
      name: z.string(),
      isBackground: z.boolean(),
      threshold: unit,
      dice: unitOrNull,
      auc: unitOrNull,
      averagePrecision: unitOrNull,
      prevalence: unitOrNull,
      curve: z.array(z.object({ threshold: unit, fpr: unit, tpr: unit, precision: unitOrNull, dice: unitOrNull })),
    }),
  ),
});
export type ThresholdsFile = z.infer<typeof ThresholdsFileSchema>;

export const RUN_STATUSES = ['running', 'finished', 'stopped', 'diverged', 'time-limit', 'failed'] as const;

const SessionSchema = z.object({
  started: z.string(),
  ended: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  /** Epochs completed when this session started (0 for the first). */
  fromEpoch: z.number().int().min(0),
  fromStep: z.number().int().min(0),
  backend: z.object({
    name: z.string(),
    package: z.string(),
    reason: z.string(),
    tried: z.array(z.object({ package: z.string(), ok: z.boolean(), reason: z.string() })),
    /** The GPU adapter of a WebGPU backend: vendor, architecture, software or not. */
    adapter: z.object({ vendor: z.string(), architecture: z.string(), device: z.string(), description: z.string(), software: z.boolean() }).optional(),
  }),
  reason: z.string().nullable(),
});

export const RunInfoSchema = z.object({
  format: z.literal('seglens-run'),
  version: z.literal(1),
  id: z.string().min(1),
  created: z.string(),
  /** Absolute path of the project folder trained on. */
  project: z.string(),
  /** Status of the latest session. */
  status: z.enum(RUN_STATUSES),
  versions: z.record(z.string(), z.string()),
  sessions: z.array(SessionSchema).min(1),
  bestEpoch: z.number().int().nullable(),
  bestValue: z.number().nullable(),
  monitor: z.string(),
  /** Images the project file excluded when the run was made (in no side of its split), with why. */
  excluded: z.array(z.object({ image: z.string(), reason: z.string().nullable() })).optional(),
  /** The run this one started from (fine-tuning, trainer/fine-tune.ts), absent for a run from scratch. */
  parent: z
    .object({
      runId: z.string(),
      dir: z.string(),
      epoch: z.number().int().nullable(),
      head: z.enum(['kept', 'new']),
      kept: z.array(z.string()),
      added: z.array(z.string()),
      dropped: z.array(z.string()),
      lr: z.number(),
    })
    .optional(),
});

export type RunInfo = z.infer<typeof RunInfoSchema>;

/**
 * The parts of run.json a listing shows, read leniently: a run the trainer is still writing, or one
 * written by an older version, still lists with what it has.
 */
export const RunInfoLooseSchema = z.object({
  created: z.string().optional(),
  status: z.string().optional(),
  bestEpoch: z.number().int().nullable().optional(),
  bestValue: z.number().nullable().optional(),
  monitor: z.string().optional(),
  sessions: z.array(z.object({ backend: z.object({ name: z.string(), reason: z.string() }).partial().optional() }).passthrough()).optional(),
});
export type RunInfoLoose = z.infer<typeof RunInfoLooseSchema>;

/** A folder is a training run when it holds config.json or run.json. */
export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.config)) || existsSync(join(dir, RUN_FILES.run));
}
export type RunSession = z.infer<typeof SessionSchema>;

/** `20261122-061502-3fa9`: sortable by start time, unique enough for one user's runs folder. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export class RunFolder {
  readonly dir: string;
  readonly id: string;
  /** Where writes go through; absent when the folder is opened to read. */
  readonly gate: WriteGate | undefined;

  constructor(dir: string, gate?: WriteGate) {
    this.dir = resolve(dir);
    this.id = this.dir.split(/[\\/]/).pop()!;
    this.gate = gate;
  }

  /** The gate, or an error: this RunFolder was opened to read. */
  writer(): WriteGate {
    if (!this.gate) throw new ConfigError(`The run folder ${this.dir} was opened to read; it cannot be written through this handle.`, { dir: this.dir });
    return this.gate;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Creates `parent/<new id>/`; never reuses an existing folder. */
  static async create(gate: WriteGate, parent: string): Promise<RunFolder> {
    await gate.mkdir(parent);
    for (let attempt = 0; attempt < 10; attempt++) {
      const dir = join(resolve(parent), newRunId());
      try {
        await gate.mkdirNew(dir); // fails if it exists: two runs started in the same second get distinct ids
        return new RunFolder(dir, gate);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    throw new ConfigError(`Could not create a new run folder in ${parent}.`, { parent });
  }

  /** Opens an existing run for --resume; `ref` is a run folder or a run id under `runsDir`. */
  static open(ref: string, runsDir?: string, gate?: WriteGate): RunFolder {
    const candidates = [resolve(ref), ...(runsDir && !isAbsolute(ref) ? [join(resolve(runsDir), ref)] : [])];
    const dir = candidates.find((d) => existsSync(join(d, RUN_FILES.config)));
    if (!dir) {
      throw new ConfigError(`${ref} is not a training run: no ${RUN_FILES.config} in ${candidates.join(' or ')}. Give the run folder (runs/<id>) printed when the run started.`, { ref });
    }
    return new RunFolder(dir, gate);
  }

  /** The same folder, written through `gate`. */
  withGate(gate: WriteGate): RunFolder {
    return new RunFolder(this.dir, gate);
  }

  async writeConfig(cfg: TrainConfig): Promise<void> {
    await this.writer().writeJson(this.path(RUN_FILES.config), cfg);
  }

  async readConfig(): Promise<TrainConfig> {
    return parseTrainConfig(await this.readJson(RUN_FILES.config), this.path(RUN_FILES.config));
  }

  async writeSplit(m: SplitManifest): Promise<void> {
    await writeManifest(this.writer(), this.path(RUN_FILES.split), m);
  }

  async readSplit(): Promise<SplitManifest> {
    return readManifest(this.path(RUN_FILES.split));
  }

  async writeInfo(info: RunInfo): Promise<void> {
    await this.writer().writeJson(this.path(RUN_FILES.run), parseOrThrow(RunInfoSchema, info, this.path(RUN_FILES.run)));
  }

  /** run.json as far as it can be read (see RunInfoLooseSchema); {} when absent or damaged. */
  async readInfoLoose(): Promise<RunInfoLoose> {
    try {
      const r = RunInfoLooseSchema.safeParse(JSON.parse(await readFile(this.path(RUN_FILES.run), 'utf8')));
      return r.success ? r.data : {};
    } catch {
      return {};
    }
  }

  /** config.json as plain JSON (null when absent or damaged), for display. */
  async readConfigLoose(): Promise<Record<string, unknown> | null> {
    try {
      const v: unknown = JSON.parse(await readFile(this.path(RUN_FILES.config), 'utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  /** The run's split manifest, or null when it has none (a run folder made by other means). */
  async readSplitLoose(): Promise<SplitManifest | null> {
    if (!existsSync(this.path(RUN_FILES.split))) return null;
    try {
      return await this.readSplit();
    } catch {
      return null;
    }
  }

  async writeThresholds(t: ThresholdsFile): Promise<void> {
    await this.writer().writeJson(this.path(RUN_FILES.thresholds), parseOrThrow(ThresholdsFileSchema, t, this.path(RUN_FILES.thresholds)));
  }

  /** The run's thresholds.json, or null (not an overlapping run, no validation yet, unreadable). */
  async readThresholdsLoose(): Promise<ThresholdsFile | null> {
    try {
      const r = ThresholdsFileSchema.safeParse(JSON.parse(await readFile(this.path(RUN_FILES.thresholds), 'utf8')));
      return r.success ? r.data : null;
    } catch {
      return null;
    }
  }

  async readInfo(): Promise<RunInfo> {
    return parseOrThrow(RunInfoSchema, await this.readJson(RUN_FILES.run), this.path(RUN_FILES.run));
  }

  /** Appends one epoch line and fsyncs it before returning. */
  async appendEpoch(record: EpochRecord): Promise<void> {
    const line = JSON.stringify(parseOrThrow(EpochRecordSchema, record, 'epoch record')) + '\n';
    await this.writer().appendLines(this.path(RUN_FILES.metrics), line);
  }

  async readHistory(): Promise<EpochRecord[]> {
    const file = this.path(RUN_FILES.metrics);
    if (!existsSync(file)) return [];
    return parseHistory(await readFile(file, 'utf8'), file);
  }

  /**
   * Keeps the epochs up to `epoch` (a resumed run repeats any epoch the `last` checkpoint does
   * not hold, so its line must not appear twice). Rewritten atomically.
   */
  async truncateHistory(epoch: number): Promise<EpochRecord[]> {
    const kept = (await this.readHistory()).filter((r) => r.epoch <= epoch);
    await this.writer().writeFile(this.path(RUN_FILES.metrics), kept.map((r) => JSON.stringify(r) + '\n').join(''));
    return kept;
  }

  private async readJson(name: string): Promise<unknown> {
    const file = this.path(name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`Cannot read ${file}: ${(e as Error).message}.`, { file });
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new ConfigError(`${file} is not JSON (${(e as Error).message}); the run folder is damaged.`, { file });
    }
  }
}
