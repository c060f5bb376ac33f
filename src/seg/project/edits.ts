// Masks saved by the editor. They go to the project's own folder `masks-edited/` as label PNGs in
// seglens' encoding (pixel value = class id, 255 = unlabelled), and are listed in
// `masks-edited/edits.json`. Imported masks (the project's mask folder) are never overwritten: an
// edited mask supersedes its imported one for the app, and the record says which one it replaces.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../atomic.ts';
import { ConfigError } from '../errors.ts';
import { parseOrThrow } from '../validate.ts';

export const EDITED_FOLDER = 'masks-edited';
export const EDITS_INDEX = 'edits.json';

const EntrySchema = z.object({
  /** File name inside the edited-masks folder. */
  file: z.string().min(1),
  savedAt: z.string(),
  /** The imported mask this edit supersedes, relative to the project folder; null if none. */
  replaces: z.string().nullable(),
  encoding: z.literal('class-ids'),
});

const IndexSchema = z.object({
  format: z.literal('seglens-edited-masks'),
  version: z.literal(1),
  masks: z.record(z.string(), EntrySchema),
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

export class EditedMasks {
  readonly folder: string;
  private index: Index;

  private constructor(folder: string, index: Index) {
    this.folder = folder;
    this.index = index;
  }

  static async open(projectDir: string): Promise<EditedMasks> {
    const folder = join(projectDir, EDITED_FOLDER);
    const file = join(folder, EDITS_INDEX);
    let index: Index = { format: 'seglens-edited-masks', version: 1, masks: {} };
    if (existsSync(file)) {
      let data: unknown;
      try {
        data = JSON.parse(await readFile(file, 'utf8'));
      } catch (e) {
        throw new ConfigError(`${file} is not JSON (${(e as Error).message}); the list of edited masks is damaged. Move it away to open the project (edited masks then show as unedited).`, { file });
      }
      index = parseOrThrow(IndexSchema, data, file);
    }
    return new EditedMasks(folder, index);
  }

  /** Absolute path of the edited mask of `name`, if one was saved and still exists. */
  fileOf(name: string): string | null {
    const e = this.index.masks[name];
    if (!e) return null;
    // basename: a hand-edited index cannot point outside the folder.
    const file = join(this.folder, basename(e.file));
    return existsSync(file) ? file : null;
  }

  entry(name: string): EditEntry | null {
    return this.index.masks[name] ?? null;
  }

  /** Where the edited mask of `name` is written (the folder is created). */
  async pathFor(name: string): Promise<string> {
    await mkdir(this.folder, { recursive: true });
    return join(this.folder, this.index.masks[name]?.file ?? editedFileName(name));
  }

  async record(name: string, file: string, replaces: string | null): Promise<void> {
    const prev = this.index.masks[name];
    const next: Index = {
      ...this.index,
      masks: { ...this.index.masks, [name]: { file: basename(file), savedAt: new Date().toISOString(), replaces: prev?.replaces ?? replaces, encoding: 'class-ids' } },
    };
    await writeJsonAtomic(join(this.folder, EDITS_INDEX), next);
    this.index = next;
  }
}
