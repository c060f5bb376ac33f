// `seglens init` on vector annotations: a folder of GeoJSON files (QuPath's "Export objects as
// GeoJSON", one file per image) or a COCO file (CVAT's "COCO 1.0" export,
// annotations/instances_default.json). Recognised by content, not by name; the class table is
// proposed from the class names found (the background first, then the names in alphabetical
// order; "Ignore*" regions stay unlabelled; objects without a class become "object"), and every
// image's annotations are painted once to count pixels per class and report overlaps and strays.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseClassTable } from '../classes.ts';
import { problemFromError } from '../image-errors.ts';
import { imageInfo } from '../image-io.ts';
import type { Problem } from '../problems.ts';
import { IGNORE } from '../types.ts';
import { isCocoData } from '../vector/coco.ts';
import { featureClass, parseGeoJson } from '../vector/geojson.ts';
import { IGNORE_CLASS } from '../vector/objects.ts';
import { readCocoFile, readCocoLabels, readGeoJsonLabels } from '../vector/read.ts';
import type { InitOptions, InitProposal } from './init.ts';
import { toProjectPath } from './load.ts';
import { BACKGROUND_COLOR, classColor } from '../class-colors.ts';
import type { Proposal } from './propose.ts';
import { ValueCounter } from './scan.ts';
import type { MaskFormat } from './schema.ts';
import { isGeoJsonName, listCocoPairs, listGeoJsonPairs } from './vector-pairs.ts';

export type VectorSource = { kind: 'geojson'; masksAbs: string } | { kind: 'coco'; file: string };

async function json(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Names of COCO files CVAT and others write, tried first. */
const COCO_NAMES = /^(instances_.*|annotations?|coco.*|.*_coco)\.json$/i;

/** A COCO file among the JSON files of `dir` (CVAT's instances_default.json first). */
async function cocoIn(dir: string): Promise<string | undefined> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.json$/i.test(n) && !/^seglens/i.test(n));
  names.sort((a, b) => Number(COCO_NAMES.test(b)) - Number(COCO_NAMES.test(a)) || a.localeCompare(b));
  for (const n of names.slice(0, 8)) if (isCocoData(await json(join(dir, n)))) return join(dir, n);
  return undefined;
}

/**
 * What vector annotations `masks` (a folder or a file) holds, if any: a COCO file, or GeoJSON files
 * (most of its files end in .geojson / .json and the first parses as GeoJSON).
 */
export async function detectVectorMasks(masks: string): Promise<VectorSource | undefined> {
  const s = await stat(masks).catch(() => null);
  if (!s) return undefined;
  if (s.isFile()) return /\.json$/i.test(masks) && isCocoData(await json(masks)) ? { kind: 'coco', file: masks } : undefined;
  const names = (await readdir(masks)).filter((n) => !n.startsWith('.'));
  const geo = names.filter(isGeoJsonName);
  if (geo.length === 0) return undefined;
  const coco = await cocoIn(masks);
  if (coco) return { kind: 'coco', file: coco };
  if (geo.length * 2 < names.length) return undefined;
  try {
    parseGeoJson(await readFile(join(masks, geo[0]), 'utf8'), geo[0]);
    return { kind: 'geojson', masksAbs: masks };
  } catch {
    return undefined;
  }
}

/** A COCO file in the project folder itself or its annotations/ folder (a CVAT export unpacked). */
export async function findCocoFile(root: string): Promise<string | undefined> {
  return (await cocoIn(root)) ?? (await cocoIn(join(root, 'annotations')));
}

/** What init would write for vector annotations (init.ts writes it through the project's gate). */
export async function proposeVectorProject(root: string, f: { images: string; imagesAbs: string; source: VectorSource; masks?: string }, opts: InitOptions, notes: string[]): Promise<InitProposal> {
  const show = (p: string) => relative(root, p) || p;
  const src = f.source;
  // ---- class names and how often each appears
  const counts = new Map<string, number>();
  let unclassified = 0;
  const problems: Problem[] = [];
  const listed =
    src.kind === 'coco'
      ? await listCocoPairs(f.imagesAbs, f.images, src.file, show(src.file))
      : await listGeoJsonPairs(f.imagesAbs, f.images, src.masksAbs, f.masks!);
  problems.push(...listed.problems);
  if (src.kind === 'coco') {
    const coco = await readCocoFile(src.file);
    const names = new Map(coco.categories.map((c) => [c.id, c.name]));
    for (const a of coco.annotations) {
      const n = names.get(a.category_id);
      if (n === undefined) unclassified++;
      else counts.set(n, (counts.get(n) ?? 0) + 1);
    }
  } else {
    for (const p of listed.pairs) {
      try {
        for (const feat of parseGeoJson(await readFile(p.mask, 'utf8'), show(p.mask)).features) {
          const n = featureClass(feat);
          if (n === null) unclassified++;
          else counts.set(n, (counts.get(n) ?? 0) + 1);
        }
      } catch (e) {
        problems.push({ ...problemFromError(e, p.mask), file: show(p.mask) });
      }
    }
  }
  counts.delete(IGNORE_CLASS);
  const names = [...counts.keys()].sort((a, b) => a.localeCompare(b));
  const bgName = names.find((n) => n.toLowerCase() === 'background') ?? 'background';
  const fg = names.filter((n) => n !== bgName);
  const objectName = unclassified > 0 ? (fg.includes('object') ? 'object (unclassified)' : 'object') : undefined;
  if (objectName) fg.push(objectName);
  const classes = [bgName, ...fg];
  const table = parseClassTable({
    classes: classes.map((name, i) => ({ name, values: [i], color: i === 0 ? BACKGROUND_COLOR : classColor(i - 1) })),
    background: bgName,
    ignore: [],
  });
  const maskFormat: MaskFormat = src.kind === 'coco' ? { kind: 'coco', file: toProjectPath(root, src.file) } : { kind: 'geojson', ...(objectName ? { unclassified: objectName } : {}) };

  // ---- every image's annotations painted once: pixels per class, overlaps, names not found
  const counter = new ValueCounter();
  for (let i = 0; i < listed.pairs.length; i++) {
    const p = listed.pairs[i];
    opts.onProgress?.(i, listed.pairs.length);
    try {
      const size = await imageInfo(p.image, { page: opts.imagePage ?? 0, ...(opts.maxPixels ? { maxPixels: opts.maxPixels } : {}) });
      const r = src.kind === 'coco' ? await readCocoLabels(p.mask, show(p.mask), p.cocoImage!, size, table) : await readGeoJsonLabels(p.mask, show(p.mask), size, table, objectName);
      problems.push(...r.problems);
      counter.add({ width: r.labels.width, height: r.labels.height, channels: 1, bitDepth: 8, data: r.labels.data });
    } catch (e) {
      problems.push({ ...problemFromError(e, p.mask), file: show(p.mask) });
    }
  }
  opts.onProgress?.(listed.pairs.length, listed.pairs.length);
  const where = src.kind === 'coco' ? `one COCO file, ${show(src.file)} (CVAT's COCO 1.0)` : `one GeoJSON file per image in ${f.masks}/ (QuPath's GeoJSON export)`;
  notes.push(
    `Masks are vector annotations: ${where}; ${listed.pairs.length} image(s) with ${[...counts.values()].reduce((a, b) => a + b, 0) + unclassified} object(s). ` +
      `Classes are matched by name: ${fg.length ? fg.map((n) => `"${n}"`).join(', ') : 'none found'}; pixels outside every object are "${bgName}"; "${IGNORE_CLASS}" regions are unlabelled.`,
  );
  if (objectName) notes.push(`${unclassified} object(s) have no class: they are read as "${objectName}" ("unclassified" in maskFormat); rename it, or classify them in QuPath.`);
  const proposal: Proposal = {
    table,
    maskFormat,
    assignments: [...classes.map((className, value) => ({ value, className })), { value: IGNORE, className: 'unlabelled (Ignore*, overlaps, unknown names)' }],
    notes: [],
  };
  return {
    dir: root,
    folders: { images: f.imagesAbs, ...(src.kind === 'geojson' ? { masks: src.masksAbs } : {}) },
    pairs: listed.pairs.map((p) => ({ name: p.name, image: p.image, mask: p.mask })),
    project: {
      images: f.images,
      ...(src.kind === 'geojson' ? { masks: f.masks } : {}),
      pairing: { rule: 'stem' },
      maskFormat,
      imagePage: opts.imagePage ?? 0,
      ...(opts.maxPixels !== undefined ? { maxPixels: opts.maxPixels } : {}),
      classes: table,
    },
    pairing: { rule: 'stem', chosen: opts.pairing && opts.pairing !== 'auto' ? 'given' : 'auto', pairs: listed.pairs.length },
    scan: counter.result(),
    proposal,
    problems,
    notes,
  };
}
