// Stored mask values -> class ids (LabelMap), through the class table. Nothing is mapped silently:
// a value that no class claims and that is not an ignore value becomes IGNORE in the LabelMap and
// is listed with its pixel count so the caller reports it (Problem 'mask-unknown-values').
import { buildLookup, isColorTable, UNMAPPED, type ClassTable } from './classes.ts';
import { fileError } from './image-errors.ts';
import type { Problem } from './problems.ts';
import { IGNORE, MAX_CLASSES, type LabelMap, type RawMask } from './types.ts';
import { ShapeError } from './errors.ts';

/** A stored value absent from the class table: a grey value, or "#rrggbb" for colour masks. */
export interface UnknownValue {
  value: number | string;
  count: number;
}

export interface MappedMask {
  labels: LabelMap;
  /** Sorted by value. Empty when every pixel's value is in the table. */
  unknown: UnknownValue[];
}

export function colorHex(v: number): string {
  return '#' + v.toString(16).padStart(6, '0');
}

/**
 * Apply the class table to a decoded mask. Grey masks go through the dense 65536-entry lookup (a
 * 1024 x 1024 mask maps in a few ms). A colour table also accepts a grey mask (v -> #vvvvvv, since
 * readRawMask reads R = G = B files as grey); a grey table refuses a truly colour mask.
 */
export function labelsFromRaw(raw: RawMask, table: ClassTable, file: string): MappedMask {
  const n = raw.width * raw.height;
  if (raw.data.length !== n) throw new ShapeError(`Mask data has ${raw.data.length} values for ${raw.width} x ${raw.height} pixels.`, { file });
  const out = new Uint8Array(n);
  const colourTable = isColorTable(table);
  if (raw.channels === 3 && !colourTable) {
    throw fileError(
      file,
      'not-a-label-image',
      `${file} is a colour (RGB) mask, but the class table lists grey values.`,
      'List the mask colours as "#rrggbb" values in the class table, or save the mask as a grey label image.',
    );
  }
  const lookup = buildLookup(table);
  if (lookup.dense) return mapDense(raw.data, lookup.dense, out, raw);

  // Colour table. A grey mask: build a 256/65536-entry table of v -> colour #vvvvvv once.
  const sparse = lookup.sparse!;
  if (raw.channels === 1) {
    const dense = new Uint16Array(raw.bitDepth === 16 ? 65536 : 256).fill(UNMAPPED);
    for (let v = 0; v < 256; v++) dense[v] = sparse.get(v * 0x010101) ?? UNMAPPED;
    const m = mapDense(raw.data, dense, out, raw);
    return { labels: m.labels, unknown: m.unknown.map((u) => ({ value: greyAsColour(u.value as number), count: u.count })) };
  }
  // True colour: Map lookups, with the previous pixel's answer reused along runs of one colour.
  const unknownCounts = new Map<number, number>();
  const d = raw.data;
  let prev = -1;
  let prevId = UNMAPPED;
  for (let i = 0; i < n; i++) {
    const v = d[i];
    if (v !== prev) {
      prev = v;
      prevId = sparse.get(v) ?? UNMAPPED;
    }
    if (prevId === UNMAPPED) {
      unknownCounts.set(v, (unknownCounts.get(v) ?? 0) + 1);
      out[i] = IGNORE;
    } else out[i] = prevId;
  }
  const unknown = [...unknownCounts].sort((a, b) => a[0] - b[0]).map(([v, count]) => ({ value: colorHex(v), count }));
  return { labels: { width: raw.width, height: raw.height, data: out }, unknown };
}

/** A grey value as the colour a colour table would list for it (#vvvvvv), when it has one. */
function greyAsColour(v: number): number | string {
  return v < 256 ? colorHex(v * 0x010101) : v;
}

function mapDense(d: RawMask['data'], dense: Uint16Array, out: Uint8Array, raw: RawMask): MappedMask {
  const labels = { width: raw.width, height: raw.height, data: out };
  // Hot path (8-bit masks, the common case): a 256-entry byte table that stays in L1 cache and a
  // loop with one branch-free load/store per pixel. Class ids are < MAX_CLASSES (254) and IGNORE is
  // 255, so 254 is free to mark "no class"; those pixels are rare and fixed up afterwards.
  if (d instanceof Uint8Array) {
    const lut = new Uint8Array(256);
    for (let v = 0; v < 256; v++) lut[v] = dense[v] === UNMAPPED ? UNMAPPED_BYTE : dense[v];
    if (mapBytes(d, lut, out) === 0) return { labels, unknown: [] };
  }
  const n = out.length;
  let counts: Uint32Array | undefined;
  for (let i = 0; i < n; i++) {
    const v = d[i];
    const id = v < dense.length ? dense[v] : UNMAPPED;
    if (id === UNMAPPED) {
      counts ??= new Uint32Array(65536);
      counts[v]++;
      out[i] = IGNORE;
    } else out[i] = id;
  }
  const unknown: UnknownValue[] = [];
  if (counts) for (let v = 0; v < counts.length; v++) if (counts[v]) unknown.push({ value: v, count: counts[v] });
  return { labels, unknown };
}

const UNMAPPED_BYTE = MAX_CLASSES;

/** out[i] = lut[d[i]]; returns how many pixels got UNMAPPED_BYTE. */
function mapBytes(d: Uint8Array, lut: Uint8Array, out: Uint8Array): number {
  let unmapped = 0;
  for (let i = 0; i < d.length; i++) {
    const id = lut[d[i]];
    out[i] = id;
    unmapped += id === UNMAPPED_BYTE ? 1 : 0;
  }
  return unmapped;
}

/** The Problem for a mask with values outside the class table, or undefined when there are none. */
export function unknownValuesProblem(file: string, unknown: UnknownValue[], totalPixels: number): Problem | undefined {
  if (unknown.length === 0) return undefined;
  const pixels = unknown.reduce((s, u) => s + u.count, 0);
  const shown = [...unknown].sort((a, b) => b.count - a.count).slice(0, 8);
  const list = shown.map((u) => `${u.value} (${u.count} px)`).join(', ') + (unknown.length > shown.length ? `, and ${unknown.length - shown.length} more` : '');
  return {
    code: 'mask-unknown-values',
    severity: 'error',
    file,
    message: `${unknown.length} stored value${unknown.length === 1 ? ' is' : 's are'} in no class: ${list}; ${pixels} pixels (${((100 * pixels) / totalPixels).toFixed(2)} %) are left unlabelled.`,
    hint: 'Add each value to a class or to "ignore" in the class table. Many values along class edges mean the mask was resized with interpolation: re-export it with nearest-neighbour resampling.',
    details: { unknown, pixels },
  };
}

export interface InstanceMapping {
  /** Class id of every non-zero instance pixel. */
  foregroundId: number;
  /** Class id of value 0. */
  backgroundId: number;
  /** If set: class id of instance pixels that touch a different instance (4-neighbours). */
  boundaryId?: number;
}

/**
 * An instance label image (0 = background, each object its own non-zero value) -> classes. With
 * `boundaryId`, a pixel of one instance whose left/right/up/down neighbour belongs to another
 * non-zero instance becomes boundary, on both sides of the contact, so touching objects stay
 * separable; contact with background does not make a boundary.
 */
export function labelsFromInstances(raw: RawMask, m: InstanceMapping): LabelMap {
  for (const [k, id] of Object.entries(m)) {
    if (id !== undefined && (!Number.isInteger(id) || id < 0 || (id >= MAX_CLASSES && id !== IGNORE))) {
      throw new ShapeError(`${k} must be a class id 0..${MAX_CLASSES - 1} (or IGNORE); got ${id}.`);
    }
  }
  const { width: w, height: h } = raw;
  const d = raw.data;
  const out = new Uint8Array(w * h);
  const fg = m.foregroundId;
  const bg = m.backgroundId;
  if (m.boundaryId === undefined) {
    for (let i = 0; i < d.length; i++) out[i] = d[i] === 0 ? bg : fg;
    return { width: w, height: h, data: out };
  }
  const bd = m.boundaryId;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      const v = d[i];
      if (v === 0) {
        out[i] = bg;
        continue;
      }
      const touches =
        (x > 0 && d[i - 1] !== 0 && d[i - 1] !== v) ||
        (x < w - 1 && d[i + 1] !== 0 && d[i + 1] !== v) ||
        (y > 0 && d[i - w] !== 0 && d[i - w] !== v) ||
        (y < h - 1 && d[i + w] !== 0 && d[i + w] !== v);
      out[i] = touches ? bd : fg;
    }
  }
  return { width: w, height: h, data: out };
}
