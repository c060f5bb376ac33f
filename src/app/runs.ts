// Runs of the open project, read from runs/<id>/ (run.json, metrics.jsonl, checkpoints,
// predictions). Read leniently: a run folder the trainer is still writing, or an older one, still
// lists with what it has.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { EpochRecord as WireEpoch, RunDetail, RunSummary } from '../api/index.ts';
import { parseHistory } from '../seg/history.ts';
import type { EpochRecord } from '../seg/history.ts';
import { toJSONSafe } from '../seg/metrics/index.ts';
import type { OpenProject } from './open-project.ts';
import { PREDICTIONS_FOLDER, readJsonOr, runDir, runsDir } from './run-files.ts';
import { readFile } from 'node:fs/promises';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The parts of run.json (src/train/trainer/run-folder.ts) the app shows. */
const RunInfoSchema = z.object({
  created: z.string().optional(),
  status: z.string().optional(),
  bestEpoch: z.number().int().nullable().optional(),
  bestValue: z.number().nullable().optional(),
  monitor: z.string().optional(),
  sessions: z.array(z.object({ backend: z.object({ name: z.string(), reason: z.string() }).partial().optional() }).passthrough()).optional(),
});

const END = new Set(['finished', 'stopped', 'diverged', 'time-limit', 'failed']);

export async function readHistory(dir: string): Promise<EpochRecord[]> {
  const file = join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  try {
    return parseHistory(await readFile(file, 'utf8'), file);
  } catch {
    return [];
  }
}

/** Epoch records as the contract carries them (NaN -> null). */
export function wireHistory(h: EpochRecord[]): WireEpoch[] {
  return toJSONSafe(h) as WireEpoch[];
}

export async function predictionNames(dir: string): Promise<Set<string>> {
  const folder = join(dir, PREDICTIONS_FOLDER);
  if (!existsSync(folder)) return new Set();
  return new Set((await readdir(folder)).filter((f) => f.endsWith('.png')));
}

export async function runSummary(runId: string, dir: string, live: ReadonlySet<string>): Promise<RunSummary> {
  const parsed = RunInfoSchema.safeParse(await readJsonOr(join(dir, 'run.json'), {}));
  const info = parsed.success ? parsed.data : {};
  const history = await readHistory(dir);
  const recorded = info.status ?? 'unknown';
  // A run recorded as running with no job in this engine was interrupted (the process died).
  const status = live.has(runId) ? 'running' : END.has(recorded) ? recorded : 'unknown';
  const session = info.sessions?.at(-1)?.backend;
  const best = info.bestValue === undefined ? null : info.bestValue;
  return {
    runId,
    createdAt: info.created ?? null,
    status: status as RunSummary['status'],
    epochs: history.length,
    bestEpoch: info.bestEpoch && info.bestEpoch >= 1 ? info.bestEpoch : null,
    best: info.monitor ? { name: info.monitor, value: best !== null && Number.isFinite(best) ? best : null } : null,
    backend: session?.name ? { name: session.name, reason: session.reason ?? '' } : null,
    predictions: (await predictionNames(dir)).size,
    canResume: existsSync(join(dir, 'last')) && !live.has(runId),
  };
}

export async function listRunIds(p: OpenProject): Promise<string[]> {
  const dir = runsDir(p);
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && RUN_ID.test(e.name) && (existsSync(join(dir, e.name, 'config.json')) || existsSync(join(dir, e.name, 'run.json'))))
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
  const config = await readJsonOr(join(dir, 'config.json'), null);
  return {
    summary: await runSummary(runId, dir, live),
    history: wireHistory(await readHistory(dir)),
    config: config && typeof config === 'object' && !Array.isArray(config) ? (toJSONSafe(config) as Record<string, unknown>) : null,
  };
}
