// The per-image x per-class table of a run: each stored prediction against the image's current
// mask, through src/seg/metrics (the same counts and NaN policy as `seglens eval` and training),
// each row with the audit's verdict on it (deceptive or not, the class at fault), and the audit's
// findings on the same predictions (src/seg/audit, as `seglens eval --audit` and the report): the
// app displays them and judges nothing itself. Sides come from the split the run trained on (its
// split.json), else from the project's manifest, so that the validation headline here is the
// figure training recorded for the best epoch.
import { existsSync } from 'node:fs';
import type { ImageMetricsResult, MetricRow, MetricsScope, MetricsTableResult, SplitName } from '../api/index.ts';
import { LOOKS_GOOD, POOR_FOREGROUND_DICE, PredictionChecks, imageVerdict, runAudit } from '../seg/audit/index.ts';
import type { ClassTable } from '../seg/classes.ts';
import { readRawMask } from '../seg/image-io.ts';
import { labelsFromRaw } from '../seg/masks.ts';
import { Accumulator, MultiLabelAccumulator, POLICY_NAMES, toJSONSafe } from '../seg/metrics/index.ts';
import type { EvalResult, ImageResult } from '../seg/metrics/index.ts';
import type { Finding } from '../seg/audit/index.ts';
import { backgroundId } from '../seg/classes.ts';
import { readPairLabels } from '../seg/dataset/index.ts';
import { basename, join } from 'node:path';
import { predictedStems, predictionFile, predictionStem, predictionsDir } from '../train/trainer/run-outputs.ts';
import { toWireFinding } from './findings.ts';
import { confined } from './confine.ts';
import { readCurrentLabels, shownPath } from './mask-source.ts';
import type { ImageRecord, OpenProject } from './open-project.ts';
import { runDir } from './run-files.ts';
import { runSplit, splitMap } from './runs.ts';

const n = (v: number) => (Number.isFinite(v) ? v : null);

/** Side of each image for run `dir`: its own split, else the project's manifest. */
export async function runSides(p: OpenProject, dir: string): Promise<{ sides: Map<string, SplitName>; source: MetricsScope['splitSource'] }> {
  const own = splitMap(await runSplit(dir));
  if (own.size) return { sides: own, source: 'run' };
  return { sides: p.splitOf, source: p.splitOf.size ? 'project' : null };
}

function row(name: string, split: SplitName | null, r: ImageResult, table: ClassTable): MetricRow {
  const v = imageVerdict(r, table.background);
  return {
    name,
    split,
    cells: r.classes.map((c) => ({
      dice: n(c.dice),
      iou: n(c.iou),
      precision: n(c.precision),
      recall: n(c.recall),
      tp: c.tp,
      fp: c.fp,
      fn: c.fn,
      gtPixels: c.gtPixels,
      predPixels: c.predPixels,
    })),
    meanForegroundDice: n(r.meanForegroundDice),
    meanDiceWithBackground: n(r.meanDiceWithBackground),
    pixelAccuracy: n(r.pixelAccuracy),
    allBackgroundAccuracy: n(r.allBackgroundAccuracy),
    inclusiveScore: n(v.inclusive),
    deceptive: v.deceptive,
    fault: v.fault ? { classId: v.fault.id, dice: n(v.fault.dice), kind: v.fault.kind } : null,
  };
}

/** Scores one image into `acc` (and the audit's prediction checks); null (with why) when it has no mask or no current prediction. */
async function scoreImage(
  p: OpenProject,
  dir: string,
  rec: ImageRecord,
  stems: ReadonlySet<string>,
  acc: Accumulator,
  checks?: PredictionChecks,
): Promise<{ result: ImageResult } | { skip: 'unpredicted' | 'unannotated' }> {
  const file = predictionFile(dir, rec.image);
  if (!stems.has(predictionStem(rec.image)) || !existsSync(file)) return { skip: 'unpredicted' };
  const { mask, labels: gt } = await readCurrentLabels(p, rec);
  if (mask.source === 'none') return { skip: 'unannotated' };
  const shown = shownPath(p, file);
  const pred = labelsFromRaw(await readRawMask(await confined(file, p.roots, shown)), p.ds.project.classes, shown).labels;
  checks?.add(rec.name, gt, pred);
  return { result: acc.add(rec.name, gt, pred) };
}

export async function metricsTable(p: OpenProject, runId: string, split?: SplitName): Promise<MetricsTableResult> {
  const dir = runDir(p, runId);
  const table = p.ds.project.classes;
  const { sides, source } = await runSides(p, dir);
  const stems = await predictedStems(dir);
  if (p.ds.project.overlapping) return overlapTable(p, dir, runId, split, sides, source, stems);
  const acc = new Accumulator(table);
  const checks = new PredictionChecks(table);
  const rows: MetricRow[] = [];
  const scope: MetricsScope = { split: split ?? null, splitSource: source, scored: 0, unpredicted: [], unannotated: 0, excluded: 0 };
  for (const { rec, side: s } of inScope(p, sides, split, scope)) {
    const scored = await scoreImage(p, dir, rec, stems, acc, checks);
    if ('skip' in scored) {
      if (scored.skip === 'unannotated') scope.unannotated++;
      // Without a split, an image never predicted is simply not part of "every image with a prediction".
      else if (split) scope.unpredicted.push(rec.name);
      continue;
    }
    rows.push(row(rec.name, s, scored.result, table));
  }
  scope.scored = rows.length;
  const res = acc.result();
  const findings = rows.length ? runAudit({ eval: res, predictions: checks.result() }) : [];
  return tableResult(p, runId, scope, rows, res, findings);
}

/** The project's images on the asked side of the split, excluded ones counted in `scope` and left out. */
function* inScope(p: OpenProject, sides: ReadonlyMap<string, SplitName>, split: SplitName | undefined, scope: MetricsScope): Generator<{ rec: ImageRecord; side: SplitName | null }> {
  for (const rec of p.images) {
    const side = sides.get(rec.name) ?? null;
    if (split && side !== split) continue;
    if (p.ds.excluded.has(rec.name)) {
      scope.excluded++;
      continue;
    }
    yield { rec, side };
  }
}

function tableResult(p: OpenProject, runId: string, scope: MetricsScope, rows: MetricRow[], res: EvalResult, findings: Finding[]): MetricsTableResult {
  return {
    runId,
    classes: p.classes,
    scope,
    rows,
    summary: {
      classes: res.classes.map((c) => ({
        id: c.id,
        dice: n(c.dice),
        iou: n(c.iou),
        precision: n(c.precision),
        recall: n(c.recall),
        diceImageMean: n(c.diceImageMean),
        validImages: c.validImages,
      })),
      meanForegroundDice: n(res.meanForegroundDice),
      meanDiceWithBackground: n(res.meanDiceWithBackground),
      channelSummedDice: n(res.channelSummedDice),
      pixelAccuracy: n(res.pixelAccuracy),
      baseline: toJSONSafe({
        meanForegroundDice: res.baseline.meanForegroundDice,
        meanDiceWithBackground: res.baseline.meanDiceWithBackground,
        pixelAccuracy: res.baseline.pixelAccuracy,
      }),
    },
    policy: Object.entries(POLICY_NAMES)
      .filter(([k]) => k !== 'version')
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n'),
    findings: findings.map(toWireFinding),
    deceptiveCorner: { looksGood: LOOKS_GOOD, poorForegroundDice: POOR_FOREGROUND_DICE },
  };
}

/** One image's row, for the image view; `note` says why there is none. */
export async function imageMetrics(p: OpenProject, runId: string, rec: ImageRecord): Promise<ImageMetricsResult> {
  const dir = runDir(p, runId);
  const { sides } = await runSides(p, dir);
  if (p.ds.project.overlapping) {
    const one = new MultiLabelAccumulator(p.ds.project.classes, p.ds.project.classes.classes.map(() => 0.5));
    const scored = await scoreOverlap(p, dir, rec, await predictedStems(dir), one);
    if (scored) return { runId, name: rec.name, row: null, note: scored };
    return { runId, name: rec.name, row: row(rec.name, sides.get(rec.name) ?? null, one.result().perImage[0], p.ds.project.classes), note: null };
  }
  const scored = await scoreImage(p, dir, rec, await predictedStems(dir), new Accumulator(p.ds.project.classes));
  if ('skip' in scored) {
    const note = scored.skip === 'unannotated' ? `${rec.name} has no mask yet: there is nothing to score the prediction against.` : `Run ${runId} holds no prediction of ${rec.name}: predict it to see its scores.`;
    return { runId, name: rec.name, row: null, note };
  }
  return { runId, name: rec.name, row: row(rec.name, sides.get(rec.name) ?? null, scored.result, p.ds.project.classes), note: null };
}

/**
 * Overlapping classes: each class scored by its own mask, ground truth from the per-class files and
 * the prediction from the per-class masks stored with it (`predictions/<class>/<stem>.png`, cut at
 * the thresholds the model applied; a pixel in no stored class counts as background). Figures as in
 * the report (src/seg/metrics/multilabel.ts); no AUC here, the stored masks are thresholded.
 */
async function overlapTable(
  p: OpenProject,
  dir: string,
  runId: string,
  split: SplitName | undefined,
  sides: Map<string, SplitName>,
  source: MetricsScope['splitSource'],
  stems: ReadonlySet<string>,
): Promise<MetricsTableResult> {
  const table = p.ds.project.classes;
  const acc = new MultiLabelAccumulator(table, table.classes.map(() => 0.5));
  const scope: MetricsScope = { split: split ?? null, splitSource: source, scored: 0, unpredicted: [], unannotated: 0, excluded: 0 };
  const scored: { name: string; side: SplitName | null }[] = [];
  for (const { rec, side: s } of inScope(p, sides, split, scope)) {
    const skip = await scoreOverlap(p, dir, rec, stems, acc);
    if (skip) {
      if (split) scope.unpredicted.push(rec.name);
      continue;
    }
    scored.push({ name: rec.name, side: s });
  }
  scope.scored = scored.length;
  const res = acc.result();
  const rows = scored.map((x, i) => row(x.name, x.side, res.perImage[i], table));
  return tableResult(p, runId, scope, rows, res, rows.length ? runAudit({ eval: res }) : []);
}

/** Adds one image's class bits to `acc`; returns why it could not (no stored prediction), else null. */
async function scoreOverlap(p: OpenProject, dir: string, rec: ImageRecord, stems: ReadonlySet<string>, acc: MultiLabelAccumulator): Promise<string | null> {
  const stem = predictionStem(rec.image);
  const table = p.ds.project.classes;
  const bg = backgroundId(table);
  const files = table.classes.flatMap((c, id) => (id === bg ? [] : [{ id, file: join(predictionsDir(dir), c.name.replace(/[^A-Za-z0-9._-]+/g, '_'), `${stem}.png`) }]));
  if (!stems.has(stem) || files.some((f) => !existsSync(f.file))) return `Run ${basename(dir)} holds no per-class prediction of ${rec.name}: predict it to see its scores.`;
  const gt = (await readPairLabels(p.ds.project, rec.pair!, (f) => shownPath(p, f))).overlap!.multi;
  const bits = new Uint8Array(gt.data.length);
  for (const f of files) {
    const raw = await readRawMask(await confined(f.file, p.roots, shownPath(p, f.file)));
    for (let i = 0; i < bits.length; i++) if (raw.data[i] !== 0) bits[i] |= 1 << f.id;
  }
  for (let i = 0; i < bits.length; i++) if (bits[i] === 0) bits[i] = 1 << bg;
  acc.addHard(rec.name, gt, { width: gt.width, height: gt.height, data: bits });
  return null;
}
