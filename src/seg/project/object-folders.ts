// Pairs of images with folders of object masks (maskFormat `objects`), in the two layouts found in
// the wild, and how init recognises them:
// - `mask-folders`: images/<name>.png and masks/<name>/<one binary mask per object>;
// - `image-folders` (Kaggle Data Science Bowl 2018): <root>/<name>/images/<name>.png and
//   <root>/<name>/masks/<one binary mask per object>.
// Problems follow pairing.ts's policy: an image without objects folder is a warning (it can be
// predicted, not trained on); a folder of objects without image is an error.
import { existsSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import { SUPPORTED_EXTENSIONS, listFolder, stemOf } from './files.ts';
import type { FolderListing } from './files.ts';
import { duplicateProblems, groupByStem, shownPath, unsupportedProblems } from './match.ts';
import type { Pair } from './pairing.ts';

export type ObjectLayout = 'mask-folders' | 'image-folders';

export interface ObjectPairing {
  pairs: Pair[];
  problems: Problem[];
}

/** The supported files of a folder, absolute, in name order (an absent folder: none). */
async function objectFiles(dir: string, shown: string): Promise<{ files: string[]; listing?: FolderListing }> {
  if (!existsSync(dir)) return { files: [] };
  const listing = await listFolder(dir, shown, 'folder of object masks');
  return { files: listing.files.map((f) => join(dir, f)), listing };
}

/** images/<name>.* with masks/<name>/ (one folder of object masks per image). */
export async function listMaskFolderPairs(imagesDir: string, imagesShown: string, masksDir: string, masksShown: string): Promise<ObjectPairing> {
  const images = await listFolder(imagesDir, imagesShown, 'image folder');
  if (images.files.length === 0) throw new ConfigError(`The image folder ${imagesShown} holds no images (supported: ${SUPPORTED_EXTENSIONS.join(' ')}).`, { folder: imagesShown });
  const masks = await listFolder(masksDir, masksShown, 'mask folder');
  const problems: Problem[] = [...unsupportedProblems(images, SUPPORTED_EXTENSIONS)];
  const stems = groupByStem(images.files);
  problems.push(...duplicateProblems(images, stems, 'image'));
  const folders = new Set(masks.subfolders);
  const pairs: Pair[] = [];
  for (const [stem, names] of stems) {
    if (names.length > 1) continue;
    if (!folders.has(stem)) {
      problems.push({
        code: 'missing-partner',
        severity: 'warning',
        file: shownPath(images, names[0]),
        message: `Image ${names[0]} has no folder of object masks ${posix.join(masksShown, stem)}/: it can be predicted but not trained on.`,
        hint: `Put its object masks (one binary mask per object) in ${posix.join(masksShown, stem)}/ if it is meant for training.`,
      });
      continue;
    }
    const dir = join(masksDir, stem);
    const { files, listing } = await objectFiles(dir, posix.join(masksShown, stem));
    if (listing) problems.push(...unsupportedProblems(listing, SUPPORTED_EXTENSIONS));
    pairs.push({ name: stem, image: resolve(imagesDir, names[0]), mask: dir, objectMasks: files });
  }
  for (const f of masks.subfolders) {
    if (stems.has(f)) continue;
    problems.push({
      code: 'missing-partner',
      severity: 'error',
      file: posix.join(masksShown, f),
      message: `The folder of object masks ${posix.join(masksShown, f)}/ has no image named "${f}" in ${imagesShown}, so it cannot be used.`,
      hint: 'Each folder of object masks must be named like its image without extension: rename the folder or add the image.',
    });
  }
  for (const f of masks.files) {
    problems.push({
      code: 'unsupported-format',
      severity: 'warning',
      file: shownPath(masks, f),
      message: `${f} is a file directly in ${masksShown}; object masks belong in one sub-folder per image, so it is skipped.`,
      hint: `Move it into the folder of its image (${masksShown}/<image name>/).`,
    });
  }
  return { pairs, problems };
}

/** <root>/<name>/images/<one image> with <root>/<name>/masks/<object masks> (Data Science Bowl 2018). */
export async function listImageFolderPairs(rootDir: string, rootShown: string): Promise<ObjectPairing> {
  const root = await listFolder(rootDir, rootShown, 'folder of image folders');
  if (root.subfolders.length === 0) {
    throw new ConfigError(`${rootShown} holds no image folders: the image-folders layout needs ${rootShown}/<name>/images/<image> and ${rootShown}/<name>/masks/<one mask per object>.`, { folder: rootShown });
  }
  const pairs: Pair[] = [];
  const problems: Problem[] = [];
  for (const name of root.subfolders) {
    const shown = posix.join(rootShown, name);
    const imgDir = join(rootDir, name, 'images');
    const imgs = existsSync(imgDir) ? await listFolder(imgDir, `${shown}/images`, 'image folder') : undefined;
    if (!imgs || imgs.files.length !== 1) {
      problems.push({
        code: imgs && imgs.files.length > 1 ? 'duplicate-stem' : 'missing-partner',
        severity: 'error',
        file: `${shown}/images`,
        message: imgs && imgs.files.length > 1 ? `${shown}/images/ holds ${imgs.files.length} images (${imgs.files.slice(0, 3).join(', ')}); one image per folder is expected.` : `${shown}/ has no image in ${shown}/images/.`,
        hint: 'Each image folder holds images/<the image> and masks/<one binary mask per object>.',
      });
      continue;
    }
    const { files, listing } = await objectFiles(join(rootDir, name, 'masks'), `${shown}/masks`);
    if (listing) problems.push(...unsupportedProblems(listing, SUPPORTED_EXTENSIONS));
    if (!listing) {
      problems.push({
        code: 'missing-partner',
        severity: 'warning',
        file: shown,
        message: `${shown}/ has no masks/ folder: its image can be predicted but not trained on.`,
        hint: `Put its object masks in ${shown}/masks/ if it is meant for training.`,
      });
      continue;
    }
    pairs.push({ name, image: join(imgDir, imgs.files[0]), mask: join(rootDir, name, 'masks'), objectMasks: files });
  }
  return { pairs, problems };
}

/**
 * Which object layout a folder holds, if any: `image-folders` when most of its sub-folders hold
 * images/ and masks/; `mask-folders` (for a given masks folder) when it holds sub-folders named like
 * the images and no mask files of its own.
 */
export async function detectImageFolders(dir: string): Promise<boolean> {
  const l = await listFolder(dir, dir, 'folder');
  if (l.subfolders.length === 0 || l.files.length > 0) return false;
  const sample = l.subfolders.slice(0, 20);
  const hits = sample.filter((s) => existsSync(join(dir, s, 'images')) && existsSync(join(dir, s, 'masks'))).length;
  return hits * 2 > sample.length;
}

export async function detectMaskFolders(imagesDir: string, masksDir: string): Promise<boolean> {
  const m = await listFolder(masksDir, masksDir, 'mask folder');
  if (m.subfolders.length === 0 || m.files.length > 0) return false;
  const images = await listFolder(imagesDir, imagesDir, 'image folder');
  const stems = new Set(images.files.map(stemOf));
  return m.subfolders.filter((s) => stems.has(s)).length * 2 > m.subfolders.length;
}
