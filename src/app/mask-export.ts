// `seglens export-masks PROJECT --format tiff|geojson|coco --out DIR [--pred DIR]`: a project's
// masks (the current ground truth: edited masks where the editor saved one, else the imported
// ones) or predicted label masks (`seglens predict`'s output, in the class table's stored values)
// in the formats other tools read:
//   tiff     <image>.tif, 16-bit grey, pixel = class id (0, 1, ...), 65535 = unlabelled, and
//            classes.json, the class table for these files (`--classes DIR/classes.json` reads them)
//   geojson  <image>.geojson, QuPath's object GeoJSON (src/seg/vector/geojson.ts)
//   coco     annotations.json, one COCO file for all images (CVAT's COCO 1.0; src/seg/vector/coco.ts)
// Written through the project's write gate into DIR only, which must be new or empty: nothing is
// replaced, and nothing lands among the project's images or masks.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { encodeTiff } from '../seg/image-encode.ts';
import { openDataset, readPairLabels } from '../seg/dataset/index.ts';
import type { ClassTable } from '../seg/classes.ts';
import { ConfigError } from '../seg/errors.ts';
import { problemFromError } from '../seg/image-errors.ts';
import { readRawMask } from '../seg/image-io.ts';
import { labelsFromRaw } from '../seg/masks.ts';
import type { Problem } from '../seg/problems.ts';
import { foldersOf, projectGate, stemOf } from '../seg/project/index.ts';
import { IGNORE } from '../seg/types.ts';
import type { LabelMap } from '../seg/types.ts';
import { labelsToCoco } from '../seg/vector/coco.ts';
import { labelsToGeoJson } from '../seg/vector/geojson.ts';

export const MASK_EXPORT_FORMATS = ['tiff', 'geojson', 'coco'] as const;
export type MaskExportFormat = (typeof MASK_EXPORT_FORMATS)[number];
export const TIFF_UNLABELLED = 65535;
export const COCO_FILE = 'annotations.json';
export const TIFF_CLASSES_FILE = 'classes.json';

export interface MaskExportOptions {
  project: string;
  format: MaskExportFormat;
  out: string;
  /** A folder of predicted label masks (<image name>.png) instead of the ground truth. */
  pred?: string;
  onProgress?: (done: number, total: number, item: string) => void;
}

export interface MaskExportResult {
  out: string;
  format: MaskExportFormat;
  source: 'ground truth' | 'predictions';
  /** Files written, relative to `out`. */
  files: string[];
  images: number;
  objects: number;
  problems: Problem[];
}

/** The class table of 16-bit class-id TIFFs: class i is value i, 65535 unlabelled. */
export function tiffClassTable(table: ClassTable): ClassTable {
  return { classes: table.classes.map((c, i) => ({ name: c.name, values: [i], color: c.color })), background: table.background, ignore: [TIFF_UNLABELLED] };
}

async function labelTiff(labels: LabelMap): Promise<Buffer> {
  const v = new Uint16Array(labels.data.length);
  for (let i = 0; i < v.length; i++) v[i] = labels.data[i] === IGNORE ? TIFF_UNLABELLED : labels.data[i];
  return encodeTiff({ data: v, width: labels.width, height: labels.height, channels: 1 });
}

export async function exportMasks(o: MaskExportOptions): Promise<MaskExportResult> {
  const ds = await openDataset(o.project);
  const table = ds.project.classes;
  if (ds.project.overlapping) {
    // One class id per pixel (TIFF, GeoJSON classes, COCO categories as exported here) cannot hold
    // a pixel of two classes: exporting would drop the overlaps without saying so.
    throw new ConfigError(
      `${ds.dir} has overlapping classes ("overlapping": true): its per-class masks are already the exchange format (one binary mask per class), and a class-id export would lose every pixel of two classes. Copy the per-class folders instead; \`seglens predict\` writes predictions the same way (<out>/<class>/).`,
      { project: ds.dir },
    );
  }
  const out = resolve(o.out);
  if (existsSync(out) && (await readdir(out)).length > 0) {
    throw new ConfigError(`${out} is not empty; seglens export-masks writes only into a new or empty folder, so that nothing is replaced. Give another --out.`, { out });
  }
  const gate = await projectGate(ds.dir, foldersOf(ds.dir, ds.project), { who: 'seglens export-masks', roots: [{ dir: out, what: 'the --out folder' }], outsideOnly: true, pairs: ds.pairs });
  await gate.folder(out);
  const problems: Problem[] = [];
  // ---- what is exported: (name, image file name, labels) per image
  const items: Array<{ name: string; image: string; read: () => Promise<LabelMap> }> = [];
  if (o.pred) {
    const dir = resolve(o.pred);
    if (!existsSync(dir)) throw new ConfigError(`The prediction folder ${dir} does not exist. Predict first: seglens predict RUN IMAGES --out ${o.pred}.`, { pred: dir });
    const have = new Map((await readdir(dir)).filter((f) => /\.png$/i.test(f)).map((f) => [stemOf(f), join(dir, f)]));
    const images = [...new Map([...ds.pairs.map((p) => [p.name, p.image] as const)])];
    for (const [name, image] of images) {
      const file = have.get(name);
      if (!file) continue;
      items.push({ name, image: basename(image), read: async () => labelsFromRaw(await readRawMask(file), table, file).labels });
    }
    if (items.length === 0) throw new ConfigError(`${dir} holds no predicted mask named like an image of the project (<image name>.png, as seglens predict writes them).`, { pred: dir });
  } else {
    for (const p of ds.pairs) {
      items.push({
        name: p.name,
        image: basename(p.image),
        read: async () => {
          const r = await readPairLabels(ds.project, p);
          problems.push(...r.problems);
          return r.labels;
        },
      });
    }
    if (items.length === 0) throw new ConfigError(`${ds.dir} has no image with a mask to export.`, { project: ds.dir });
  }

  await gate.mkdir(out);
  const files: string[] = [];
  const coco: Array<{ fileName: string; labels: LabelMap }> = [];
  let objects = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    o.onProgress?.(i, items.length, it.name);
    let labels: LabelMap;
    try {
      labels = await it.read();
    } catch (e) {
      problems.push(problemFromError(e, it.name));
      continue;
    }
    if (o.format === 'tiff') {
      await gate.writeFile(join(out, `${it.name}.tif`), await labelTiff(labels));
      files.push(`${it.name}.tif`);
    } else if (o.format === 'geojson') {
      const fc = labelsToGeoJson(labels, table, it.name);
      objects += fc.features.length;
      await gate.writeFile(join(out, `${it.name}.geojson`), JSON.stringify(fc));
      files.push(`${it.name}.geojson`);
    } else coco.push({ fileName: it.image, labels });
  }
  o.onProgress?.(items.length, items.length, '');
  if (o.format === 'coco') {
    const data = labelsToCoco(coco, table, `${o.pred ? 'predictions' : 'ground truth'} of seglens project ${basename(ds.dir)}`);
    objects = data.annotations.length;
    await gate.writeFile(join(out, COCO_FILE), JSON.stringify(data));
    files.push(COCO_FILE);
  }
  if (o.format === 'tiff') {
    await gate.writeJson(join(out, TIFF_CLASSES_FILE), tiffClassTable(table));
    files.push(TIFF_CLASSES_FILE);
  }
  return { out, format: o.format, source: o.pred ? 'predictions' : 'ground truth', files, images: o.format === 'coco' ? coco.length : files.length - (o.format === 'tiff' ? 1 : 0), objects, problems };
}
