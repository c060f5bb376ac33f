// report.json: everything the HTML shows, as data. The HTML renderer reads only this (and the
// thumbnails' pixels), so a figure cannot appear in one and not the other. Evaluation results are
// stored exactly as `seglens eval --json` prints them (toJSONSafe of the EvalResult: NaN -> null).
import type { Finding } from '../audit/types.ts';
import { sortFindings } from '../audit/types.ts';
import { backgroundId } from '../classes.ts';
import type { EpochRecord } from '../history.ts';
import { HAND_THRESHOLD_RULE, HAND_THRESHOLD_RULE_TEXT, METRIC_POLICY, POLICY_NAMES, THRESHOLD_RULE, THRESHOLD_RULE_TEXT, toJSONSafe } from '../metrics/index.ts';
import { explainSections } from './explain.ts';
import { DEFAULT_GALLERY_LIMIT, rankGallery } from './gallery.ts';
import type { ReportData, ReportEvaluation, ReportInput, ScopedFinding } from './types.ts';
import { SPLIT_LABELS } from './types.ts';

/** Rows divided by their sums; a row without pixels is all null (undefined, not 0). */
export function normalizeRows(matrix: readonly (readonly number[])[]): (number | null)[][] {
  return matrix.map((row) => {
    const sum = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (sum > 0 ? v / sum : null));
  });
}

/** The epoch whose weights are `best`: the last one marked best (the trainer marks each new best). */
export function bestEpoch(history: readonly EpochRecord[]): number | null {
  let best: number | null = null;
  for (const e of history) if (e.monitor.best) best = e.epoch;
  return best;
}

/** Findings in display order (critical first), each keeping its scope. */
function orderFindings(findings: readonly ScopedFinding[]): ScopedFinding[] {
  const sorted: Finding[] = sortFindings(findings);
  return sorted.map((f) => f as ScopedFinding);
}

export function buildReportData(input: ReportInput): ReportData {
  const table = input.classes;
  const bg = backgroundId(table);
  const auditRan = input.findings !== undefined;
  const findings = orderFindings(input.findings ?? []);
  const limit = input.galleryLimit ?? DEFAULT_GALLERY_LIMIT;

  const evaluations = input.evaluations.map((ev): ReportEvaluation => {
    const deceptive = findings.find((f) => f.id === 'deceptive-images' && f.scope === ev.split);
    const g = rankGallery(ev.result, deceptive, auditRan, limit);
    return {
      split: ev.split,
      label: SPLIT_LABELS[ev.split],
      result: toJSONSafe(ev.result),
      objects: ev.objects ? toJSONSafe(ev.objects) : null,
      confusionNormalized: normalizeRows(ev.result.confusion),
      galleryOrder: g.order,
      gallery: g.entries,
      galleryOmitted: g.omitted,
      deceptive: g.deceptive,
    };
  });

  const history = input.history?.length
    ? {
        epochs: input.history.map((e) => structuredClone(e)),
        bestEpoch: bestEpoch(input.history),
        monitor: input.history[input.history.length - 1].monitor.name,
      }
    : null;

  const firstObjects = input.evaluations.find((e) => e.objects)?.objects;
  const sections = explainSections({
    backgroundClass: table.classes[bg].name,
    checkpoint: input.run?.checkpoint,
    monitor: history?.monitor ?? undefined,
    objects: firstObjects
      ? { connectivity: firstObjects.connectivity, minCoverage: firstObjects.minCoverage, minObjectPixels: firstObjects.minObjectPixels }
      : undefined,
    galleryOrder: auditRan ? 'audit' : 'gap',
    splits: input.evaluations.map((e) => SPLIT_LABELS[e.split].toLowerCase()),
    hasHistory: history !== null,
    hasSplit: input.split !== undefined,
  });

  const count = (s: string) => findings.filter((f) => f.severity === s).length;
  return {
    format: 'seglens-report',
    version: 1,
    title: input.title,
    generated: input.generated,
    classes: table.classes.map((c, id) => ({ id, name: c.name, color: c.color, values: [...c.values], isBackground: id === bg })),
    backgroundClass: table.classes[bg].name,
    ignoreValues: [...table.ignore],
    dataset: input.dataset ? { ...input.dataset } : null,
    split: input.split ? toJSONSafe(input.split) : null,
    run: input.run ? { ...input.run } : null,
    history,
    evaluations,
    audit: { ran: auditRan, checked: auditRan ? [...(input.audited ?? [])] : [], critical: count('critical'), warning: count('warning'), info: count('info') },
    findings: findings.map((f) => toJSONSafe(f) as ScopedFinding),
    explain: { sections, metricPolicy: METRIC_POLICY, policyNames: { ...POLICY_NAMES } },
    ...(input.thresholds
      ? {
          thresholds: {
            rule: input.thresholds.rule,
            ruleText: input.thresholds.rule === THRESHOLD_RULE ? THRESHOLD_RULE_TEXT : input.thresholds.rule === HAND_THRESHOLD_RULE ? HAND_THRESHOLD_RULE_TEXT : 'as recorded with the model',
            classes: table.classes.map((c, k) => ({ name: c.name, threshold: input.thresholds!.values[k] })),
          },
        }
      : {}),
  };
}

/** report.json's text: two-space indented, NaN already null. */
export function reportJson(data: ReportData): string {
  return JSON.stringify(data, null, 2) + '\n';
}
