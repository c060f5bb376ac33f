// COCO object annotations (cocodataset.org/#format-data), as CVAT imports and exports them ("COCO
// 1.0"): images, categories and one annotation per object (objects.ts) whose segmentation is an
// uncompressed RLE mask ({counts: [...], size: [h, w]}, iscrowd 1: exact pixels, what CVAT writes
// for its mask shapes). Reading also takes compressed RLE strings (pycocotools) and polygons
// (iscrowd 0, lists of x, y; filled by pixel centres like GeoJSON). Category names are matched with
// the class table's names; "Ignore*" marks unlabelled regions. Images are matched by file name
// without folder and extension.
import { z } from 'zod';
import type { ClassTable } from '../classes.ts';
import { backgroundId } from '../classes.ts';
import { FileError } from '../errors.ts';
import { unknownValuesProblem } from '../masks.ts';
import type { Problem } from '../problems.ts';
import { IGNORE } from '../types.ts';
import type { LabelMap } from '../types.ts';
import { IGNORE_CLASS, labelObjects } from './objects.ts';
import { Painter } from './paint.ts';
import type { ClassOf } from './paint.ts';
import { rasterizeRings } from './rasterize.ts';
import { decodeRle, encodeRle } from './rle.ts';
import type { Ring } from './trace.ts';

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory: string;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  segmentation: { size: [number, number]; counts: number[] };
  area: number;
  bbox: [number, number, number, number];
  iscrowd: 1;
  attributes: { occluded: boolean };
}

export interface CocoDataset {
  info: { description: string; version: string; date_created: string };
  licenses: Array<{ id: number; name: string; url: string }>;
  categories: CocoCategory[];
  images: CocoImage[];
  annotations: CocoAnnotation[];
}

/** Category id of each class (by class id) and of IGNORE: 1, 2, ... in class order, background left out. */
function categoryIds(table: ClassTable): { byClass: Map<number, number>; categories: CocoCategory[] } {
  const bg = backgroundId(table);
  const categories: CocoCategory[] = [];
  const byClass = new Map<number, number>();
  table.classes.forEach((c, i) => {
    if (i === bg) return;
    byClass.set(i, categories.length + 1);
    categories.push({ id: categories.length + 1, name: c.name, supercategory: '' });
  });
  byClass.set(IGNORE, categories.length + 1);
  categories.push({ id: categories.length + 1, name: IGNORE_CLASS, supercategory: '' });
  return { byClass, categories };
}

/** One COCO dataset for the label images of several images. */
export function labelsToCoco(images: Array<{ fileName: string; labels: LabelMap }>, table: ClassTable, description: string): CocoDataset {
  const { byClass, categories } = categoryIds(table);
  const annotations: CocoAnnotation[] = [];
  const cocoImages = images.map((im, k): CocoImage => {
    const { width: w, height: h } = im.labels;
    for (const o of labelObjects(im.labels, table, { polygons: false })) {
      const [x0, y0, x1, y1] = o.box;
      annotations.push({
        id: annotations.length + 1,
        image_id: k + 1,
        category_id: byClass.get(o.classId)!,
        segmentation: { size: [h, w], counts: encodeRle(o.member, w, h, o.box) },
        area: o.area,
        bbox: [x0, y0, x1 - x0 + 1, y1 - y0 + 1],
        iscrowd: 1,
        attributes: { occluded: false },
      });
    }
    return { id: k + 1, file_name: im.fileName, width: w, height: h };
  });
  return {
    info: { description, version: '1.0', date_created: new Date().toISOString() },
    licenses: [{ id: 0, name: '', url: '' }],
    categories,
    images: cocoImages,
    annotations,
  };
}

const id = z.union([z.number().int(), z.string().min(1)]);
const RleSchema = z.looseObject({ size: z.tuple([z.number().int().min(0), z.number().int().min(0)]), counts: z.union([z.array(z.number()), z.string()]) });
const CocoFileSchema = z.looseObject({
  images: z.array(z.looseObject({ id, file_name: z.string().min(1), width: z.number().int().positive().optional(), height: z.number().int().positive().optional() })),
  categories: z.array(z.looseObject({ id, name: z.string() })),
  annotations: z.array(
    z.looseObject({
      id: id.optional(),
      image_id: id,
      category_id: id,
      segmentation: z.union([RleSchema, z.array(z.array(z.number()))]).optional(),
      iscrowd: z.union([z.number(), z.boolean()]).optional(),
    }),
  ),
});
export type CocoFile = z.infer<typeof CocoFileSchema>;

/** Whether parsed JSON looks like a COCO dataset (what init recognises). */
export function isCocoData(data: unknown): boolean {
  return CocoFileSchema.safeParse(data).success;
}

export function parseCoco(text: string, file: string): CocoFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new FileError(file, `${file} is not valid JSON (${(e as Error).message}). Export the annotations again (CVAT: Export dataset, format COCO 1.0).`);
  }
  const r = CocoFileSchema.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new FileError(file, `${file} is not a COCO annotation file: ${issue.path.join('.') || '(top)'}: ${issue.message}. It needs "images", "categories" and "annotations".`);
  }
  return r.data;
}

/** File name without folder and extension: how COCO images are matched with the project's. */
export function cocoStem(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop()!;
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base).normalize('NFC');
}

/** The label image of one COCO image (`imageId`) of `width` x `height` pixels. */
export function cocoToLabels(coco: CocoFile, imageId: number | string, file: string, width: number, height: number, table: ClassTable, classOf: ClassOf): { labels: LabelMap; problems: Problem[] } {
  const image = coco.images.find((i) => i.id === imageId);
  const problems: Problem[] = [];
  if (image?.width !== undefined && image.height !== undefined && (image.width !== width || image.height !== height)) {
    problems.push({
      code: 'size-mismatch',
      severity: 'error',
      file,
      message: `${file} gives ${image.file_name} as ${image.width} x ${image.height}, but the image is ${width} x ${height}.`,
      hint: 'The annotations belong to another version of this image (resized or cropped): annotate this one, or use the image they were made on.',
      details: { coco: [image.width, image.height], image: [width, height] },
    });
    return { labels: { width, height, data: new Uint8Array(width * height).fill(IGNORE) }, problems };
  }
  const names = new Map(coco.categories.map((c) => [c.id, c.name]));
  const painter = new Painter(width, height);
  let unreadable = 0;
  for (const a of coco.annotations) {
    if (a.image_id !== imageId) continue;
    const name = names.get(a.category_id) ?? null;
    const paint = painter.painter(classOf(name), name ?? `category ${a.category_id}`);
    const s = a.segmentation;
    try {
      if (!s) unreadable++;
      else if (Array.isArray(s)) {
        const rings: Ring[] = s.filter((p) => p.length >= 6).map((p) => Array.from({ length: Math.floor(p.length / 2) }, (_, i) => [p[2 * i], p[2 * i + 1]] as [number, number]));
        // Each polygon of an annotation is one part of the object: filled on its own, then united.
        for (const r of rings) rasterizeRings([r], width, height, painter.runs(paint));
      } else {
        if (s.size[0] !== height || s.size[1] !== width) {
          throw new FileError(file, `annotation ${a.id ?? '?'} has a mask of ${s.size[1]} x ${s.size[0]} for a ${width} x ${height} image`);
        }
        decodeRle({ size: s.size, counts: s.counts }, paint);
      }
    } catch {
      unreadable++;
    }
  }
  const r = painter.finish(table, file);
  problems.push(...r.problems);
  const p = unknownValuesProblem(file, r.unknown, width * height);
  if (p) {
    problems.push({
      ...p,
      message: `Objects of categor${r.unknown.length === 1 ? 'y' : 'ies'} ${r.unknown.map((u) => `"${u.value}"`).join(', ')} are in no class of the class table; their ${r.unknown.reduce((s, u) => s + u.count, 0)} pixels are left unlabelled.`,
      hint: 'Add these names as classes in the class table (the name must match exactly), or rename the labels in CVAT.',
    });
  }
  if (unreadable > 0) {
    problems.push({
      code: 'not-a-label-image',
      severity: 'warning',
      file,
      message: `${unreadable} annotation(s) of ${image?.file_name ?? `image ${imageId}`} have no usable segmentation (no mask or polygon, or a mask of another size) and were skipped.`,
      hint: 'Export masks or polygons (CVAT: COCO 1.0 keeps both); boxes alone make no segmentation.',
      details: { unreadable },
    });
  }
  return { labels: r.labels, problems };
}
