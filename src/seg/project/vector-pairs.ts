// Pairs of images with vector annotations (maskFormat `geojson` and `coco`):
// - geojson: masks/<image name>.geojson (or .json), one file per image, as QuPath exports them;
// - coco: one COCO file for all images (CVAT's annotations/instances_default.json), its images
//   matched with the image folder's by file name without folder and extension.
// Problems follow pairing.ts's policy: an image without annotations is a warning (it can be
// predicted, not trained on); annotations without an image are an error.
import { join, posix, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import { cocoStem } from '../vector/coco.ts';
import { readCocoFile } from '../vector/read.ts';
import { SUPPORTED_EXTENSIONS, listFolder, nameKey, stemOf } from './files.ts';
import { duplicateProblems, groupByStem, shownPath, unsupportedProblems } from './match.ts';
import type { Pair } from './pairing.ts';

export const GEOJSON_EXTENSIONS = ['.geojson', '.json'];
export const isGeoJsonName = (n: string) => /\.(geo)?json$/i.test(n);

async function imageStems(imagesDir: string, imagesShown: string) {
  const images = await listFolder(imagesDir, imagesShown, 'image folder');
  if (images.files.length === 0) throw new ConfigError(`The image folder ${imagesShown} holds no images (supported: ${SUPPORTED_EXTENSIONS.join(' ')}).`, { folder: imagesShown });
  const stems = groupByStem(images.files);
  return { images, stems, problems: [...unsupportedProblems(images, SUPPORTED_EXTENSIONS), ...duplicateProblems(images, stems, 'image')] };
}

export async function listGeoJsonPairs(imagesDir: string, imagesShown: string, masksDir: string, masksShown: string): Promise<{ pairs: Pair[]; problems: Problem[] }> {
  const { images, stems, problems } = await imageStems(imagesDir, imagesShown);
  const masks = await listFolder(masksDir, masksShown, 'mask folder');
  const geo = masks.unsupported.filter(isGeoJsonName);
  const geoStems = groupByStem(geo);
  problems.push(...duplicateProblems({ ...masks, files: geo }, geoStems, 'mask'));
  for (const f of [...masks.files, ...masks.unsupported.filter((n) => !isGeoJsonName(n))]) {
    problems.push({
      code: 'unsupported-format',
      severity: 'warning',
      file: shownPath(masks, f),
      message: `${f} is not a GeoJSON file; this project's masks are GeoJSON (maskFormat "geojson"), so it is skipped.`,
      hint: `Keep one <image name>.geojson per image in ${masksShown}, or change "maskFormat" in seglens.json.`,
    });
  }
  const pairs: Pair[] = [];
  for (const [stem, names] of stems) {
    if (names.length > 1) continue;
    const found = geoStems.get(stem);
    if (!found) {
      problems.push({
        code: 'missing-partner',
        severity: 'warning',
        file: shownPath(images, names[0]),
        message: `Image ${names[0]} has no annotations ${posix.join(masksShown, stemOf(names[0]) + '.geojson')}: it can be predicted but not trained on.`,
        hint: 'Export its annotations from QuPath (File > Export objects as GeoJSON) under the image name if it is meant for training.',
      });
      continue;
    }
    if (found.length > 1) continue;
    pairs.push({ name: stemOf(names[0]), image: resolve(imagesDir, names[0]), mask: join(masksDir, found[0]) });
  }
  for (const [stem, names] of geoStems) {
    if (stems.has(stem)) continue;
    problems.push({
      code: 'missing-partner',
      severity: 'error',
      file: shownPath(masks, names[0]),
      message: `The annotations ${shownPath(masks, names[0])} have no image named "${stemOf(names[0])}" in ${imagesShown}, so they cannot be used.`,
      hint: 'Name each GeoJSON file like its image without extension (QuPath uses the image name): rename it or add the image.',
    });
  }
  return { pairs, problems };
}

export async function listCocoPairs(imagesDir: string, imagesShown: string, cocoFile: string, cocoShown: string): Promise<{ pairs: Pair[]; problems: Problem[] }> {
  const { images, stems, problems } = await imageStems(imagesDir, imagesShown);
  const coco = await readCocoFile(cocoFile);
  const byStem = new Map<string, Array<{ id: number | string; file_name: string }>>();
  for (const im of coco.images) {
    const k = nameKey(cocoStem(im.file_name));
    byStem.set(k, [...(byStem.get(k) ?? []), im]);
  }
  const pairs: Pair[] = [];
  for (const [stem, names] of stems) {
    if (names.length > 1) continue;
    const entries = byStem.get(stem);
    if (!entries) {
      problems.push({
        code: 'missing-partner',
        severity: 'warning',
        file: shownPath(images, names[0]),
        message: `Image ${names[0]} is not in ${cocoShown}: it can be predicted but not trained on.`,
        hint: 'Annotate it in CVAT and export the task again (COCO 1.0) if it is meant for training.',
      });
      continue;
    }
    if (entries.length > 1) {
      problems.push({
        code: 'duplicate-stem',
        severity: 'error',
        file: cocoShown,
        message: `${cocoShown} lists ${entries.length} images named "${stem}" (${entries.map((e) => e.file_name).join(', ')}); seglens matches images by name without folder and extension, so it cannot tell which one is meant.`,
        hint: 'Give the images distinct names before annotating, or split the COCO file by folder.',
      });
      continue;
    }
    pairs.push({ name: stemOf(names[0]), image: resolve(imagesDir, names[0]), mask: cocoFile, cocoImage: entries[0].id });
  }
  for (const [stem, entries] of byStem) {
    if (stems.has(stem)) continue;
    problems.push({
      code: 'missing-partner',
      severity: 'error',
      file: cocoShown,
      message: `${cocoShown} annotates ${entries[0].file_name}, which is not in ${imagesShown}, so its annotations cannot be used.`,
      hint: `Put the image in ${imagesShown} under the same name, or remove it from the CVAT task.`,
    });
  }
  return { pairs, problems };
}
