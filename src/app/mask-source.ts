// The current mask of an image and its version: the edited one if the editor saved one, else the
// imported one (the project's mask files, read through its class table), else none.
import { relative } from 'node:path';
import { readPairLabels } from '../seg/dataset/index.ts';
import { FileError } from '../seg/errors.ts';
import { imageInfo, readRawMask } from '../seg/image-io.ts';
import { IGNORE } from '../seg/types.ts';
import type { LabelMap } from '../seg/types.ts';
import { confined } from './confine.ts';
import { maskVersion } from '../seg/project/edits.ts';
import type { ImageRecord, OpenProject } from './open-project.ts';

export interface CurrentMask {
  source: 'none' | 'imported' | 'edited';
  /** Absolute files it is read from (several for per-class masks). */
  files: string[];
  /** The (first) file relative to the project folder, for messages and the UI. */
  shown: string | null;
  version: string | null;
}

export function shownPath(p: OpenProject, file: string): string {
  return relative(p.dir, file) || file;
}

export function currentMaskOf(p: OpenProject, rec: ImageRecord): Omit<CurrentMask, 'version'> {
  const edited = p.edits.fileOf(rec.name);
  if (edited) return { source: 'edited', files: [edited], shown: shownPath(p, edited) };
  if (rec.pair) {
    const files = rec.pair.classMasks ? Object.values(rec.pair.classMasks) : (rec.pair.objectMasks ?? [rec.pair.mask]);
    return { source: 'imported', files, shown: shownPath(p, files[0]) };
  }
  return { source: 'none', files: [], shown: null };
}

/** The current mask with its version (hashed before reading, so a change in between shows as a conflict). */
export async function currentMask(p: OpenProject, rec: ImageRecord): Promise<CurrentMask> {
  const m = currentMaskOf(p, rec);
  if (m.source === 'none') return { ...m, version: null };
  for (const f of m.files) await confined(f, p.roots, shownPath(p, f));
  return { ...m, version: await maskVersion(m.source, m.files) };
}

export async function readCurrentLabels(p: OpenProject, rec: ImageRecord): Promise<{ mask: CurrentMask; labels: LabelMap }> {
  const mask = await currentMask(p, rec);
  if (mask.source === 'none') {
    const info = await imageInfo(await confined(rec.image, p.roots, shownPath(p, rec.image)), { page: p.ds.project.imagePage });
    return { mask, labels: { width: info.width, height: info.height, data: new Uint8Array(info.width * info.height).fill(IGNORE) } };
  }
  if (mask.source === 'edited') {
    const raw = await readRawMask(mask.files[0]);
    if (raw.channels !== 1 || raw.bitDepth !== 8) {
      throw new FileError(mask.shown!, `${mask.shown} is not an 8-bit grey label image (it was replaced by another program?). Remove it to fall back to the imported mask.`);
    }
    return { mask, labels: { width: raw.width, height: raw.height, data: raw.data as Uint8Array } };
  }
  // The class ids only: the mask's problems are the inspection's (its damage checks are skipped here).
  const { labels } = await readPairLabels(p.ds.project, rec.pair!, (f) => shownPath(p, f), { checks: false });
  return { mask, labels };
}
