// A data problem (one file's fault, src/seg/problems.ts) shown as a finding, so that inspect, the
// training gate and the app give the user one list: the problem's code is the finding's id (one
// catalogue, src/seg/checks.ts), an error is critical (it blocks training), a warning a warning.
// Mask problems the audit groups (values in no class, interpolated or lossy masks) become one
// finding per kind through maskFindings instead, masks with the most damage first.
import { PROBLEM_TITLES } from '../checks.ts';
import type { Problem } from '../problems.ts';
import { maskFindings } from './masks.ts';
import type { Evidence, Finding } from './types.ts';
import { num } from './types.ts';

/** The numbers and short strings of a problem's details (lists and objects are left to the message). */
function evidenceOf(details: Problem['details']): Evidence {
  const out: Evidence = {};
  for (const [k, v] of Object.entries(details ?? {})) {
    if (typeof v === 'number') out[k] = num(v);
    else if (typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/** One problem as a finding about its file (and the image that file belongs to, when known). */
export function problemFinding(p: Problem, image: string | null): Finding {
  return {
    id: p.code,
    severity: p.severity === 'error' ? 'critical' : 'warning',
    title: PROBLEM_TITLES[p.code],
    message: p.message,
    evidence: evidenceOf(p.details),
    images: image === null ? [] : [image],
    files: [p.file],
    action: p.hint,
  };
}

const GROUPED = new Set<string>(['mask-unknown-values', 'mask-interpolated', 'lossy-mask']);

/**
 * Problems as findings: mask damage grouped per kind and severity (an error-level group blocks
 * training, a warning-level one does not), every other problem one finding about its file.
 * `pairs` names each mask's image; `imageOf` the image a file belongs to.
 */
export function problemFindings(
  problems: readonly Problem[],
  pairs: readonly { name: string; mask: string }[],
  unreadable: readonly string[],
  imageOf: (file: string) => string | null,
): Finding[] {
  const out: Finding[] = [];
  for (const severity of ['error', 'warning'] as const) {
    const own = problems.filter((p) => GROUPED.has(p.code) && p.severity === severity);
    // maskFindings marks a group critical when it holds an error: one group per severity keeps
    // the warnings out of what blocks.
    if (own.length) out.push(...maskFindings({ problems: own, pairs, unreadable }));
  }
  for (const p of problems) if (!GROUPED.has(p.code)) out.push(problemFinding(p, imageOf(p.file)));
  return out;
}
