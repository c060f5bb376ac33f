// Findings as text for the command line: the most serious first, each with its numbers and what to
// do, then a one-line legend of the ids that fired. No colours: the output goes to logs and files.
import type { Finding, FindingId, Severity } from './types.ts';
import { FINDING_IDS, listNames, sortFindings } from './types.ts';

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
  /** Print the legend of finding ids at the end (default true). */
  legend?: boolean;
}

export function formatFindings(findings: readonly Finding[], opts: FormatOptions = {}): string {
  const width = opts.width ?? 100;
  if (findings.length === 0) return 'Audit: no findings. None of the checks that had their inputs found a way the numbers could mislead.';
  const sorted = sortFindings(findings);
  const counts = (['critical', 'warning', 'info'] as Severity[]).map((s) => [s, sorted.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const out: string[] = [`Audit: ${sorted.length} finding(s): ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}.`, ''];
  for (const f of sorted) {
    out.push(`${LABEL[f.severity]} [${f.id}] ${f.title}`);
    out.push(`    ${wrap(f.message, width - 4, '    ')}`);
    if (f.images.length > 0) out.push(`    images: ${wrap(listNames(f.images, 8), width - 12, '            ')}`);
    out.push(`    -> ${wrap(f.action, width - 7, '       ')}`);
    out.push('');
  }
  if (opts.legend ?? true) {
    const ids = [...new Set(sorted.map((f) => f.id))] as FindingId[];
    out.push('What the ids mean:');
    for (const id of ids) out.push(`  ${wrap(`${id}: ${FINDING_IDS[id]}`, width - 2, '    ')}`);
  }
  return out.join('\n');
}
