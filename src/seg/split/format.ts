// The split report as text for the CLI: one row per class, one column per split with the class's
// share of the split's labelled pixels and, in brackets, the number of images containing it.
import { formatProblem } from '../problems.ts';
import { pct } from './report.ts';
import type { SplitReport, SplitStats } from './report.ts';
import type { SplitName } from './types.ts';

export function formatSplitReport(report: SplitReport): string {
  const cols: [string, SplitStats][] = [['all', report.all]];
  for (const s of ['train', 'val', 'test'] as SplitName[]) {
    if (s !== 'test' || report.splits.test.images > 0 || (report.settings?.test ?? 0) > 0) cols.push([s, report.splits[s]]);
  }
  const cell = (st: SplitStats, c: number) => {
    const f = st.fractions[c];
    return `${f === null ? '-' : pct(f)} (${st.presence[c]})`;
  };
  const rows: string[][] = [['class', ...cols.map(([n]) => n)]];
  report.classNames.forEach((name, c) => rows.push([c === report.background ? `${name} (background)` : name, ...cols.map(([, st]) => cell(st, c))]));
  rows.push(['images', ...cols.map(([, st]) => String(st.images))]);
  rows.push(['mean foreground', ...cols.map(([, st]) => (st.meanForeground === null ? '-' : pct(st.meanForeground)))]);
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)));
  const line = (r: string[]) => r.map((v, k) => (k === 0 ? v.padEnd(widths[k]) : v.padStart(widths[k]))).join('  ');
  const out: string[] = [];
  const st = report.settings;
  if (st) out.push(`Split: seed ${st.seed}, val ${st.val}, test ${st.test}${st.groupPattern ? `, groups by ${st.groupPattern}` : ''}`);
  out.push('Share of labelled pixels per split (images containing the class in brackets):');
  out.push(line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line));
  const exact = report.duplicates.filter((d) => d.kind === 'exact').length;
  const aligned = report.duplicates.filter((d) => d.kind === 'aligned').length;
  const near = report.duplicates.length - exact - aligned;
  out.push(
    '',
    report.duplicates.length
      ? `Duplicates: ${exact} identical pair(s), ${near} near-duplicate pair(s), ${aligned} flipped/rotated/shifted pair(s).`
      : 'Duplicates: none found (also none flipped, rotated by 90 degrees or shifted).',
  );
  if (report.warnings.length) out.push('', ...report.warnings.map(formatProblem));
  else out.push('No warnings.');
  return out.join('\n');
}
