// A Finding is one way the user's numbers can mislead them, found in the data, the split, the
// training history or the predictions. Ids are stable: the CLI's --json, the report and the app key
// on them, and tests assert them. Several findings may share an id when they concern different
// classes or splits (one `small-objects-missed` per class); findings about many images of one kind
// are one finding with the images listed worst first. A data problem of one file (an unreadable
// image, a size mismatch: src/seg/problems.ts) is shown as a finding too, with its file in `files`
// (problem-findings.ts), so that every list the user reads is one list of findings.

export type Severity = 'critical' | 'warning' | 'info';

/** Display and sort order: the most serious first. */
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'warning', 'info'];

import { CHECKS, FINDING_IDS } from '../checks.ts';
import type { CheckId } from '../checks.ts';

export { FINDING_IDS };

/** The ids of the audit's own checks. */
export type FindingId = keyof typeof FINDING_IDS;

export const ALL_FINDING_IDS = Object.keys(FINDING_IDS) as FindingId[];

/** A named number (NaN/undefined as null), or a short string such as a class or image name. */
export type EvidenceValue = number | string | boolean | null;
export type Evidence = Record<string, EvidenceValue>;

export interface Finding {
  /** An audit check, or the check of a data problem shown as a finding (one catalogue: checks.ts). */
  id: CheckId;
  severity: Severity;
  /** A few words, e.g. "Score dominated by the background". */
  title: string;
  /** What is wrong, with the numbers. */
  message: string;
  /** The numbers behind the message, by name (machine-readable; NaN written as null). */
  evidence: Evidence;
  /** Images concerned, worst first where a ranking applies; empty when the finding is global. */
  images: string[];
  /** What to do about it. */
  action: string;
  /** Per-image evidence for findings about several images, in the order of `images`. */
  perImage?: { image: string; evidence: Evidence }[];
  /** Files concerned (relative to the project where possible): a data problem's file. */
  files?: string[];
}

/** NaN and infinities become null so that evidence survives JSON unchanged. */
export function num(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

/** A figure for messages: 3 decimals, "n/a" when undefined. */
export function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits);
}

/** A share for messages: "12.3 %". */
export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(Math.abs(x) < 0.01 ? 2 : 1)} %`;
}

/** At most `max` names, then "and N more". */
export function listNames(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

const CHECK_ORDER = Object.keys(CHECKS) as CheckId[];

/** Findings sorted by severity (critical first), then by id order of the catalogue (checks.ts); stable otherwise. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => SEVERITY_ORDER.indexOf(f.severity);
  const idRank = (f: Finding) => CHECK_ORDER.indexOf(f.id);
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || idRank(a.f) - idRank(b.f) || a.i - b.i)
    .map((x) => x.f);
}
