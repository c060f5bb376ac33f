// QuPath-compatible GeoJSON (RFC 7946 FeatureCollection): one Feature per object (objects.ts), a
// Polygon (or MultiPolygon) in pixel coordinates (x right, y down, pixel (x, y) = the square
// [x, x+1] x [y, y+1], as QuPath writes them), holes kept as inner rings, the class as QuPath's
// `properties.classification` {name, color [r, g, b]}, `objectType` "annotation".
// Reading takes what QuPath (0.2 to 0.5) and other tools write: a FeatureCollection, an array of
// features or one feature; Polygon and MultiPolygon geometries (others are skipped and reported);
// the class from classification.name (or a classification string); features without one are
// "unclassified". Written then read, a label image comes back pixel for pixel.
import { z } from 'zod';
import type { ClassTable } from '../classes.ts';
import { FileError } from '../errors.ts';
import { unknownValuesProblem } from '../masks.ts';
import type { Problem } from '../problems.ts';
import { IGNORE } from '../types.ts';
import type { LabelMap } from '../types.ts';
import { IGNORE_CLASS, labelObjects } from './objects.ts';
import { Painter, UNCLASSIFIED } from './paint.ts';
import type { ClassOf } from './paint.ts';
import { rasterizeRings } from './rasterize.ts';
import type { Ring } from './trace.ts';

type Position = [number, number];

export interface GeoFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };
  properties: { objectType: 'annotation'; classification: { name: string; color: [number, number, number] }; isLocked: boolean; seglens: { classId: number | null; area: number } };
}

export interface GeoCollection {
  type: 'FeatureCollection';
  features: GeoFeature[];
}

const IGNORE_COLOR: [number, number, number] = [180, 180, 180];

function rgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** A closed GeoJSON ring: the first position repeated at the end. */
const closed = (r: Ring): Position[] => [...r.map(([x, y]) => [x, y] as Position), [r[0][0], r[0][1]]];

/** The objects of a label image as a FeatureCollection (`name` prefixes the feature ids). */
export function labelsToGeoJson(labels: LabelMap, table: ClassTable, name: string): GeoCollection {
  const features = labelObjects(labels, table).map((o, k): GeoFeature => {
    const polys = o.polygons.map((p) => [closed(p.exterior), ...p.holes.map(closed)]);
    const cls = o.classId === IGNORE ? { name: IGNORE_CLASS, color: IGNORE_COLOR } : { name: table.classes[o.classId].name, color: rgb(table.classes[o.classId].color) };
    return {
      type: 'Feature',
      id: `${name}-${k + 1}`,
      geometry: polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] } : { type: 'MultiPolygon', coordinates: polys },
      properties: { objectType: 'annotation', classification: cls, isLocked: false, seglens: { classId: o.classId === IGNORE ? null : o.classId, area: o.area } },
    };
  });
  return { type: 'FeatureCollection', features };
}

const PositionSchema = z.array(z.number().refine(Number.isFinite)).min(2);
const RingSchema = z.array(PositionSchema);
const GeometrySchema = z.looseObject({ type: z.string(), coordinates: z.unknown().optional() });
const FeatureSchema = z.looseObject({
  type: z.literal('Feature'),
  geometry: GeometrySchema.nullable(),
  properties: z.looseObject({ classification: z.union([z.string(), z.looseObject({ name: z.string() })]).optional().nullable() }).nullable().optional(),
});
const FileSchema = z.union([z.looseObject({ type: z.literal('FeatureCollection'), features: z.array(z.unknown()) }), z.array(z.unknown()), FeatureSchema]);

/** The features of a GeoJSON text, as QuPath and others write them. */
export function parseGeoJson(text: string, file: string): { features: Array<z.infer<typeof FeatureSchema>>; skipped: number } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new FileError(file, `${file} is not valid JSON (${(e as Error).message}). Export the annotations again (QuPath: File > Export objects as GeoJSON).`);
  }
  const top = FileSchema.safeParse(data);
  if (!top.success) throw new FileError(file, `${file} is JSON but not GeoJSON: expected a FeatureCollection, an array of features or one feature.`);
  const raw = Array.isArray(top.data) ? top.data : top.data.type === 'FeatureCollection' ? (top.data as { features: unknown[] }).features : [top.data];
  const features: Array<z.infer<typeof FeatureSchema>> = [];
  let skipped = 0;
  for (const f of raw) {
    const p = FeatureSchema.safeParse(f);
    if (p.success) features.push(p.data);
    else skipped++;
  }
  return { features, skipped };
}

/** The class name of a feature, or null when it has none. */
export function featureClass(f: z.infer<typeof FeatureSchema>): string | null {
  const c = f.properties?.classification;
  if (c === undefined || c === null) return null;
  return typeof c === 'string' ? c : c.name;
}

/** The polygons (each a list of rings) of a Polygon or MultiPolygon geometry; null for other kinds. */
export function polygonsOf(g: z.infer<typeof GeometrySchema> | null): Ring[][] | null {
  if (!g) return null;
  const ring = (r: unknown): Ring => {
    const parsed = RingSchema.parse(r).map((p) => [p[0], p[1]] as [number, number]);
    // GeoJSON repeats the first position at the end; the rasteriser closes rings itself.
    const last = parsed.at(-1);
    if (parsed.length > 1 && last && last[0] === parsed[0][0] && last[1] === parsed[0][1]) parsed.pop();
    return parsed;
  };
  if (g.type === 'Polygon') return [z.array(z.unknown()).parse(g.coordinates).map(ring)];
  if (g.type === 'MultiPolygon') return z.array(z.array(z.unknown())).parse(g.coordinates).map((p) => p.map(ring));
  if (g.type === 'GeometryCollection') {
    const geoms = z.array(GeometrySchema).parse((g as { geometries?: unknown }).geometries ?? []);
    return geoms.flatMap((x) => polygonsOf(x) ?? []);
  }
  return null;
}

export interface VectorLabels {
  labels: LabelMap;
  problems: Problem[];
}

/** A label image of `width` x `height` from a GeoJSON text. */
export function geoJsonToLabels(text: string, file: string, width: number, height: number, table: ClassTable, classOf: ClassOf): VectorLabels {
  const { features, skipped } = parseGeoJson(text, file);
  const painter = new Painter(width, height);
  let notAreas = skipped;
  let outside = 0;
  for (const f of features) {
    let polys: Ring[][] | null;
    try {
      polys = polygonsOf(f.geometry);
    } catch {
      polys = null;
    }
    if (!polys) {
      notAreas++;
      continue;
    }
    const name = featureClass(f);
    const paint = painter.painter(classOf(name), name);
    let inside = false;
    for (const rings of polys) rasterizeRings(rings, width, height, (y, x0, x1) => {
      inside = true;
      painter.runs(paint)(y, x0, x1);
    });
    if (!inside) outside++;
  }
  const r = painter.finish(table, file);
  const problems = [...r.problems];
  const p = unknownValuesProblem(file, r.unknown, width * height);
  if (p) {
    const names = r.unknown.map((u) => `"${u.value}"`).join(', ');
    problems.push({
      ...p,
      message: `Objects of class${r.unknown.length === 1 ? '' : 'es'} ${names} are in no class of the class table; their ${r.unknown.reduce((s, u) => s + u.count, 0)} pixels are left unlabelled.`,
      hint: r.unknown.some((u) => u.value === UNCLASSIFIED)
        ? 'Give every annotation a class in QuPath (or set "unclassified" in maskFormat to the class they are), and add the other names as classes in the class table.'
        : 'Add these names as classes in the class table (the name must match exactly), or rename the classes in QuPath / CVAT.',
    });
  }
  if (notAreas > 0 || outside > 0) {
    problems.push({
      code: 'not-a-label-image',
      severity: 'warning',
      file,
      message: `${notAreas ? `${notAreas} feature(s) are no area (points, lines or unreadable) and were skipped` : ''}${notAreas && outside ? '; ' : ''}${outside ? `${outside} object(s) cover no pixel of the ${width} x ${height} image` : ''}.`,
      hint: 'Only polygons make masks. Objects outside the image usually mean the annotations belong to another image, or to another resolution of it.',
      details: { notAreas, outside },
    });
  }
  return { labels: r.labels, problems };
}
