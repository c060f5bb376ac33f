// Masks saved by the editor. They go to the project's own folder `masks-edited/` as label PNGs in
// seglens' encoding (pixel value = class id, 255 = unlabelled), and are listed in
// `masks-edited/edits.json`. Imported masks (the project's mask folder) are never overwritten: an
// edited mask supersedes its imported one for the app, and the record says which one it replaces.
//
// The index is user-editable JSON, so it is validated when read: it holds base names only (a
// crafted entry such as `../../elsewhere/x` is refused with its path), and every write goes through
// the project's write gate, which also refuses a masks-edited/ that is a link out of the project.
// The index on disk is the truth: it is read again before each save and merged, so an edit saved
// by another window or process is never dropped.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { parseOrThrow } from '../validate.ts';
import type { WriteGate } from '../write-gate.ts';

export const EDITED_FOLDER = 'masks-edited';
export const EDITS_INDEX = 'edits.json';
/** The edit lock of a project (../lock.ts), in the project folder: held by the window that may save masks. */
export const EDIT_LOCK = '.seglens-edits.lock';

/** A file name editedFileName could have made: no folder, no leading dot, a PNG. */
const BASE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*\.png$/;
/** An image name (a file stem): any characters but path separators and NUL. */
const IMAGE_NAME = /^[^/\\\0]+$/;

const EntrySchema = z.strictObject({
  /** File name inside the edited-masks folder. */
  file: z.string().regex(BASE_NAME, 'must be a PNG file name inside masks-edited/ (no folders, no "..", no leading dot)'),
  savedAt: z.string(),
  /**
   * File name of the imported mask this edit supersedes, null if none. For the user's eyes only;
   * never used as a path (older indexes held a path relative to the project; its base name is kept).
   */
  replaces: z
    .string()
    .nullable()
    .transform((r) => (r === null ? null : basename(r.split('\\').join('/')))),
  encoding: z.literal('class-ids'),
});

const IndexSchema = z.strictObject({
  format: z.literal('seglens-edited-masks'),
  version: z.literal(1),
  masks: z.record(z.string().regex(IMAGE_NAME, 'an image name holds no "/", "\\" or NUL'), EntrySchema),
});
type Index = z.infer<typeof IndexSchema>;
export type EditEntry = z.infer<typeof EntrySchema>;

/** A file name for an image name: safe characters only, with a hash when that changed it. */
export function editedFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe === name && !name.startsWith('.')) return `${name}.png`;
  return `${safe.replace(/^\.+/, '_')}-${createHash('sha1').update(name).digest('hex').slice(0, 8)}.png`;
}

/** Opaque version of a mask on disk: where it came from and a hash of its bytes. */
export async function maskVersion(source: 'imported' | 'edited', files: readonly string[]): Promise<string> {
  const h = createHash('sha1');
  for (const f of files) {
    h.update(f);
    h.update(await readFile(f));
  }
  return `${source}:${h.digest('hex').slice(0, 20)}`;
}

async function readIndex(file: string): Promise<Index> {
  if (!existsSync(file)) return { format: 'seglens-edited-masks', version: 1, masks: {} };
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file} is not JSON (${(e as Error).message}); the list of edited masks is damaged. Move it away to open the project (edited masks then show as unedited).`, { file });
  }
  try {
    return parseOrThrow(IndexSchema, data, file);
  } catch (e) {
    throw new ConfigError(`${(e as Error).message}\nThe list of edited masks names files seglens did not write there. Correct those entries or move ${file} away to open the project.`, { file });
  }
}

export class EditedMasks {
  readonly folder: string;
  private index: Index;

  private constructor(folder: string, index: Index) {
    this.folder = folder;
    this.index = index;
  }

  static async open(projectDir: string): Promise<EditedMasks> {
    const folder = join(projectDir, EDITED_FOLDER);
    return new EditedMasks(folder, await readIndex(join(folder, EDITS_INDEX)));
  }

  /** Reads the index on disk again (another window or process may have saved since). */
  async reload(): Promise<void> {
    this.index = await readIndex(join(this.folder, EDITS_INDEX));
  }

  /** Absolute path of the edited mask of `name`, if one was saved and still exists. */
  fileOf(name: string): string | null {
    const e = this.index.masks[name];
    if (!e) return null;
    const file = join(this.folder, e.file);
    return existsSync(file) ? file : null;
  }

  entry(name: string): EditEntry | null {
    return this.index.masks[name] ?? null;
  }

  /** Where the edited mask of `name` is written (the folder is created, through the gate). */
  async pathFor(gate: WriteGate, name: string): Promise<string> {
    await gate.mkdir(this.folder);
    return join(this.folder, this.index.masks[name]?.file ?? editedFileName(name));
  }

  /** Records a save: the index on disk is read again and this entry merged into it. */
  async record(gate: WriteGate, name: string, file: string, replaces: string | null): Promise<void> {
    const disk = await readIndex(join(this.folder, EDITS_INDEX));
    const prev = disk.masks[name];
    const next: Index = {
      ...disk,
      masks: { ...disk.masks, [name]: { file: basename(file), savedAt: new Date().toISOString(), replaces: prev?.replaces ?? (replaces === null ? null : basename(replaces)), encoding: 'class-ids' } },
    };
    await gate.writeJson(join(this.folder, EDITS_INDEX), next);
    this.index = next;
  }
}
