// Which image goes with which mask. listPairs lists the folders, pairs by the project's rule and
// reports every problem it meets (one Problem each) instead of stopping at the first. Only a
// folder that is missing or holds no image at all stops it (ConfigError: there is nothing to list).
//
// Severity policy:
// - image without mask: warning (it can be predicted, not trained on);
// - mask without image: error (an annotation silently unused almost always means a pairing that is
//   wrong, e.g. names that differ between the folders);
// - two files with one stem, sorted pairing with unequal counts, listed files that do not exist:
//   error; files of unsupported types: warning (skipped).
import { posix, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import { SUPPORTED_EXTENSIONS, listFolder, stemOf } from './files.ts';
import type { FolderListing } from './files.ts';
import { perClassFolders, resolveProjectPaths } from './load.ts';
import { duplicateProblems, groupByStem, matchBySorted, matchByStem, shownPath, unsupportedProblems } from './match.ts';
import type { FolderMatch } from './match.ts';
import { listImageFolderPairs, listMaskFolderPairs } from './object-folders.ts';
import { pairFromList } from './pair-list.ts';
import { listCocoPairs, listGeoJsonPairs } from './vector-pairs.ts';
import type { Project, PairingRule } from './schema.ts';

export interface Pair {
  /** The image's name everywhere (metrics, split, runs): its file name without extension. */
  name: string;
  /** Absolute path of the image. */
  image: string;
  /** Absolute path of the mask (per-class masks: the first class folder's file). */
  mask: string;
  /** Per-class masks only: class name -> absolute path of its binary mask. */
  classMasks?: Record<string, string>;
  /** Object masks only (`mask` is then the image's folder): absolute paths of its binary object masks, in name order. */
  objectMasks?: string[];
  /** COCO masks only (`mask` is then the COCO file): the id of this image in it. */
  cocoImage?: number | string;
  /**
   * The mask is an edit saved by seglens (masks-edited/, pixel value = class id, 255 =
   * unlabelled) that supersedes the imported one, whatever the project's mask format.
   */
  edited?: boolean;
}

export interface PairingResult {
  rule: PairingRule;
  pairs: Pair[];
  problems: Problem[];
}

export interface PairingSpec {
  /** Folder the other paths are relative to (default: the working directory). Messages show them as given. */
  base?: string;
  imagesDir: string;
  /** Folder of masks; not needed with classFolders. */
  masksDir?: string;
  rule: PairingRule;
  /** For rule `list`: image relative to imagesDir, mask relative to masksDir (or absolute). */
  pairs?: { image: string; mask: string }[];
  /** Per-class binary masks: class name -> folder. */
  classFolders?: Record<string, string>;
}

export type PairingSource = PairingSpec | { dir: string; project: Project };

interface Folders {
  images: { dir: string; shown: string };
  masks: { name: string | undefined; dir: string; shown: string }[];
  rule: PairingRule;
  list?: { image: string; mask: string }[];
}

function foldersOf(source: PairingSource): Folders {
  if ('project' in source) {
    const { project } = source;
    const paths = resolveProjectPaths(source);
    const f = project.maskFormat;
    return {
      images: { dir: paths.images, shown: project.images },
      masks:
        f.kind === 'per-class'
          ? perClassFolders(f).map(([name, shown]) => ({ name, dir: paths.classFolders![name], shown }))
          : [{ name: undefined, dir: paths.masks!, shown: project.masks! }],
      rule: project.pairing.rule,
      list: project.pairing.rule === 'list' ? project.pairing.pairs : undefined,
    };
  }
  const abs = (p: string) => resolve(source.base ?? '.', p);
  const masks = source.classFolders
    ? Object.entries(source.classFolders).map(([name, shown]) => ({ name, dir: abs(shown), shown }))
    : source.masksDir !== undefined
      ? [{ name: undefined, dir: abs(source.masksDir), shown: source.masksDir }]
      : [];
  if (masks.length === 0) throw new ConfigError('No mask folder given: pass the folder of masks (or one folder per class).');
  return { images: { dir: abs(source.imagesDir), shown: source.imagesDir }, masks, rule: source.rule, list: source.pairs };
}

export async function listPairs(source: PairingSource): Promise<PairingResult> {
  if ('project' in source && source.project.maskFormat.kind === 'objects') {
    const paths = resolveProjectPaths(source);
    const { project } = source;
    const r =
      source.project.maskFormat.layout === 'image-folders'
        ? await listImageFolderPairs(paths.images, project.images)
        : await listMaskFolderPairs(paths.images, project.images, paths.masks!, project.masks!);
    return { rule: 'stem', ...r };
  }
  if ('project' in source && (source.project.maskFormat.kind === 'geojson' || source.project.maskFormat.kind === 'coco')) {
    const paths = resolveProjectPaths(source);
    const { project } = source;
    const r =
      project.maskFormat.kind === 'coco'
        ? await listCocoPairs(paths.images, project.images, paths.cocoFile!, project.maskFormat.file)
        : await listGeoJsonPairs(paths.images, project.images, paths.masks!, project.masks!);
    return { rule: 'stem', ...r };
  }
  const f = foldersOf(source);
  if (f.rule === 'list') {
    if (f.masks.length !== 1 || f.masks[0].name !== undefined) {
      throw new ConfigError('List pairing names one mask per image: it cannot be used with per-class mask folders. Use stem or sorted pairing.');
    }
    if (!f.list || f.list.length === 0) throw new ConfigError('List pairing needs "pairs": [{"image": ..., "mask": ...}, ...] with at least one pair.');
    return { rule: 'list', ...(await pairFromList(f.images, f.masks[0], f.list)) };
  }
  const images = await listFolder(f.images.dir, f.images.shown, 'image folder');
  requireFiles(images, 'image folder', 'images');
  const problems: Problem[] = [...unsupportedProblems(images, SUPPORTED_EXTENSIONS)];
  const imageStems = groupByStem(images.files);
  problems.push(...duplicateProblems(images, imageStems, 'image'));

  const matches: { name: string | undefined; folder: FolderListing; match: FolderMatch }[] = [];
  for (const m of f.masks) {
    const what = m.name === undefined ? 'mask folder' : `mask folder of class "${m.name}"`;
    const folder = await listFolder(m.dir, m.shown, what);
    requireFiles(folder, what, 'masks');
    const note = m.name === undefined ? '' : ` (class "${m.name}")`;
    problems.push(...unsupportedProblems(folder, SUPPORTED_EXTENSIONS));
    const maskStems = groupByStem(folder.files);
    problems.push(...duplicateProblems(folder, maskStems, 'mask'));
    const match = f.rule === 'stem' ? matchByStem(images, [...imageStems.keys()], folder, note) : matchBySorted(images, folder, note);
    problems.push(...match.problems);
    matches.push({ name: m.name, folder, match });
  }

  const pairs: Pair[] = [];
  for (const [stem, names] of imageStems) {
    if (names.length > 1) continue; // reported as duplicate-stem
    const file = names[0];
    const found = matches.filter((m) => m.match.byImage.has(stem));
    const undecided = matches.some((m) => m.match.undecided === 'all' || m.match.undecided.has(stem));
    if (found.length === matches.length) {
      const path = (m: (typeof matches)[number]) => resolve(m.folder.dir, m.match.byImage.get(stem)!);
      // Matched by the NFC key; the image keeps its own name as written on disk.
      const pair: Pair = { name: stemOf(file), image: resolve(images.dir, file), mask: path(found[0]) };
      if (found[0].name !== undefined) pair.classMasks = Object.fromEntries(found.map((m) => [m.name!, path(m)]));
      pairs.push(pair);
    } else if (!undecided) {
      problems.push(missingMask(images, file, matches.filter((m) => !m.match.byImage.has(stem)), found.length > 0));
    }
  }
  return { rule: f.rule, pairs, problems };
}

function requireFiles(folder: FolderListing, what: string, kind: string): void {
  if (folder.files.length > 0) return;
  const extra: string[] = [];
  if (folder.subfolders.length > 0) {
    extra.push(`It has sub-folders (${folder.subfolders.slice(0, 5).join(', ')}): point to the one that holds the ${kind}.`);
    if (kind === 'masks') {
      extra.push(
        'If there is one sub-folder per image holding one binary mask per object (named like the images), set "maskFormat" to {"kind": "objects", "className": ...} ' +
          '(seglens init recognises this layout); if there is one sub-folder per class holding one binary mask per image, set "maskFormat" to ' +
          '{"kind": "per-class", "folders": {class name: folder, ...}}.',
      );
    }
  }
  if (folder.unsupported.length > 0) extra.push(`It holds ${folder.unsupported.length} file(s) of other types (e.g. ${folder.unsupported[0]}): convert them to PNG or TIFF.`);
  throw new ConfigError(
    `The ${what} ${folder.shown} holds no ${kind} (supported: ${SUPPORTED_EXTENSIONS.join(' ')}). ${extra.join(' ') || `Put the ${kind} there or give the right folder.`}`,
    { folder: folder.shown },
  );
}

function missingMask(images: FolderListing, file: string, lacking: { name: string | undefined; folder: FolderListing }[], partial: boolean): Problem {
  const where = lacking.map((m) => m.folder.shown).join(', ');
  return {
    code: 'missing-partner',
    severity: 'warning',
    file: shownPath(images, file),
    message: partial
      ? `Image ${file} has no mask in ${where} (class ${lacking.map((m) => `"${m.name}"`).join(', ')}), so it cannot be trained on.`
      : `Image ${file} has no mask in ${where}: it can be predicted but not trained on.`,
    hint: partial
      ? 'Every class folder needs a mask for each image (an all-black mask when the class is absent).'
      : `Add its mask (same name without extension, e.g. ${posix.join(lacking[0].folder.shown, stemOf(file) + '.png')}) if it is meant for training.`,
  };
}
