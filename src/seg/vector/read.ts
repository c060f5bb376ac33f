// Reading one image's ground truth from a GeoJSON file (one per image) or a COCO file (one for all
// images): the file read, the image's size taken from the image itself, the objects painted by
// class name. A COCO file is parsed once and kept while it is unchanged on disk (a project reads
// it once per image).
import { readFile, stat } from 'node:fs/promises';
import type { ClassTable } from '../classes.ts';
import { FileError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import type { LabelMap } from '../types.ts';
import { cocoToLabels, parseCoco } from './coco.ts';
import type { CocoFile } from './coco.ts';
import { geoJsonToLabels } from './geojson.ts';
import { classResolver } from './paint.ts';

const cache = new Map<string, { key: string; coco: CocoFile }>();

async function text(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new FileError(file, `Cannot read ${file}: ${(e as Error).message}.`);
  }
}

/** The parsed COCO file, from the cache while its size and time are unchanged. */
export async function readCocoFile(file: string): Promise<CocoFile> {
  const s = await stat(file).catch(() => null);
  if (!s) throw new FileError(file, `The COCO annotation file ${file} does not exist. Check "maskFormat.file" in seglens.json.`);
  const key = `${s.size}:${s.mtimeMs}`;
  const hit = cache.get(file);
  if (hit && hit.key === key) return hit.coco;
  const coco = parseCoco(await text(file), file);
  if (cache.size > 8) cache.delete(cache.keys().next().value!);
  cache.set(file, { key, coco });
  return coco;
}

export interface VectorRead {
  labels: LabelMap;
  problems: Problem[];
}

export async function readGeoJsonLabels(file: string, shown: string, size: { width: number; height: number }, table: ClassTable, unclassified?: string): Promise<VectorRead> {
  const r = geoJsonToLabels(await text(file), shown, size.width, size.height, table, classResolver(table, unclassified));
  return r;
}

export async function readCocoLabels(file: string, shown: string, imageId: number | string, size: { width: number; height: number }, table: ClassTable): Promise<VectorRead> {
  return cocoToLabels(await readCocoFile(file), imageId, shown, size.width, size.height, table, classResolver(table));
}
