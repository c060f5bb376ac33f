// A first class table from a mask scan, for the user to edit. It never merges values: every
// distinct stored value becomes its own class named after the value. The only departures are
// stated in `notes`: the most frequent value is made the background; too many values are read as
// instance labels. Values that look like damage (interpolation residue, JPEG noise; the rule is the
// audit's, classifyDamagedValues) are reported in `damage` and left out of the table, so that
// inspect blocks on them; they go to `ignore` only when the caller accepts the damage.
import { classifyDamagedValues } from '../audit/mask-damage.ts';
import type { DamagedValues } from '../audit/mask-damage.ts';
import { ConfigError } from '../errors.ts';
import type { ClassTable } from '../classes.ts';
import { MAX_CLASSES } from '../types.ts';
import { BACKGROUND_COLOR, classColor } from '../class-colors.ts';
import type { ScanResult, ValueStat } from './scan.ts';
import type { MaskFormat } from './schema.ts';

export interface ValueAssignment {
  value: number;
  color?: string;
  /** The proposed class, or null when the value is damage (in `ignore` if accepted, else in no class). */
  className: string | null;
}

export interface Proposal {
  table: ClassTable;
  maskFormat: MaskFormat;
  /** What each scanned value became, in scan order. */
  assignments: ValueAssignment[];
  /** Every rule that was applied, in sentences for the user. */
  notes: string[];
  /** Stored values judged to be damage, and whether they were accepted into `ignore`. */
  damage?: DamagedValues & { accepted: boolean };
}

export interface ProposeOptions {
  /** More distinct grey values than this are read as instance labels. Default 64. */
  maxClasses?: number;
  /** Put the values judged to be damage in `ignore` (init --accept-damaged). Default: leave them in no class. */
  acceptDamaged?: boolean;
}

const pct = (f: number) => `${(100 * f).toFixed(f < 0.001 ? 4 : 2)}%`;
const label = (s: ScanResult, v: ValueStat) => (s.kind === 'rgb' ? v.color! : String(v.value));
const listed = (xs: string[], max = 12) => (xs.length > max ? `${xs.slice(0, max).join(', ')} ... (${xs.length} in all)` : xs.join(', '));

export function proposeClassTable(scan: ScanResult, opts: ProposeOptions = {}): Proposal {
  const maxClasses = opts.maxClasses ?? 64;
  if (scan.values.length === 0) throw new ConfigError('No mask could be read, so there is nothing to propose a class table from. Check the mask folder and the problems listed.');
  const notes: string[] = [];
  const found = classifyDamagedValues(scan.values, { kind: scan.kind, bitDepth: Math.max(...scan.bitDepths, 8), lossyFiles: scan.lossyFiles.length });
  const accepted = opts.acceptDamaged === true;
  const residue = new Set(found?.values ?? []);
  const kept = scan.values.filter((v) => !residue.has(v.value));
  if (found && residue.size > 0) {
    const res = scan.values.filter((v) => residue.has(v.value));
    notes.push(
      `DAMAGED MASKS: ${found.reason}. ${res.length} values (${listed(res.map((v) => label(scan, v)))}; ${pct(found.fraction)} of all pixels) are no label. ` +
        (accepted
          ? 'As you asked (--accept-damaged), they were put in "ignore": those pixels are left out of training and every metric, and `seglens inspect` shows how many there are per image and class.'
          : 'They were given NO class and are NOT ignored, so `seglens inspect` will report them and block training. Re-export the masks as PNG or TIFF with nearest-neighbour resizing (the fix), ' +
            'or run init again with --force --accept-damaged to put them in "ignore" knowing that those pixels then take no part in training or metrics.'),
    );
  } else if (found && found.lossyFiles > 0) {
    notes.push(`DAMAGED MASKS: ${found.reason}. Save them as PNG or TIFF from the original annotation; \`seglens inspect\` reports each one.`);
  }
  if (kept.length < 2) {
    const only = kept[0] ?? scan.values[0];
    throw new ConfigError(`Every mask stores only the value ${label(scan, only)}: there is no class to learn. Check that the mask folder holds the annotations (not blank or placeholder masks).`);
  }
  if (scan.kind === 'grey' && kept.length > maxClasses) {
    // Instance ids cannot be ignored one by one: a damaged instance mask must be re-exported.
    const own = found
      ? [`DAMAGED MASKS: ${found.reason}. Instance labels cannot leave in-between ids out; \`seglens inspect\` reports each damaged mask and blocks training until it is re-exported losslessly with nearest-neighbour resizing.`]
      : [];
    return { ...instanceProposal(scan, [...notes.filter((n) => !n.startsWith('DAMAGED MASKS')), ...own]), ...(found ? { damage: { ...found, accepted: false } } : {}) };
  }

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
    ignore: accepted ? scan.values.filter((v) => residue.has(v.value)).map((v) => (scan.kind === 'rgb' ? v.color! : v.value)) : [],
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
  const damage = found ? { ...found, accepted } : undefined;
  return { table, maskFormat: scan.kind === 'rgb' ? { kind: 'palette' } : { kind: 'label' }, assignments, notes, ...(damage ? { damage } : {}) };
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
