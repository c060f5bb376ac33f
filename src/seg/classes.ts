// The class table: which stored mask values mean which class. The on-disk format is documented in
// the README and is exactly
//   {"classes": [{"name": "membrane", "values": [0, 32, 64], "color": "#e6194b"}, ...],
//    "background": "intracellular", "ignore": [254]}
// Several stored values may map to one class; RGB palette masks list colours ("#rrggbb") as values.
// A value that is in no class and not ignored is never mapped silently: readers report it.
import { z } from 'zod';
import { BACKGROUND_COLOR, classColor } from './class-colors.ts';
import { IGNORE, MAX_CLASSES } from './types.ts';
import { parseOrThrow } from './validate.ts';

const HEX = /^#[0-9a-fA-F]{6}$/;
const storedValue = z.union([
  z.number().int().min(0).max(65535),
  z.string().regex(HEX, 'a colour value must be written "#rrggbb"'),
]);

// Strict objects: a misspelt key ("valeus", "ignroe") is refused with its path, never ignored
// (an ignored "ignroe" would silently count unlabelled pixels as a class).
export const ClassDefSchema = z.strictObject({
  name: z.string().min(1).max(64),
  values: z.array(storedValue).min(1, 'each class needs at least one stored value'),
  /** Display colour; left out, the background gets black and the others the default palette in order. */
  color: z.string().regex(HEX, 'color must be "#rrggbb"').optional(),
});

export const ClassTableSchema = z
  .strictObject({
    classes: z.array(ClassDefSchema).min(2, 'a segmentation needs at least two classes (background and one more)').max(MAX_CLASSES),
    background: z.string().min(1),
    ignore: z.array(storedValue).default([]),
  })
  .superRefine((t, ctx) => {
    const names = new Set<string>();
    t.classes.forEach((c, i) => {
      if (names.has(c.name)) ctx.addIssue({ code: 'custom', path: ['classes', i, 'name'], message: `class name "${c.name}" is used twice` });
      names.add(c.name);
    });
    if (!names.has(t.background)) {
      ctx.addIssue({ code: 'custom', path: ['background'], message: `"${t.background}" is not the name of a class in "classes"` });
    }
    const owner = new Map<string, string>();
    const claim = (v: number | string, who: string, path: (string | number)[]) => {
      const key = String(v).toLowerCase();
      const prev = owner.get(key);
      if (prev) ctx.addIssue({ code: 'custom', path, message: `value ${v} is given to both ${prev} and ${who}` });
      else owner.set(key, who);
    };
    t.classes.forEach((c, i) => c.values.forEach((v, j) => claim(v, `class "${c.name}"`, ['classes', i, 'values', j])));
    t.ignore.forEach((v, j) => claim(v, 'ignore', ['ignore', j]));
    const kinds = new Set([...t.classes.flatMap((c) => c.values), ...t.ignore].map((v) => typeof v));
    if (kinds.size > 1) ctx.addIssue({ code: 'custom', path: ['classes'], message: 'mix of grey values and "#rrggbb" colours: a table is for one kind of mask' });
  })
  .transform((t) => {
    // Missing colours come from the palette `seglens init` uses, by position among the foreground
    // classes, so a class keeps its colour whether or not its neighbours have one.
    let fg = 0;
    return {
      ...t,
      classes: t.classes.map((c) => {
        const color = c.name === t.background ? BACKGROUND_COLOR : classColor(fg++);
        return { ...c, color: c.color ?? color };
      }),
    };
  });

export type ClassDef = z.output<typeof ClassTableSchema>['classes'][number];
export type ClassTable = z.infer<typeof ClassTableSchema>;

export function parseClassTable(data: unknown, source = 'class table'): ClassTable {
  return parseOrThrow(ClassTableSchema, data, source);
}

export function backgroundId(t: ClassTable): number {
  return t.classes.findIndex((c) => c.name === t.background);
}

/** Class ids of the classes other than the background, in table order. */
export function foregroundIds(t: ClassTable): number[] {
  const bg = backgroundId(t);
  return t.classes.map((_, i) => i).filter((i) => i !== bg);
}

export function isColorTable(t: ClassTable): boolean {
  return t.classes.some((c) => c.values.some((v) => typeof v === 'string'));
}

/** "#rrggbb" -> 0xRRGGBB, the form RawMask stores RGB pixels in. */
export function colorToInt(c: string): number {
  return parseInt(c.slice(1), 16);
}

/** Sentinel in a lookup table for a stored value that no class claims and is not ignored. */
export const UNMAPPED = 256;

/**
 * Map of stored value -> class id (or IGNORE, or UNMAPPED). For grey tables a dense 65536-entry
 * table; for colour tables a Map keyed by 0xRRGGBB.
 */
export interface ValueLookup {
  dense?: Uint16Array;
  sparse?: Map<number, number>;
}

export function buildLookup(t: ClassTable): ValueLookup {
  if (isColorTable(t)) {
    const sparse = new Map<number, number>();
    t.classes.forEach((c, id) => c.values.forEach((v) => sparse.set(colorToInt(String(v)), id)));
    t.ignore.forEach((v) => sparse.set(colorToInt(String(v)), IGNORE));
    return { sparse };
  }
  const dense = new Uint16Array(65536).fill(UNMAPPED);
  t.classes.forEach((c, id) => c.values.forEach((v) => (dense[v as number] = id)));
  t.ignore.forEach((v) => (dense[v as number] = IGNORE));
  return { dense };
}

export function lookupValue(l: ValueLookup, v: number): number {
  if (l.dense) return v < l.dense.length ? l.dense[v] : UNMAPPED;
  return l.sparse!.get(v) ?? UNMAPPED;
}
