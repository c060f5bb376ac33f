// The text `seglens init` prints: every stored value with its counts and proposed class, the notes
// on what was decided, the problems, and what the user should do next.
import { formatProblem } from '../problems.ts';
import type { Problem } from '../problems.ts';
import type { Proposal } from './propose.ts';
import type { ScanResult } from './scan.ts';

export interface FormatScanInput {
  scan: ScanResult;
  proposal: Proposal;
  /** Written project file, if any. */
  projectFile?: string;
  /** All notes (defaults to the proposal's). */
  notes?: string[];
  problems?: Problem[];
}

/** Rows beyond this are summarised (instance images have hundreds of values). */
const MAX_ROWS = 40;

function pad(s: string, n: number, right = false): string {
  return right ? s.padEnd(n) : s.padStart(n);
}

export function formatScan(r: FormatScanInput): string {
  const { scan, proposal } = r;
  const out: string[] = [];
  const depth = scan.bitDepths.map((d) => `${d}-bit`).join('/');
  out.push(`Mask values in ${scan.files} file(s), ${scan.totalPixels} pixels, ${depth} ${scan.kind === 'rgb' ? 'colour' : 'grey'}:`);
  out.push('');
  const head = scan.kind === 'rgb' ? 'colour' : 'value';
  out.push(`  ${pad(head, 8)}  ${pad('pixels', 12)}  ${pad('% pixels', 9)}  ${pad('images', 9)}  proposed class`);
  const bg = proposal.table.background;
  const className = new Map(proposal.assignments.map((a) => [a.value, a.className]));
  const rows = scan.values.length > MAX_ROWS ? scan.values.slice(0, MAX_ROWS - 5) : scan.values;
  for (const v of rows) {
    const c = className.get(v.value);
    const cls = c === null ? (proposal.damage?.accepted ? 'ignore (damage, accepted)' : 'DAMAGE: no class') : c === bg ? `${c} (background)` : (c ?? '?');
    const shown = scan.kind === 'rgb' ? v.color! : String(v.value);
    out.push(`  ${pad(shown, 8)}  ${pad(String(v.pixels), 12)}  ${pad((100 * v.fraction).toFixed(2) + '%', 9)}  ${pad(`${v.images}/${scan.files}`, 9)}  ${cls}`);
  }
  if (rows.length < scan.values.length) {
    const rest = scan.values.slice(rows.length);
    const restClasses = [...new Set(rest.map((v) => className.get(v.value) ?? (proposal.damage?.accepted ? 'ignore' : 'damage (no class)')))];
    out.push(`  ... ${rest.length} more values (${rest[0].value} to ${rest.at(-1)!.value}), proposed as ${restClasses.join(', ')}; --json lists them all`);
  }
  const notes = r.notes ?? proposal.notes;
  if (notes.length > 0) {
    out.push('', 'Notes:');
    for (const n of notes) out.push(`  - ${n}`);
  }
  const problems = r.problems ?? scan.problems;
  if (problems.length > 0) {
    out.push('', `Problems (${problems.length}):`);
    for (const p of problems) out.push(`  ${formatProblem(p)}`);
  }
  out.push('');
  if (r.projectFile) out.push(`Wrote ${r.projectFile} with this proposed class table.`);
  if (proposal.maskFormat.kind === 'geojson' || proposal.maskFormat.kind === 'coco') {
    out.push('The classes are the names found in the annotations (matched exactly); check them and their colours, and rename a class in the annotations and here alike; then run `seglens inspect` to check the result.');
  } else if (proposal.maskFormat.kind === 'instance' || proposal.maskFormat.kind === 'objects') {
    out.push('Edit its "classes": rename "object" to what the objects are, and add a "boundaryClass" to "maskFormat" if touching objects must be told apart; then run `seglens inspect` to check the result.');
  } else {
    out.push(
      'Edit its "classes": give each class a real name, merge values that mean the same class into one class (several "values"), ' +
        'and set "background" to the class that is background; then run `seglens inspect` to check the result.',
    );
  }
  return out.join('\n') + '\n';
}
