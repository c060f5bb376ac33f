// Masks damaged on the way to seglens: resized with interpolation, or saved in a lossy format
// (JPEG). Both leave values that are no label at all along the edges between labels; ignoring them
// hides the damage (issue 12: a quarter of the pixels, whole membrane shades gone), mapping them
// to classes invents annotation. Every rule that judges such damage lives here: label masks
// (detectInterpolation), instance label images (detectInstanceDamage), the file format
// (lossyMaskProblem), and the classification of stored values that `seglens init` reports before
// it proposes a class table (classifyDamagedValues).
//
// Label masks: a resampled 0/255 mask gains values 1..254 in thin bands along every class edge.
// Two things together separate that from a label the table merely lacks:
// - the value is "intermediate": not in the table, and strictly between table values (grey: between
//   the smallest and largest table value; colour: on the line between two table colours);
// - such pixels lie on edges: nearly all have a left/right/up/down neighbour with another value,
//   whereas a real but unlisted label forms regions whose interior pixels have equal neighbours.
// A value listed in the table is never intermediate, so masks whose classes use many grey levels
// (Drosophila VNC: 0, 32, ..., 255) are not suspected.
import { buildLookup, colorToInt, isColorTable, UNMAPPED, type ClassTable } from '../classes.ts';
import { colorHex } from '../masks.ts';
import type { Problem } from '../problems.ts';
import type { RawMask } from '../types.ts';

/** Least share of all pixels that must be intermediate for a label mask to count as interpolated (and at least 16 pixels). */
export const INTERPOLATED_MIN_FRACTION = 1e-4;
/** Least share of those intermediate pixels that must lie on edges: real unlisted labels have interiors. */
export const INTERPOLATED_MIN_EDGE_SHARE = 0.75;

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
  const minFraction = opts.minFraction ?? INTERPOLATED_MIN_FRACTION;
  const minEdgeShare = opts.minEdgeShare ?? INTERPOLATED_MIN_EDGE_SHARE;
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
    message: `The mask looks resized with interpolation (or saved lossily and converted): ${ev.pixels} pixels (${(100 * ev.fraction).toFixed(2)} %) have values between class values (e.g. ${ev.examples.join(', ')}), ${(100 * ev.edgeShare).toFixed(0)} % of them along class edges.`,
    hint: 'Export or resize masks with nearest-neighbour resampling only (Fiji: Image > Scale with interpolation "None"; sharp/PIL: kernel "nearest") and save them as PNG or TIFF, then replace this mask. Putting the in-between values in "ignore" hides the damage: those pixels then leave training and every metric.',
    details: { fraction: ev.fraction, pixels: ev.pixels, edgeShare: ev.edgeShare, examples: ev.examples },
  };
}

// ------------------------------------------------------------------ lossy file formats

/**
 * A mask stored as JPEG: lossy compression changes values near every edge (8 x 8 blocks ringing),
 * whatever the quality setting. An error when it left values that are no label (`damaged`), a
 * warning when those values are in the table's `ignore` (the damage accepted, not repaired) or when
 * the values are intact (the file is a risk the next time it is saved).
 */
export function lossyMaskProblem(file: string, px: { damaged: number; ignored?: number; total: number; examples?: readonly (number | string)[] }): Problem {
  const { damaged, total } = px;
  const ignored = px.ignored ?? 0;
  const examples = px.examples ?? [];
  const share = (n: number) => `${((100 * n) / Math.max(1, total)).toFixed(2)} %`;
  return {
    code: 'lossy-mask',
    severity: damaged > 0 ? 'error' : 'warning',
    file,
    message:
      damaged > 0
        ? `The mask is stored as JPEG, a lossy format: ${damaged} pixels (${share(damaged)}) hold values that are no label${examples.length ? ` (e.g. ${examples.slice(0, 8).join(', ')})` : ''}, along the edges where compression blurred them.`
        : ignored > 0
          ? `The mask is stored as JPEG, a lossy format: ${ignored} pixels (${share(ignored)}) hold values the class table ignores. The damage is accepted, not repaired: those pixels take no part in training or metrics.`
          : 'The mask is stored as JPEG, a lossy format; its values are all labels now, but every save as JPEG changes values near the edges.',
    hint: 'Save masks as PNG or TIFF (lossless) from the original annotation; converting this JPEG back to PNG keeps the damage. Putting the damaged values in "ignore" hides it.',
    details: { format: 'jpeg', pixels: damaged, ignoredPixels: ignored, fraction: total > 0 ? damaged / total : 0, examples: [...examples.slice(0, 8)] },
  };
}

// ------------------------------------------------------------------ instance label images

/**
 * Instance masks (0 = background, one id per object) damaged by interpolation get rims of
 * in-between ids around every object (a pixel between id 0 and id 7 becomes 3, another object's
 * id); JPEG adds lonely noise ids. A damaged pixel is a non-zero pixel that lies on a ramp (its
 * left/right or upper/lower neighbours are one below and one above its value) or that has no
 * 4-neighbour of its own id. Clean masks of the DAPI set have at most 0.2 % such pixels among their
 * object pixels (touching objects); resized or JPEG-saved ones 2.4-42 %. 1 % lies between.
 */
export const INSTANCE_DAMAGE_MIN_SHARE = 0.01;

export interface InstanceDamage {
  suspect: boolean;
  /** Damaged pixels / object (non-zero) pixels. */
  fraction: number;
  pixels: number;
  objectPixels: number;
  /** Damaged pixels that are on a ramp (interpolation) and lonely (noise). */
  ramp: number;
  lonely: number;
}

export function detectInstanceDamage(raw: RawMask): InstanceDamage {
  const { width: w, height: h, data: d } = raw;
  let objectPixels = 0;
  let ramp = 0;
  let lonely = 0;
  let pixels = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const v = d[i];
      if (v === 0) continue;
      objectPixels++;
      const l = x > 0 ? d[i - 1] : v;
      const r = x < w - 1 ? d[i + 1] : v;
      const u = y > 0 ? d[i - w] : v;
      const b = y < h - 1 ? d[i + w] : v;
      const onRamp = (l < v && v < r) || (l > v && v > r) || (u < v && v < b) || (u > v && v > b);
      const alone = l !== v && r !== v && u !== v && b !== v;
      if (onRamp) ramp++;
      if (alone) lonely++;
      if (onRamp || alone) pixels++;
    }
  }
  const fraction = objectPixels > 0 ? pixels / objectPixels : 0;
  return { suspect: pixels >= 16 && fraction >= INSTANCE_DAMAGE_MIN_SHARE, fraction, pixels, objectPixels, ramp, lonely };
}

/** The Problem for a damaged instance mask, or undefined. `boundaryClass` names what the rims would grow. */
export function instanceDamageProblem(file: string, ev: InstanceDamage, lossy: boolean, boundaryClass?: string): Problem | undefined {
  if (!ev.suspect) return undefined;
  const grows = boundaryClass
    ? ` Each rim touches two ids, so the boundary class "${boundaryClass}" grows around every object instead of marking only where objects touch.`
    : ' Each rim pixel is read as an object pixel of another id, so objects swell and merge.';
  return {
    code: lossy ? 'lossy-mask' : 'mask-interpolated',
    severity: 'error',
    file,
    message:
      `The instance mask looks ${lossy ? 'saved as JPEG' : 'resized with interpolation'}: ${ev.pixels} of its ${ev.objectPixels} object pixels (${(100 * ev.fraction).toFixed(1)} %) ` +
      `carry in-between ids (${ev.ramp} on rims between ids, ${ev.lonely} lonely).${grows}`,
    hint: 'Re-export the instance labels losslessly (PNG or TIFF, 16-bit when there are more than 255 objects) and resize them only with nearest-neighbour resampling.',
    details: { pixels: ev.pixels, fraction: ev.fraction, objectPixels: ev.objectPixels, ramp: ev.ramp, lonely: ev.lonely, format: lossy ? 'jpeg' : null },
  };
}

// ------------------------------------------------------------------ init: which stored values are damage

/** What classifyDamagedValues needs to know about a stored value (project/scan.ts ValueStat has it). */
export interface StoredValue {
  value: number;
  pixels: number;
  /** pixels / all pixels scanned. */
  fraction: number;
  /** Share of its pixels with a 4-neighbour of another value. */
  edgeFraction: number;
  /** Share of its pixels lying on a ramp (opposite neighbours one below, one above it); grey masks only. */
  rampShare?: number;
}

/**
 * A grey value most of whose pixels sit on ramps between their neighbours is interpolation residue:
 * on bilinear-resized Drosophila VNC masks every residue value above 0.2 % of the pixels has >= 0.75
 * of its pixels on ramps, the real membrane shades 0.0-0.51.
 */
export const RESIDUE_RAMP_SHARE = 0.6;
/**
 * JPEG noise: a value whose pixels nearly all touch another value (edgeFraction >= this) and that
 * lies within RESIDUE_NEAR of a value with RESIDUE_NEAR_RATIO times its pixels (the label it is
 * noise around: 1..18 around 0 in JPEG-saved ISBI masks).
 */
export const RESIDUE_EDGE_SHARE = 0.9;
/** As a share of the value range (1/16: 16 grey levels of 256). */
export const RESIDUE_NEAR = 1 / 16;
export const RESIDUE_NEAR_RATIO = 4;
/** A value this rare (share of all pixels) whose pixels nearly all touch another value is a speck of residue wherever it lies. */
export const RESIDUE_RARE = 1e-4;
/**
 * Residue is only declared when at least this many values look like it, and at least half of all
 * values (or a file is JPEG: then every value that is not the most frequent within RESIDUE_NEAR of
 * itself is residue).
 */
export const RESIDUE_MIN_VALUES = 3;

export interface DamagedValues {
  /** The stored values judged to be residue, ascending. */
  values: number[];
  pixels: number;
  fraction: number;
  /** Masks stored in a lossy format. */
  lossyFiles: number;
  /** One sentence: how the values were recognised. */
  reason: string;
}

/**
 * Which stored values of a mask scan are damage rather than labels. Judged per value from the
 * whole scan; nothing is decided on the user's behalf from it: init reports these values and
 * leaves them out of the proposed table unless the user accepts them into `ignore`.
 */
export function classifyDamagedValues(values: readonly StoredValue[], o: { kind: 'grey' | 'rgb'; bitDepth: number; lossyFiles: number }): DamagedValues | undefined {
  const range = o.kind === 'grey' ? (o.bitDepth === 16 ? 65536 : 256) : 0;
  const near = Math.max(1, Math.round(RESIDUE_NEAR * range));
  const byCount = [...values].sort((a, b) => b.pixels - a.pixels);
  const residue = new Set<number>();
  const kept: StoredValue[] = [];
  // JPEG files: compression spreads every label into a run of neighbouring grey levels whose most
  // frequent value is the label (a thin, rare class included, where no count ratio holds).
  if (o.kind === 'grey' && o.bitDepth === 8 && o.lossyFiles > 0) {
    const peaks = values.filter((v) => values.every((u) => u === v || Math.abs(u.value - v.value) > near || u.pixels < v.pixels));
    if (peaks.length >= 2) for (const v of values) if (!peaks.includes(v)) residue.add(v.value);
  }
  for (const v of residue.size > 0 ? [] : byCount) {
    let damaged: boolean;
    if (o.kind === 'grey') {
      const ramp = (v.rampShare ?? 0) >= RESIDUE_RAMP_SHARE;
      // JPEG is 8-bit only: noise around a frequent value is looked for in 8-bit masks.
      const nearFrequent = o.bitDepth === 8 && kept.some((k) => Math.abs(k.value - v.value) <= near && k.pixels >= RESIDUE_NEAR_RATIO * v.pixels);
      const noise = v.edgeFraction >= RESIDUE_EDGE_SHARE && (v.fraction < RESIDUE_RARE || nearFrequent);
      damaged = kept.length >= 2 && (ramp || noise);
    } else {
      // Colours have no order to ramp along: rare colours found only on edges are residue.
      damaged = kept.length >= 2 && v.edgeFraction >= RESIDUE_EDGE_SHARE && v.fraction < 0.01;
      // (0.01: palette colours are few and each covers its regions; an edge-only colour under 1 % is a blend.)
    }
    if (damaged) residue.add(v.value);
    else kept.push(v);
  }
  const enough = residue.size >= RESIDUE_MIN_VALUES && (residue.size * 2 >= values.length || o.lossyFiles > 0);
  if (!enough && o.lossyFiles === 0) return undefined;
  const list = enough ? [...residue].sort((a, b) => a - b) : [];
  const pixels = values.filter((v) => residue.has(v.value) && enough).reduce((s, v) => s + v.pixels, 0);
  const fraction = values.filter((v) => residue.has(v.value) && enough).reduce((s, v) => s + v.fraction, 0);
  const why: string[] = [];
  if (o.lossyFiles > 0) why.push(`${o.lossyFiles} mask(s) are stored as JPEG, a lossy format`);
  if (list.length > 0) {
    why.push(
      `${list.length} values occur only as thin bands along the edges between other values (on ramps between their neighbours, or as noise next to a ` +
        'far more frequent value): what resizing with interpolation or JPEG compression leaves behind',
    );
  }
  return { values: list, pixels, fraction, lossyFiles: o.lossyFiles, reason: why.join('; ') };
}
