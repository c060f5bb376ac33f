// Runs of the open project, read through src/train's run-folder modules: run.json (leniently, so a
// run the trainer is still writing, or an older one, still lists with what it has), metrics.jsonl,
// the split the run used and its stored predictions.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EpochRecordSchema } from '../api/index.ts';
import type { EpochRecord as WireEpoch, RunDetail, RunSummary } from '../api/index.ts';
import type { EpochRecord } from '../seg/history.ts';
import { toJSONSafe } from '../seg/metrics/index.ts';
import type { JsonSafe } from '../seg/metrics/index.ts';
import type { SplitManifest, SplitName } from '../seg/split/index.ts';
import { inspectModel } from '../train/predict/model-files.ts';
import { checkpointDir } from '../train/trainer/checkpoint.ts';
import { RUN_FILES, RunFolder } from '../train/trainer/run-folder.ts';
import type { ThresholdsFile } from '../train/trainer/run-folder.ts';
import { predictedStems } from '../train/trainer/run-outputs.ts';
import type { OpenProject } from './open-project.ts';
import { runDir, runsDir } from './run-files.ts';
import type { Same } from './same-type.ts';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const END = ['finished', 'stopped', 'diverged', 'time-limit', 'failed'] as const satisfies readonly RunSummary['status'][];

/** metrics.jsonl, or [] when it is absent or cannot be read (the listing shows what it can). */
export async function readHistory(dir: string): Promise<EpochRecord[]> {
  try {
    return await new RunFolder(dir).readHistory();
  } catch {
    return [];
  }
}

// src/seg's EpochRecord (metrics.jsonl; NaN = undefined) and the contract's (null = undefined) are
// one shape: the same fields at every depth, numbers or not, checked at compile time. Which numbers
// may be undefined (null) is the contract's to say: each record is checked against its schema.
const sameEpochShape: Same<JsonSafe<EpochRecord>, JsonSafe<WireEpoch>> = true;
void sameEpochShape;

/** One epoch record as the contract carries it (NaN -> null), checked against the contract. */
export function wireEpoch(r: EpochRecord): WireEpoch {
  return EpochRecordSchema.parse(toJSONSafe(r));
}

/** Epoch records as the contract carries them (NaN -> null). */
export function wireHistory(h: EpochRecord[]): WireEpoch[] {
  return h.map(wireEpoch);
}

/** Image name -> split side, from the run's own split.json (empty when it has none). */
export function splitMap(m: SplitManifest | null): Map<string, SplitName> {
  const out = new Map<string, SplitName>();
  if (m) for (const s of ['train', 'val', 'test'] as const) for (const n of m[s]) out.set(n, s);
  return out;
}

export async function runSplit(dir: string): Promise<SplitManifest | null> {
  return new RunFolder(dir).readSplitLoose();
}

export async function runSummary(runId: string, dir: string, live: ReadonlySet<string>): Promise<RunSummary> {
  const run = new RunFolder(dir);
  const info = await run.readInfoLoose();
  const history = await readHistory(dir);
  const split = await run.readSplitLoose();
  const recorded = info.status ?? 'unknown';
  // A run recorded as running with no job in this engine was interrupted (the process died).
  const status: RunSummary['status'] = live.has(runId) ? 'running' : (END.find((e) => e === recorded) ?? 'unknown');
  const session = info.sessions?.at(-1)?.backend;
  const best = info.bestValue === undefined ? null : info.bestValue;
  return {
    runId,
    createdAt: info.created ?? null,
    status,
    epochs: history.length,
    bestEpoch: info.bestEpoch && info.bestEpoch >= 1 ? info.bestEpoch : null,
    best: info.monitor ? { name: info.monitor, value: best !== null && Number.isFinite(best) ? best : null } : null,
    backend: session?.name ? { name: session.name, reason: session.reason ?? '' } : null,
    predictions: (await predictedStems(dir)).size,
    canResume: existsSync(join(dir, RUN_FILES.last)) && !live.has(runId),
    hasBest: existsSync(join(dir, RUN_FILES.best)) || existsSync(join(dir, `${RUN_FILES.best}.old`)),
    split: split ? { train: split.train.length, val: split.val.length, test: split.test.length } : null,
  };
}

export async function listRunIds(p: OpenProject): Promise<string[]> {
  const dir = runsDir(p);
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && RUN_ID.test(e.name) && (existsSync(join(dir, e.name, RUN_FILES.config)) || existsSync(join(dir, e.name, RUN_FILES.run))))
    .map((e) => e.name)
    .sort()
    .reverse();
}

export async function listRuns(p: OpenProject, live: ReadonlySet<string>): Promise<RunSummary[]> {
  const ids = await listRunIds(p);
  return Promise.all(ids.map((id) => runSummary(id, join(runsDir(p), id), live)));
}

export async function runDetail(p: OpenProject, runId: string, live: ReadonlySet<string>): Promise<RunDetail> {
  const dir = runDir(p, runId);
  const folder = new RunFolder(dir);
  const config = await folder.readConfigLoose();
  const th = await folder.readThresholdsLoose();
  return {
    summary: await runSummary(runId, dir, live),
    history: wireHistory(await readHistory(dir)),
    config: config ? (toJSONSafe(config) as Record<string, unknown>) : null,
    ...(th ? { thresholds: { epoch: th.epoch, rule: th.rule, ruleText: th.ruleText, applied: await appliedThresholds(dir, th), classes: th.classes } } : {}),
  };
}

/** The thresholds the best weights apply (model.json), else the validation's choice. */
async function appliedThresholds(dir: string, th: ThresholdsFile): Promise<{ rule: string; values: number[] }> {
  const best = checkpointDir(dir, RUN_FILES.best);
  const meta = best ? await inspectModel(best).then((i) => i.meta, () => null) : null;
  return meta?.thresholds ? { rule: meta.thresholds.rule, values: [...meta.thresholds.values] } : { rule: th.rule, values: th.classes.map((c) => c.threshold) };
}
