// Starting a run from another run's weights (`seglens train PROJECT --from RUN`, the app's "train
// from this run" and "fine-tune now"): Cellpose 2.0's loop of correcting a few predictions and
// training on for minutes instead of from scratch.
//
// - The model is the parent's (same architecture; its best checkpoint's weights). Its input
//   channels and normalisation must be the project's: a model fed differently scaled images would
//   start from weights that mean nothing for them, so that is refused, saying what differs.
// - Same classes (names, in order): every weight is kept. Other classes: a new head, said so: the
//   1x1 'logits' convolution is rebuilt for the project's classes; the weights of classes found in
//   both tables (by name) are carried over, the others start from the seeded initialisation.
// - Settings: the parent's (patch, loss, augmentation, tiling, epoch size), with a learning rate a
//   tenth of the parent's and a short schedule (10 epochs, patience 4) unless the caller sets them;
//   Adam starts afresh. The split is the parent's (split.ts: `inherit`), new annotations training.
import { ConfigError } from '../../seg/errors.ts';
import type { SplitManifest } from '../../seg/split/index.ts';
import type { ModelMeta, UNetConfig } from '../model/config.ts';
import { LOGITS_LAYER, buildUNet } from '../model/unet.ts';
import { serializeWeights } from '../model/weights.ts';
import type { SerializedWeights } from '../model/weights.ts';
import { readModelWeights } from '../predict/model-io.ts';
import { parseTrainConfig } from './config.ts';
import type { TrainConfig, TrainConfigInput } from './config.ts';
import { RunFolder } from './run-folder.ts';

/** What a fine-tuning run changes by default (the caller's settings win). */
export const FINE_TUNE_DEFAULTS = { lrFactor: 0.1, epochs: 10, patience: 4 } as const;

export interface ParentRun {
  run: RunFolder;
  config: TrainConfig;
  meta: ModelMeta;
  weights: SerializedWeights;
  manifest: SplitManifest;
  /** The parent's best epoch (its best/ checkpoint), when recorded. */
  epoch: number | null;
}

/** Lineage as run.json records it (`parent`) and the started event reports it. */
export interface Lineage {
  runId: string;
  /** Absolute folder of the parent run. */
  dir: string;
  /** The parent's epoch whose weights were taken (its best). */
  epoch: number | null;
  /** `kept`: same classes, every weight; `new`: the head rebuilt for other classes. */
  head: 'kept' | 'new';
  kept: string[];
  added: string[];
  dropped: string[];
  lr: number;
}

export async function readParentRun(ref: string, runsDir: string): Promise<ParentRun> {
  const run = RunFolder.open(ref, runsDir);
  const { info, weights } = await readModelWeights(run.dir).catch((e: Error) => {
    throw new ConfigError(`Cannot fine-tune from ${run.dir}: ${e.message}`, { run: run.dir });
  });
  const config = await run.readConfig();
  const manifest = await run.readSplit();
  const runInfo = await run.readInfo().catch(() => null);
  return { run, config, meta: info.meta, weights, manifest, epoch: runInfo?.bestEpoch ?? null };
}

/** The parent's settings with the fine-tuning defaults, then the caller's; the model stays the parent's. */
export function fineTuneConfig(parent: TrainConfig, given: TrainConfigInput = {}): TrainConfig {
  if (given.model && JSON.stringify(parseTrainConfig({ model: given.model }).model) !== JSON.stringify(parent.model)) {
    throw new ConfigError('A run started from another run keeps that run\'s network (depth, filters, head): leave the model settings out, or train from scratch.', { model: given.model });
  }
  const base: TrainConfigInput = {
    ...parent,
    epochs: FINE_TUNE_DEFAULTS.epochs,
    maxMinutes: null,
    optimizer: { ...parent.optimizer, lr: parent.optimizer.lr * FINE_TUNE_DEFAULTS.lrFactor },
    earlyStopping: { ...parent.earlyStopping, patience: Math.min(parent.earlyStopping.patience, FINE_TUNE_DEFAULTS.patience) },
  };
  return parseTrainConfig({
    ...base,
    ...given,
    model: parent.model,
    optimizer: { ...base.optimizer, ...(given.optimizer ?? {}) },
    earlyStopping: { ...base.earlyStopping, ...(given.earlyStopping ?? {}) },
    schedule: { ...parent.schedule, ...(given.schedule ?? {}) },
    ...(given.seeds ? { seeds: { ...parent.seeds, ...given.seeds } } : {}),
  }, 'fine-tuning settings');
}

/**
 * The weights a fine-tuning run starts with for `unet` (the project's classes), and its lineage.
 * Refuses a parent whose input channels or normalisation differ from the project's.
 */
export function startingWeights(parent: ParentRun, unet: UNetConfig, meta: ModelMeta, lr: number): { weights: SerializedWeights; lineage: Lineage } {
  const p = parent.meta;
  const where = parent.run.dir;
  if (p.config.inputChannels !== unet.inputChannels) {
    throw new ConfigError(`The run ${where} was trained on ${p.config.inputChannels === 1 ? 'grey' : 'RGB'} images but this project's are ${unet.inputChannels === 1 ? 'grey' : 'RGB'}: it cannot be fine-tuned on them. Train from scratch.`, { run: where });
  }
  if (JSON.stringify(p.normalization) !== JSON.stringify(meta.normalization)) {
    throw new ConfigError(
      `The run ${where} normalised its images as ${JSON.stringify(p.normalization)} but this project says ${JSON.stringify(meta.normalization)}. ` +
        'Set "normalization" in seglens.json to the run\'s to fine-tune it, or train from scratch.',
      { run: where },
    );
  }
  const before = p.classTable.classes.map((c) => c.name);
  const now = meta.classTable.classes.map((c) => c.name);
  const base = { runId: parent.run.id, dir: where, epoch: parent.epoch, lr };
  if (before.join('\u0000') === now.join('\u0000') && p.config.head === unet.head) {
    return { weights: parent.weights, lineage: { ...base, head: 'kept', kept: now, added: [], dropped: [] } };
  }
  // A new head: the seeded initialisation for the project's classes, then every weight the two
  // models share copied from the parent (the whole network but the 1x1 logits convolution), and
  // the logits' columns of the classes both tables have.
  const fresh = buildUNet(unet);
  let init: SerializedWeights;
  try {
    init = serializeWeights(fresh);
  } finally {
    fresh.dispose();
  }
  const floats = (w: SerializedWeights) => new Float32Array(w.data.buffer.slice(w.data.byteOffset, w.data.byteOffset + w.data.byteLength));
  const from = floats(parent.weights);
  const to = floats(init);
  const offsets = (w: SerializedWeights) => {
    const m = new Map<string, { at: number; shape: number[] }>();
    let at = 0;
    for (const s of w.specs) {
      m.set(s.name, { at, shape: s.shape });
      at += s.shape.reduce((a, b) => a * b, 1);
    }
    return m;
  };
  const src = offsets(parent.weights);
  const dst = offsets(init);
  const f0 = unet.baseFilters;
  const K = now.length;
  const Kp = before.length;
  for (const [name, d] of dst) {
    const s = src.get(name);
    if (!s) throw new ConfigError(`The run ${where} has no weight "${name}": its network differs from the one it is said to be.`, { run: where });
    if (name === `${LOGITS_LAYER}/kernel`) {
      // [1, 1, f0, K]: column k of every input channel.
      now.forEach((c, k) => {
        const j = before.indexOf(c);
        if (j >= 0) for (let i = 0; i < f0; i++) to[d.at + i * K + k] = from[s.at + i * Kp + j];
      });
    } else if (name === `${LOGITS_LAYER}/bias`) {
      now.forEach((c, k) => {
        const j = before.indexOf(c);
        if (j >= 0) to[d.at + k] = from[s.at + j];
      });
    } else {
      if (s.shape.join('x') !== d.shape.join('x')) throw new ConfigError(`Weight "${name}" of ${where} has shape [${s.shape}], the project's model needs [${d.shape}].`, { run: where });
      to.set(from.subarray(s.at, s.at + s.shape.reduce((a, b) => a * b, 1)), d.at);
    }
  }
  return {
    weights: { specs: init.specs, data: new Uint8Array(to.buffer) },
    lineage: { ...base, head: 'new', kept: now.filter((c) => before.includes(c)), added: now.filter((c) => !before.includes(c)), dropped: before.filter((c) => !now.includes(c)) },
  };
}
