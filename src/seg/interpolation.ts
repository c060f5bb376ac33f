// Evidence that a mask was resized (or saved lossily) with interpolation: a resampled 0/255 mask
// gains values 1..254 in thin bands along every class edge. Two things together separate that from
// a label the table merely lacks:
// - the value is "intermediate": not in the table, and strictly between table values (grey: between
//   the smallest and largest table value; colour: on the line between two table colours);
// - such pixels lie on edges: nearly all have a left/right/up/down neighbour with another value,
//   whereas a real but unlisted label forms regions whose interior pixels have equal neighbours.
// A value listed in the table is never intermediate, so masks whose classes use many grey levels
// (Drosophila VNC: 0, 32, ..., 255) are not suspected.
import { buildLookup, colorToInt, isColorTable, UNMAPPED, type ClassTable } from './classes.ts';
import { colorHex } from './masks.ts';
import type { Problem } from './problems.ts';
import type { RawMask } from './types.ts';

export interface InterpolationOptions {
  /** Least share of all pixels that must be intermediate (default 1e-4), and at least 16 pixels. */
  minFraction?: number;
  /** Least share of the intermediate pixels that must lie on edges (default 0.75). */
  minEdgeShare?: number;
}

export interface InterpolationEvidence {
  suspect: boolean;
  /** Intermediate pixels / all pixels. */
  fraction: number;
  /** Number of intermediate pixels. */
  pixels: number;
  /** Share of the intermediate pixels that have a 4-neighbour of another value (0 when none). */
  edgeShare: number;
  /** The most frequent intermediate values (grey values, or "#rrggbb"), at most 8. */
  examples: Array<number | string>;
}

/** Is colour c within `tol` of the segment strictly between colours a and b? */
function onSegment(c: number, a: number, b: number, tol = 3.5): boolean {
  const ch = (v: number) => [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  const [cr, cg, cb] = ch(c);
  const [ar, ag, ab] = ch(a);
  const [br, bg, bb] = ch(b);
  const dr = br - ar, dg = bg - ag, db = bb - ab;
  const len2 = dr * dr + dg * dg + db * db;
  if (len2 === 0) return false;
  const t = ((cr - ar) * dr + (cg - ag) * dg + (cb - ab) * db) / len2;
  if (t <= 0 || t >= 1) return false;
  const er = cr - (ar + t * dr), eg = cg - (ag + t * dg), eb = cb - (ab + t * db);
  return er * er + eg * eg + eb * eb <= tol * tol;
}

/** A predicate "is this stored value intermediate?", cached per value. */
function intermediateTest(raw: RawMask, table: ClassTable): (v: number) => boolean {
  const lookup = buildLookup(table);
  if (lookup.dense) {
    const known: number[] = [];
    for (let v = 0; v < lookup.dense.length; v++) if (lookup.dense[v] !== UNMAPPED) known.push(v);
    const lo = known[0];
    const hi = known[known.length - 1];
    const flag = new Uint8Array(65536);
    for (let v = lo + 1; v < hi; v++) flag[v] = lookup.dense[v] === UNMAPPED ? 1 : 0;
    return (v) => v < 65536 && flag[v] === 1;
  }
  const colours = [...table.classes.flatMap((c) => c.values), ...table.ignore].map((v) => colorToInt(String(v)));
  const greyRead = raw.channels === 1;
  const cache = new Map<number, boolean>();
  return (v) => {
    let r = cache.get(v);
    if (r === undefined) {
      const c = greyRead ? (v < 256 ? v * 0x010101 : -1) : v;
      r = false;
      if (c >= 0 && !lookup.sparse!.has(c)) {
        for (let i = 0; i < colours.length && !r; i++) for (let j = i + 1; j < colours.length && !r; j++) r = onSegment(c, colours[i], colours[j]);
      }
      cache.set(v, r);
    }
    return r;
  };
}

export function detectInterpolation(raw: RawMask, table: ClassTable, opts: InterpolationOptions = {}): InterpolationEvidence {
  const minFraction = opts.minFraction ?? 1e-4;
  const minEdgeShare = opts.minEdgeShare ?? 0.75;
  const isIntermediate = intermediateTest(raw, table);
  const { width: w, height: h, data: d } = raw;
  const counts = new Map<number, number>();
  let pixels = 0;
  let onEdge = 0;
  // Per-value answers along runs of one value: most pixels repeat their left neighbour.
  let prev = -1;
  let prevAnswer = false;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      const v = d[i];
      if (v !== prev) {
        prev = v;
        prevAnswer = isIntermediate(v);
      }
      if (!prevAnswer) continue;
      pixels++;
      counts.set(v, (counts.get(v) ?? 0) + 1);
      if ((x > 0 && d[i - 1] !== v) || (x < w - 1 && d[i + 1] !== v) || (y > 0 && d[i - w] !== v) || (y < h - 1 && d[i + w] !== v)) onEdge++;
    }
  }
  const n = w * h;
  const fraction = n > 0 ? pixels / n : 0;
  const edgeShare = pixels > 0 ? onEdge / pixels : 0;
  const colour = isColorTable(table);
  const examples = [...counts]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 8)
    .map(([v]) => (colour ? colorHex(raw.channels === 1 ? v * 0x010101 : v) : v));
  const suspect = pixels >= 16 && fraction >= minFraction && edgeShare >= minEdgeShare;
  return { suspect, fraction, pixels, edgeShare, examples };
}

/** The Problem for a suspect mask, or undefined. */
export function interpolationProblem(file: string, ev: InterpolationEvidence): Problem | undefined {
  if (!ev.suspect) return undefined;
  return {
    code: 'mask-interpolated',
    severity: 'error',
    file,
    message: `The mask looks resized with interpolation: ${ev.pixels} pixels (${(100 * ev.fraction).toFixed(2)} %) have values between class values (e.g. ${ev.examples.join(', ')}), ${(100 * ev.edgeShare).toFixed(0)} % of them along class edges.`,
    hint: 'Export or resize masks with nearest-neighbour resampling only (Fiji: Image > Scale with interpolation "None"; sharp/PIL: kernel "nearest"), then replace this mask.',
    details: { fraction: ev.fraction, pixels: ev.pixels, edgeShare: ev.edgeShare, examples: ev.examples },
  };
}
