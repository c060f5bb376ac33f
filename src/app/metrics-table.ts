// The per-image x per-class table of a run: each stored prediction against the image's current
// mask, through src/seg/metrics (the same counts and NaN policy as `seglens eval` and training),
// with the audit's findings on the same predictions (src/seg/audit, as `seglens eval --audit` and
// the report): the app displays them and judges nothing itself.
import { existsSync } from 'node:fs';
import type { MetricsTableResult, SplitName } from '../api/index.ts';
import { LOOKS_GOOD, POOR_FOREGROUND_DICE, PredictionChecks, inclusiveScore, runAudit } from '../seg/audit/index.ts';
import { readRawMask } from '../seg/image-io.ts';
import { labelsFromRaw } from '../seg/masks.ts';
import { Accumulator, POLICY_NAMES, toJSONSafe } from '../seg/metrics/index.ts';
import { toWireFinding } from './findings.ts';
import { readCurrentLabels, shownPath } from './mask-source.ts';
import type { OpenProject } from './open-project.ts';
import { predictionFile, runDir } from './run-files.ts';
import { confined } from './confine.ts';

const n = (v: number) => (Number.isFinite(v) ? v : null);

export async function metricsTable(p: OpenProject, runId: string, split?: SplitName): Promise<MetricsTableResult> {
  const dir = runDir(p, runId);
  const table = p.ds.project.classes;
  const acc = new Accumulator(table);
  const checks = new PredictionChecks(table);
  const rows: MetricsTableResult['rows'] = [];
  for (const rec of p.images) {
    const s = p.splitOf.get(rec.name) ?? null;
    if (split && s !== split) continue;
    const file = predictionFile(dir, rec);
    if (!existsSync(file)) continue;
    const { mask, labels: gt } = await readCurrentLabels(p, rec);
    if (mask.source === 'none') continue;
    const shown = shownPath(p, file);
    const pred = labelsFromRaw(await readRawMask(await confined(file, p.roots, shown)), table, shown).labels;
    const r = acc.add(rec.name, gt, pred);
    checks.add(rec.name, gt, pred);
    rows.push({
      name: rec.name,
      split: s,
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
      inclusiveScore: n(inclusiveScore(r)),
    });
  }
  const res = acc.result();
  const findings = rows.length ? runAudit({ eval: res, predictions: checks.result() }) : [];
  return {
    runId,
    classes: p.classes,
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
