// Matching the images of one folder with the masks of another, by stem or by sorted order. Each
// problem found becomes one Problem; matching carries on past it.
import { posix } from 'node:path';
import type { Problem } from '../problems.ts';
import { escapedName, nameKey, stemOf } from './files.ts';
import type { FolderListing } from './files.ts';

/** How a file is named in messages: the folder as the user wrote it, then the file name. */
export function shownPath(folder: FolderListing, name: string): string {
  return posix.join(folder.shown.split('\\').join('/'), name);
}

/** stem (compared as nameKey: NFC) -> file names with that stem (more than one = a duplicate). */
export function groupByStem(names: string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const n of names) {
    const s = nameKey(stemOf(n));
    const list = m.get(s);
    if (list) list.push(n);
    else m.set(s, [n]);
  }
  return m;
}

export function duplicateProblems(folder: FolderListing, byStem: Map<string, string[]>, what: string): Problem[] {
  const out: Problem[] = [];
  for (const [stem, names] of byStem) {
    if (names.length < 2) continue;
    // Names that differ only in their Unicode form print alike: show their code points.
    const lookAlike = new Set(names.map(stemOf)).size > 1;
    const shown = (n: string) => (lookAlike ? escapedName(shownPath(folder, n)) : shownPath(folder, n));
    out.push({
      code: 'duplicate-stem',
      severity: 'error',
      file: shownPath(folder, names[0]),
      message:
        `${names.length} ${what} files share the name "${stem}": ${names.map(shown).join(', ')}${lookAlike ? ' (they differ only in how their accented letters are encoded, NFC or NFD)' : ''}; ` +
        `seglens names ${what === 'image' ? 'an image' : 'a mask'} by its file name without extension, so it cannot tell which one is meant.`,
      hint: `Keep one of them in ${folder.shown} (move or rename the others); "${stem}" is left out until then.`,
      details: { stem, files: names.map((n) => shownPath(folder, n)) },
    });
  }
  return out;
}

export function unsupportedProblems(folder: FolderListing, supported: readonly string[]): Problem[] {
  return folder.unsupported.map((n) => ({
    code: 'unsupported-format' as const,
    severity: 'warning' as const,
    file: shownPath(folder, n),
    message: `${n} is not a file type seglens reads, so it is skipped.`,
    hint: `Supported types: ${supported.join(' ')}. Convert it to PNG or TIFF if it is data, or move it out of ${folder.shown}.`,
  }));
}

/** Image stem -> mask file name, plus problems about this mask folder. */
export interface FolderMatch {
  byImage: Map<string, string>;
  problems: Problem[];
  /** Image stems this folder could not decide about (its own duplicates, or a count mismatch). */
  undecided: Set<string> | 'all';
}

/**
 * By identical stem (case-sensitive). A mask without an image is an error: an annotation that is
 * silently unused usually means the names differ between the folders (a pairing that is wrong for
 * every file), and the fix is quick (rename, move, or an explicit list).
 */
export function matchByStem(images: FolderListing, imageStems: string[], masks: FolderListing, classNote = ''): FolderMatch {
  const byMaskStem = groupByStem(masks.files);
  const problems: Problem[] = [];
  const byImage = new Map<string, string>();
  const undecided = new Set<string>();
  const imageSet = new Set(imageStems);
  for (const stem of imageStems) {
    const m = byMaskStem.get(stem);
    if (m && m.length === 1) byImage.set(stem, m[0]);
    else if (m) undecided.add(stem);
  }
  const nothingMatches = byImage.size === 0 && undecided.size === 0;
  const lowerImages = new Map(imageStems.map((s) => [s.toLowerCase(), s]));
  for (const [stem, names] of byMaskStem) {
    if (imageSet.has(stem)) continue;
    const near = lowerImages.get(stem.toLowerCase());
    for (const n of names) {
      problems.push({
        code: 'missing-partner',
        severity: 'error',
        file: shownPath(masks, n),
        message: `Mask ${n}${classNote} has no image named "${stem}" in ${images.shown}, so it cannot be used.`,
        hint: near
          ? `Image "${near}" differs only in upper/lower case: names are case-sensitive, rename one of them.`
          : nothingMatches && imageStems.length === masks.files.length
            ? 'No mask name matches an image name. If images and masks correspond in sorted order (e.g. 00.tif and labels00000000.png), use sorted pairing (--pair sorted, or "pairing": {"rule": "sorted"}).'
            : `Add its image to ${images.shown}, rename the mask to match its image, or move the mask out of ${masks.shown}.`,
        details: { mask: shownPath(masks, n) },
      });
    }
  }
  return { byImage, problems, undecided };
}

/** The last run of digits in a stem (slice numbers in microscopy file names), if any. */
function lastNumber(stem: string): number | undefined {
  const m = stem.match(/(\d+)(?!.*\d)/);
  return m ? Number(m[1]) : undefined;
}

/**
 * By natural sort order: the i-th image with the i-th mask. Needs equal counts (otherwise every
 * pair after the gap would be wrong, so nothing is paired). When every name carries a number and the
 * numbers of a pair stop differing by the same amount, the order probably slipped: warned.
 */
export function matchBySorted(images: FolderListing, masks: FolderListing, classNote = ''): FolderMatch {
  if (images.files.length !== masks.files.length) {
    return {
      byImage: new Map(),
      undecided: 'all',
      problems: [
        {
          code: 'missing-partner',
          severity: 'error',
          file: masks.shown,
          message: `Sorted pairing needs as many masks as images, but ${images.shown} holds ${images.files.length} images and ${masks.shown}${classNote} holds ${masks.files.length} masks; nothing was paired.`,
          hint: 'Add the missing files or remove the extra ones so both folders correspond one to one in sorted order, or pair them with an explicit list.',
          details: { images: images.files.length, masks: masks.files.length },
        },
      ],
    };
  }
  const byImage = new Map<string, string>();
  images.files.forEach((img, i) => byImage.set(nameKey(stemOf(img)), masks.files[i]));
  const problems: Problem[] = [];
  const nums = images.files.map((img, i) => [lastNumber(stemOf(img)), lastNumber(stemOf(masks.files[i]))]);
  if (nums.length > 1 && nums.every(([a, b]) => a !== undefined && b !== undefined)) {
    const offset = nums[0][0]! - nums[0][1]!;
    const off = images.files.map((img, i) => ({ img, mask: masks.files[i], d: nums[i][0]! - nums[i][1]! })).filter((p) => p.d !== offset);
    if (off.length > 0) {
      problems.push({
        code: 'missing-partner',
        severity: 'warning',
        file: shownPath(images, off[0].img),
        message: `Sorted pairing put ${off[0].img} with ${off[0].mask}${classNote}, but the numbers in their names do not follow the earlier pairs (${off.length} pair(s) like this); a file may be missing on one side.`,
        hint: 'Check that both folders hold the same slices, or pair them with an explicit list.',
        details: { pairs: off.slice(0, 10).map((p) => ({ image: shownPath(images, p.img), mask: shownPath(masks, p.mask) })) },
      });
    }
  }
  return { byImage, problems, undecided: new Set() };
}
