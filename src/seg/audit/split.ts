// Split findings: the split module already detects missing classes, imbalance and leakage and
// reports them as Problems (src/seg/split/report.ts, manifest.ts); this maps them to findings
// without re-deciding anything. Severity: a class missing from train, and any leak across splits,
// are critical (the model cannot learn the class / the held-out score is inflated); a class
// missing from val or test, an imbalance and shares the groups could not give are warnings;
// duplicates kept together inside one split leak nothing and are info.
import type { Problem } from '../problems.ts';
import type { Evidence, EvidenceValue, Finding } from './types.ts';
import { listNames } from './types.ts';

const SPLIT_CODES = new Set(['class-missing-in-split', 'split-imbalance', 'split-leakage', 'split-share-unmet']);

function evidenceOf(details: Record<string, unknown> | undefined): Evidence {
  const out: Evidence = {};
  for (const [k, v] of Object.entries(details ?? {})) {
    if (typeof v === 'number') out[k] = Number.isFinite(v) ? v : null;
    else if (typeof v === 'string' || typeof v === 'boolean' || v === null) out[k] = v as EvidenceValue;
  }
  return out;
}

function missingOrImbalance(p: Problem): Finding {
  const ev = evidenceOf(p.details);
  if (p.code === 'split-share-unmet') {
    return { id: 'split-share-unmet', severity: 'warning', title: 'The split could not give the requested shares', message: p.message, evidence: ev, images: [], action: p.hint };
  }
  if (p.code === 'class-missing-in-split') {
    const inTrain = ev.split === 'train';
    return {
      id: 'class-missing-in-split',
      severity: inTrain ? 'critical' : 'warning',
      title: `Class "${ev.class ?? '?'}" missing from ${ev.split ?? 'a split'}`,
      message: p.message,
      evidence: ev,
      images: [],
      action: p.hint,
    };
  }
  return {
    id: 'split-imbalance',
    severity: 'warning',
    title: `Class "${ev.class ?? '?'}" imbalanced between train and ${ev.split ?? 'a held-out split'}`,
    message: p.message,
    evidence: ev,
    images: [],
    action: p.hint,
  };
}

/** Names a leak concerns: the two images of a duplicate pair, or the images of a cut group. */
function leakImages(p: Problem): string[] {
  const d = p.details ?? {};
  if (typeof d.a === 'string' && typeof d.b === 'string') return [d.a, d.b];
  const splits = d.splits;
  if (splits && typeof splits === 'object') return Object.values(splits as Record<string, unknown>).flatMap((v) => (Array.isArray(v) ? v.map(String) : []));
  return [p.file];
}

function leakage(problems: Problem[], across: boolean): Finding | undefined {
  if (problems.length === 0) return undefined;
  const images = [...new Set(problems.flatMap(leakImages))];
  const exact = problems.filter((p) => p.details?.kind === 'exact').length;
  const aligned = problems.filter((p) => p.details?.kind === 'aligned').length;
  const groups = problems.filter((p) => typeof p.details?.group === 'string').length;
  const shown = problems.slice(0, 5).map((p) => p.message);
  return {
    id: 'split-leakage',
    severity: across ? 'critical' : 'info',
    title: across ? 'Duplicate images on both sides of the split' : 'Duplicate images kept together in one split',
    message: `${problems.length} ${across ? 'leak(s) across splits' : 'duplicate pair(s) inside one split'}: ${shown.join(' ')}${problems.length > 5 ? ` And ${problems.length - 5} more.` : ''}`,
    evidence: { pairs: problems.length - groups, exactPairs: exact, nearPairs: problems.length - groups - exact - aligned, alignedPairs: aligned, cutGroups: groups, acrossSplits: across },
    images,
    perImage: problems.map((p) => ({ image: leakImages(p)[0], evidence: evidenceOf(p.details) })),
    action: across
      ? `${problems[0].hint} Until then the held-out score of ${listNames(images, 4)} is not independent of training.`
      : 'Nothing leaks. If a copy is unintended, remove it from the project: it counts twice in training.',
  };
}

/**
 * Findings from the split's problems: a SplitReport's `warnings`, a ManifestCheck's `problems`, or
 * any list of Problems (other codes are ignored).
 */
export function splitFindings(problems: readonly Problem[]): Finding[] {
  const relevant = problems.filter((p) => SPLIT_CODES.has(p.code));
  const out = relevant.filter((p) => p.code !== 'split-leakage').map(missingOrImbalance);
  const leaks = relevant.filter((p) => p.code === 'split-leakage');
  const across = leakage(
    leaks.filter((p) => p.severity === 'error'),
    true,
  );
  const inside = leakage(
    leaks.filter((p) => p.severity !== 'error'),
    false,
  );
  for (const f of [across, inside]) if (f) out.push(f);
  return out;
}
