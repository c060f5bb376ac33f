// Pairing from an explicit list ("pairing": {"rule": "list", "pairs": [...]}). Each listed file
// must exist and be a supported type; image names must be unique. Images of the image folder
// that the list leaves out are reported like any image without a mask.
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import type { Problem } from '../problems.ts';
import { SUPPORTED_EXTENSIONS, isSupportedName, listFolder, stemOf } from './files.ts';
import type { Pair } from './pairing.ts';

interface Folder {
  dir: string;
  shown: string;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

function shown(folder: Folder, p: string): string {
  return isAbsolute(p) ? p : `${folder.shown.split('\\').join('/').replace(/\/$/, '')}/${p}`;
}

export async function pairFromList(images: Folder, masks: Folder, list: { image: string; mask: string }[]): Promise<{ pairs: Pair[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const candidates: (Pair & { index: number })[] = [];
  for (const [index, entry] of list.entries()) {
    let ok = true;
    for (const [role, folder, p] of [['image', images, entry.image], ['mask', masks, entry.mask]] as const) {
      const abs = resolve(folder.dir, p);
      const where = `pairing.pairs.${index}.${role}`;
      if (!isSupportedName(p)) {
        problems.push({
          code: 'unsupported-format',
          severity: 'error',
          file: shown(folder, p),
          message: `The ${role} listed at ${where} is not a file type seglens reads.`,
          hint: `Convert it to one of ${SUPPORTED_EXTENSIONS.join(' ')} and update the list.`,
        });
        ok = false;
      } else if (!(await isFile(abs))) {
        problems.push({
          code: 'missing-partner',
          severity: 'error',
          file: shown(folder, p),
          message: `The ${role} listed at ${where} does not exist, so this pair is left out.`,
          hint: `Correct the path (relative to ${folder.shown}) or remove the entry from the list.`,
        });
        ok = false;
      }
    }
    if (ok) candidates.push({ index, name: stemOf(basename(entry.image)), image: resolve(images.dir, entry.image), mask: resolve(masks.dir, entry.mask) });
  }

  const byName = new Map<string, (Pair & { index: number })[]>();
  for (const c of candidates) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  const pairs: Pair[] = [];
  for (const [name, group] of byName) {
    if (group.length === 1) {
      const { index: _index, ...pair } = group[0];
      pairs.push(pair);
      continue;
    }
    problems.push({
      code: 'duplicate-stem',
      severity: 'error',
      file: shown(images, list[group[0].index].image),
      message: `${group.length} listed images share the name "${name}" (entries ${group.map((g) => g.index).join(', ')} of pairing.pairs); an image is named by its file name without extension, so they cannot be told apart.`,
      hint: `Rename all but one of them, or remove the extra entries; "${name}" is left out until then.`,
      details: { entries: group.map((g) => g.index) },
    });
  }

  // Images in the image folder that the list does not mention: predictable, not trainable.
  const listed = new Set(candidates.map((c) => c.image));
  const folder = await listFolder(images.dir, images.shown, 'image folder').catch(() => undefined);
  for (const f of folder?.files ?? []) {
    if (listed.has(resolve(images.dir, f))) continue;
    problems.push({
      code: 'missing-partner',
      severity: 'warning',
      file: shown(images, f),
      message: `Image ${f} is not in the pairing list: it can be predicted but not trained on.`,
      hint: 'Add it to "pairing.pairs" with its mask if it is meant for training.',
    });
  }
  return { pairs, problems };
}
