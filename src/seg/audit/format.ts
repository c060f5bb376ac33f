// Findings as text for the command line: the most serious first, each with its numbers and what to
// do, then a one-line legend of the ids that fired. No colours: the output goes to logs and files.
import { CHECKS } from '../checks.ts';
import type { CheckId } from '../checks.ts';
import type { Finding, Severity } from './types.ts';
import { listNames, sortFindings } from './types.ts';

const LABEL: Record<Severity, string> = { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' };

/** Wraps `text` at `width` columns, every line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

export interface FormatOptions {
  /** Line width for wrapping (default 100). */
  width?: number;
  /** Files listed under a finding that groups data problems (default 8; inspect lists all). */
  perFile?: number;
  /** The first line's label (default "Audit"). */
  heading?: string;
  /** Print the legend of finding ids at the end (default true). */
  legend?: boolean;
}

export function formatFindings(findings: readonly Finding[], opts: FormatOptions = {}): string {
  const width = opts.width ?? 100;
  if (findings.length === 0) return 'Audit: no findings. None of the checks that had their inputs found a way the numbers could mislead.';
  const sorted = sortFindings(findings);
  const counts = (['critical', 'warning', 'info'] as Severity[]).map((s) => [s, sorted.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const out: string[] = [`${opts.heading ?? 'Audit'}: ${sorted.length} finding(s): ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}.`, ''];
  for (const f of sorted) {
    out.push(`${LABEL[f.severity]} [${f.id}] ${f.title}`);
    out.push(`    ${wrap(f.message, width - 4, '    ')}`);
    if (f.files?.length) out.push(`    ${f.files.length === 1 ? 'file' : 'files'}: ${wrap(listNames(f.files, 8), width - 11, '           ')}`);
    if (f.images.length > 0) out.push(`    images: ${wrap(listNames(f.images, 8), width - 12, '            ')}`);
    // Data problems grouped into one finding (mask damage): each file's own sentence.
    if (f.files?.length && f.perImage?.length) {
      const shown = f.perImage.slice(0, opts.perFile ?? 8);
      for (const p of shown) out.push(`      ${wrap(`${p.evidence.mask ?? p.image}: ${p.evidence.message ?? ''}`, width - 6, '        ')}`);
      if (shown.length < f.perImage.length) out.push(`      ... and ${f.perImage.length - shown.length} more`);
    }
    out.push(`    -> ${wrap(f.action, width - 7, '       ')}`);
    out.push('');
  }
  if (opts.legend ?? true) {
    const ids: CheckId[] = [...new Set(sorted.map((f) => f.id))];
    out.push('What the ids mean:');
    for (const id of ids) out.push(`  ${wrap(`${id}: ${CHECKS[id]}`, width - 2, '    ')}`);
  }
  return out.join('\n');
}
