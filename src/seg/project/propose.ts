// A first class table from a mask scan, for the user to edit. It never merges values: every
// distinct stored value becomes its own class named after the value. The only departures are
// stated in `notes`: the most frequent value is made the background; values that look like
// interpolation residue go to `ignore`; too many values are read as instance labels.
import { ConfigError } from '../errors.ts';
import type { ClassTable } from '../classes.ts';
import { MAX_CLASSES } from '../types.ts';
import { BACKGROUND_COLOR, classColor } from './palette.ts';
import type { ScanResult, ValueStat } from './scan.ts';
import type { MaskFormat } from './schema.ts';

export interface ValueAssignment {
  value: number;
  color?: string;
  /** The proposed class, or null when the value is put in `ignore`. */
  className: string | null;
}

export interface Proposal {
  table: ClassTable;
  maskFormat: MaskFormat;
  /** What each scanned value became, in scan order. */
  assignments: ValueAssignment[];
  /** Every rule that was applied, in sentences for the user. */
  notes: string[];
}

export interface ProposeOptions {
  /** More distinct grey values than this are read as instance labels. Default 64. */
  maxClasses?: number;
}

/** Thresholds of the interpolation test (see scan.ts, `edgeFraction`). */
const RESIDUE_EDGE = 0.9;
const RESIDUE_FRACTION = 0.01;

const pct = (f: number) => `${(100 * f).toFixed(f < 0.001 ? 4 : 2)}%`;
const label = (s: ScanResult, v: ValueStat) => (s.kind === 'rgb' ? v.color! : String(v.value));
const listed = (xs: string[], max = 12) => (xs.length > max ? `${xs.slice(0, max).join(', ')} ... (${xs.length} in all)` : xs.join(', '));

/**
 * Values found only along borders between other values, each rare: what bilinear resizing or JPEG
 * compression of a mask produces. Flagged only when they are at least 3 and at least half of all
 * values, so a small real class or a few tiny objects do not trigger it.
 */
function residueValues(scan: ScanResult): Set<number> {
  const cand = scan.values.filter((v) => v.edgeFraction >= RESIDUE_EDGE && v.fraction < RESIDUE_FRACTION);
  const major = scan.values.filter((v) => !cand.includes(v));
  if (major.length < 2) return new Set();
  let inside = cand;
  if (scan.kind === 'grey') {
    const lo = Math.min(...major.map((v) => v.value));
    const hi = Math.max(...major.map((v) => v.value));
    inside = cand.filter((v) => v.value > lo && v.value < hi);
  }
  return inside.length >= 3 && inside.length * 2 >= scan.values.length ? new Set(inside.map((v) => v.value)) : new Set();
}

export function proposeClassTable(scan: ScanResult, opts: ProposeOptions = {}): Proposal {
  const maxClasses = opts.maxClasses ?? 64;
  if (scan.values.length === 0) throw new ConfigError('No mask could be read, so there is nothing to propose a class table from. Check the mask folder and the problems listed.');
  const notes: string[] = [];
  const residue = residueValues(scan);
  const kept = scan.values.filter((v) => !residue.has(v.value));
  if (residue.size > 0) {
    const res = scan.values.filter((v) => residue.has(v.value));
    notes.push(
      `${res.length} values (${listed(res.map((v) => label(scan, v)))}; ${pct(res.reduce((a, v) => a + v.fraction, 0))} of pixels) occur only along the borders between other values ` +
        `(at least ${RESIDUE_EDGE * 100}% of their pixels touch another value): the masks look resized with interpolation or saved as JPEG. ` +
        'They were put in "ignore" (left out of training and metrics), not given a class. Better: re-export the masks as PNG or TIFF with nearest-neighbour resizing.',
    );
  }
  if (kept.length < 2) {
    const only = kept[0] ?? scan.values[0];
    throw new ConfigError(`Every mask stores only the value ${label(scan, only)}: there is no class to learn. Check that the mask folder holds the annotations (not blank or placeholder masks).`);
  }
  if (scan.kind === 'grey' && kept.length > maxClasses) return instanceProposal(scan, notes);

  if (kept.length > MAX_CLASSES) {
    throw new ConfigError(`The masks hold ${kept.length} distinct colours, more than the ${MAX_CLASSES} classes seglens supports. Palette masks should use one colour per class: check that they were not saved with anti-aliasing or as JPEG.`);
  }
  const bg = kept.reduce((a, b) => (b.pixels > a.pixels ? b : a));
  const name = (v: ValueStat) => (scan.kind === 'rgb' ? `color_${v.color!.slice(1)}` : `value_${v.value}`);
  let fg = 0;
  const classes = kept.map((v) => ({
    name: name(v),
    values: [scan.kind === 'rgb' ? v.color! : v.value],
    color: scan.kind === 'rgb' ? v.color! : v === bg ? BACKGROUND_COLOR : classColor(fg++),
  }));
  const table: ClassTable = {
    classes,
    background: name(bg),
    ignore: scan.values.filter((v) => residue.has(v.value)).map((v) => (scan.kind === 'rgb' ? v.color! : v.value)),
  };
  notes.push(
    `Each of the ${kept.length} stored ${scan.kind === 'rgb' ? 'colours' : 'values'} is its own class, named after the ${scan.kind === 'rgb' ? 'colour' : 'value'}; nothing was merged. ` +
      'If several values mean one class (e.g. several grey levels of membrane), list them together in one class.',
  );
  notes.push(
    `${label(scan, bg)} is the most frequent ${scan.kind === 'rgb' ? 'colour' : 'value'} (${pct(bg.fraction)} of pixels), so "${name(bg)}" was made the background. ` +
      'Check it: the most frequent value is not always the background, and the class of interest is often stored as 0 (ISBI 2012 membranes are 0). Set "background" to the class that is not of interest.',
  );
  if (kept.length === 2) notes.push('Two values: a binary mask. Give both classes real names (e.g. "background" and what the other value marks).');
  notes.push(...sideNotes(scan, kept));
  const assignments = scan.values.map((v) => ({
    value: v.value,
    ...(v.color ? { color: v.color } : {}),
    className: residue.has(v.value) ? null : name(v),
  }));
  return { table, maskFormat: scan.kind === 'rgb' ? { kind: 'palette' } : { kind: 'label' }, assignments, notes };
}

/** Hints that change nothing in the table but deserve a look. */
function sideNotes(scan: ScanResult, kept: ValueStat[]): string[] {
  const notes: string[] = [];
  const nz = kept.filter((v) => v.value !== 0).map((v) => v.value);
  const zero = kept.find((v) => v.value === 0);
  if (scan.kind === 'grey' && kept.length >= 10 && zero && nz.every((v, i) => v === i + 1)) {
    notes.push(`The values are 0 and 1 to ${nz.length} in a row: if each number is one object (instance labels) rather than a class, set "maskFormat" to {"kind": "instance", "className": ...}.`);
  }
  if (scan.files > 3) {
    const stray = kept.filter((v) => v.images === 1 && v.fraction < 1e-4);
    if (stray.length > 0) {
      notes.push(`Value(s) ${listed(stray.map((v) => `${label(scan, v)} (${v.pixels} px)`))} occur in a single mask with very few pixels: a stray brush stroke or a resizing artefact? Check before training.`);
    }
  }
  return notes;
}

function instanceProposal(scan: ScanResult, notes: string[]): Proposal {
  const values = scan.values;
  const zero = values.find((v) => v.value === 0);
  const max = values[values.length - 1].value;
  notes.push(
    `${values.length} distinct values (0 to ${max}) are too many to be classes: this looks like an instance label image, each object stored as its own number. ` +
      'Proposed reading: 0 = background, every other value = one object of the class "object" (maskFormat "instance"). Rename "object"; add "boundaryClass" to learn the borders between touching objects.',
  );
  const mostFrequent = values.reduce((a, b) => (b.pixels > a.pixels ? b : a));
  if (!zero) notes.push('Value 0 does not occur in any mask, yet the instance reading takes 0 as the background: check the masks.');
  else if (mostFrequent !== zero) notes.push(`Value 0 covers only ${pct(zero.fraction)} of pixels while ${mostFrequent.value} covers ${pct(mostFrequent.fraction)}: check that these really are instance labels.`);
  return {
    table: {
      classes: [
        { name: 'background', values: [0], color: BACKGROUND_COLOR },
        { name: 'object', values: [1], color: classColor(0) },
      ],
      background: 'background',
      ignore: [],
    },
    maskFormat: { kind: 'instance', className: 'object' },
    assignments: values.map((v) => ({ value: v.value, className: v.value === 0 ? 'background' : 'object' })),
    notes,
  };
}
