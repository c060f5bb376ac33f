// The write gate: the one place that decides whether seglens may write a file. Every writer
// (predict, report, split, init, mask saves, checkpoints, run files, exports, locks) holds a gate
// made for its job and writes through it; the atomic primitives (atomic.ts) accept only a path the
// gate returned (GatedPath), and the lint rule keeps node:fs's writing functions out of every
// other file of src/.
//
// A gate knows where its writer may write (roots: the project folder, a run folder, a folder the
// user named for output) and what the project reads (input folders: images, masks, edited masks;
// input files: the project file, the split manifest, every image and mask). It resolves real paths
// (symbolic links followed) and refuses, naming the path and saying what to do:
//   - a target outside every root, and a link inside a root that leads out of it;
//   - a target that is itself a symbolic link (files are replaced, never written through links);
//   - a file directly in an input folder: there it either replaces an input or becomes one (a
//     predicted mask in the mask folder is read as ground truth the next time). Only the project's
//     own JSON files may sit beside the images when the images live in the project folder itself;
//   - replacing an input file.
// The checks run when the target is written, so a gate made early stays right as folders appear.
import { lstat, mkdir, readlink, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { appendFileSynced, writeFileAtomic } from './atomic.ts';
import type { GatedPath } from './atomic.ts';
import { SeglensError } from './errors.ts';
import { isSupportedName } from './file-types.ts';

export type { GatedPath };

/** A write the gate refused; the message names the path and what to do. */
export class WriteRefusedError extends SeglensError {
  override name = 'WriteRefusedError';
}

export interface GateRoot {
  dir: string;
  /** How messages name it: "the project folder", "the run folder", "the --out folder". */
  what: string;
  /** The project folder: the project's own JSON files may sit in an input folder that holds it. */
  project?: boolean;
}

export interface GateSpec {
  /** Who writes, for messages: "seglens predict", "saving a mask". */
  who: string;
  roots: GateRoot[];
  /** Folders whose files the project reads. */
  inputFolders?: { dir: string; what: string }[];
  /** Files the project reads. */
  inputFiles?: { file: string; what: string }[];
  /** Input folders or files this writer owns and may write (the editor's masks-edited/). */
  owns?: string[];
}

interface Resolved {
  lex: string;
  real: string;
  what: string;
}

export function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/** Real path of `p`, which need not exist: its nearest existing ancestor resolved, the rest appended. */
export async function realPathOf(p: string, depth = 0): Promise<string> {
  const abs = resolve(p);
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    const real = await realpath(cur).catch((e: NodeJS.ErrnoException) => e);
    if (typeof real === 'string') return join(real, ...rest.reverse());
    if (real.code !== 'ENOENT') throw real;
    // A dangling link resolves to where it points (a write would create the file there).
    const st = await lstat(cur).catch(() => null);
    if (st?.isSymbolicLink() && depth < 32) return join(await realPathOf(resolve(dirname(cur), await readlink(cur)), depth + 1), ...rest.reverse());
    const up = dirname(cur);
    if (up === cur) return abs;
    rest.push(basename(cur));
    cur = up;
  }
}

/** The first symbolic link on the way from `root` down to `lex`, for messages. */
async function firstLink(root: string, lex: string): Promise<{ link: string; to: string } | null> {
  const parts = relative(root, lex).split(sep).filter(Boolean);
  let cur = root;
  for (const part of parts) {
    cur = join(cur, part);
    const st = await lstat(cur).catch(() => null);
    if (!st) return null;
    if (st.isSymbolicLink()) return { link: cur, to: await readlink(cur).catch(() => '?') };
  }
  return null;
}

export class WriteGate {
  readonly who: string;
  private readonly roots: (Resolved & { project: boolean })[];
  private readonly folders: Resolved[];
  private readonly files: Map<string, Resolved>;
  private readonly owned: string[];
  private readonly spec: GateSpec;

  private constructor(spec: GateSpec, roots: (Resolved & { project: boolean })[], folders: Resolved[], files: Map<string, Resolved>, owned: string[]) {
    this.spec = spec;
    this.who = spec.who;
    this.roots = roots;
    this.folders = folders;
    this.files = files;
    this.owned = owned;
  }

  /**
   * Resolves the spec's paths once. A root inside another root by its path (a run folder in the
   * project) must be inside it by its real path too: otherwise a link leads out, and it is refused
   * here, before anything is read or computed.
   */
  static async open(spec: GateSpec): Promise<WriteGate> {
    const roots = await Promise.all(spec.roots.map(async (r) => ({ lex: resolve(r.dir), real: await realPathOf(r.dir), what: r.what, project: Boolean(r.project) })));
    for (const inner of roots) {
      for (const outer of roots) {
        if (inner === outer || !isInside(outer.lex, inner.lex) || isInside(outer.real, inner.real)) continue;
        const via = await firstLink(outer.lex, inner.lex);
        throw new WriteRefusedError(
          `${inner.what} ${inner.lex} is inside ${outer.what} ${outer.lex} but really lies at ${inner.real}` +
            `${via ? ` (${via.link} is a symbolic link to ${via.to})` : ''}: ${spec.who} does not write through links that leave ${outer.what}. ` +
            `Move the folder into ${outer.lex} instead of linking it${outer.project ? '' : ', or name it directly'}.`,
          { path: inner.lex, real: inner.real, root: outer.lex },
        );
      }
    }
    const folders = await Promise.all((spec.inputFolders ?? []).map(async (f) => ({ lex: resolve(f.dir), real: await realPathOf(f.dir), what: f.what })));
    const files = new Map<string, Resolved>();
    for (const f of spec.inputFiles ?? []) {
      const real = await realPathOf(f.file);
      if (!files.has(real)) files.set(real, { lex: resolve(f.file), real, what: f.what });
    }
    const owned = await Promise.all((spec.owns ?? []).map((o) => realPathOf(o)));
    return new WriteGate(spec, roots, folders, files, owned);
  }

  /** This gate with more allowed: a further root, or inputs this writer owns. */
  static async extend(gate: WriteGate, more: Partial<GateSpec>): Promise<WriteGate> {
    const s = gate.spec;
    return WriteGate.open({
      who: more.who ?? s.who,
      roots: [...s.roots, ...(more.roots ?? [])],
      inputFolders: [...(s.inputFolders ?? []), ...(more.inputFolders ?? [])],
      inputFiles: [...(s.inputFiles ?? []), ...(more.inputFiles ?? [])],
      owns: [...(s.owns ?? []), ...(more.owns ?? [])],
    });
  }

  private refuse(message: string, details: Record<string, unknown>): never {
    throw new WriteRefusedError(`${this.who}: ${message}`, details);
  }

  private isOwned(real: string): boolean {
    return this.owned.some((o) => isInside(o, real));
  }

  /** Containment and links: the rules for files and folders alike. */
  private async place(path: string): Promise<{ lex: string; real: string }> {
    const lex = resolve(path);
    const real = await realPathOf(lex);
    if (this.roots.some((r) => isInside(r.real, real))) return { lex, real };
    const lexRoot = this.roots.find((r) => isInside(r.lex, lex));
    if (lexRoot) {
      const via = await firstLink(lexRoot.lex, lex);
      this.refuse(
        `${lex} leads out of ${lexRoot.what} ${lexRoot.lex}${via ? ` through the symbolic link ${via.link} (to ${via.to})` : ''}; it resolves to ${real}. ` +
          `seglens does not write through links that leave ${lexRoot.what}: replace the link by a real folder.`,
        { path: lex, real, root: lexRoot.lex },
      );
    }
    const where = this.roots.map((r) => `${r.what} ${r.lex}`).join(' or ');
    this.refuse(`${lex} is outside ${where || 'every folder it may write to'}; it writes nowhere else. Name an output folder where the command takes one (--out).`, { path: lex, real });
  }

  /** Checks a file about to be written; returns the real path to write. */
  async target(file: string): Promise<GatedPath> {
    const lex = resolve(file);
    if ((await lstat(lex).catch(() => null))?.isSymbolicLink()) {
      this.refuse(`${lex} is a symbolic link (to ${await readlink(lex).catch(() => '?')}); seglens replaces files and never writes through links. Remove the link, or choose another path.`, { path: lex });
    }
    const { real } = await this.place(lex);
    if ((await lstat(real).catch(() => null))?.isDirectory()) this.refuse(`${lex} is a folder; a file cannot replace it.`, { path: lex });
    if (this.isOwned(real)) return real as GatedPath;
    const input = this.files.get(real);
    if (input) {
      this.refuse(`${lex} is ${input.what}, which the project reads: it is never replaced. Write to another file name or folder.`, { path: lex, input: input.lex });
    }
    const parent = dirname(real);
    for (const f of this.folders) {
      if (f.real !== parent) continue;
      // The project folder may hold its images itself (images: "."): its JSON files may sit there,
      // but nothing that would be listed as an image.
      const holdsProject = this.roots.some((r) => r.project && isInside(f.real, r.real));
      if (holdsProject && !isSupportedName(basename(real))) continue;
      this.refuse(
        `${lex} would be written into ${f.what} (${f.lex}): there it would replace an image or mask, or be read as one. ` +
          'Choose an output folder that holds no images or masks (a new folder, or one inside the run folder).',
        { path: lex, folder: f.lex },
      );
    }
    return real as GatedPath;
  }

  /**
   * Checks a folder about to be created (its files are checked as they are written) or, with
   * `replace`, renamed or removed: then it must not be, nor hold, an input folder.
   */
  async folder(dir: string, o: { replace?: boolean } = {}): Promise<GatedPath> {
    const { lex, real } = await this.place(dir);
    const input = this.files.get(real);
    if (input) this.refuse(`${lex} is ${input.what}, which the project reads.`, { path: lex });
    if (o.replace && !this.isOwned(real) && this.folders.some((f) => isInside(real, f.real))) {
      this.refuse(`${lex} is or holds a folder of the project's inputs; it is never replaced or removed.`, { path: lex });
    }
    return real as GatedPath;
  }

  async writeFile(file: string, data: Uint8Array | string): Promise<string> {
    const t = await this.target(file);
    await writeFileAtomic(t, data);
    return t;
  }

  async writeJson(file: string, value: unknown): Promise<string> {
    return this.writeFile(file, JSON.stringify(value, null, 2) + '\n');
  }

  /** Appends whole lines, fsynced (metrics.jsonl). */
  async appendLines(file: string, text: string): Promise<void> {
    await appendFileSynced(await this.target(file), text);
  }

  /** Creates `dir` and its missing parents, each checked. */
  async mkdir(dir: string): Promise<string> {
    const real = await this.folder(dir);
    await mkdir(real, { recursive: true });
    return real;
  }

  /** Creates `dir`, which must not exist yet (EEXIST otherwise: the caller picks another name). */
  async mkdirNew(dir: string): Promise<string> {
    const real = await this.folder(dir);
    await mkdir(real);
    return real;
  }

  /** Renames a file or folder within the gate's roots (the checkpoint swap). */
  async rename(from: string, to: string): Promise<void> {
    await rename(await this.folder(from, { replace: true }), await this.folder(to, { replace: true }));
  }

  /** Removes a file or folder seglens made (temporary and superseded checkpoints, lock files, stale demo files). */
  async remove(path: string): Promise<void> {
    const st = await lstat(resolve(path)).catch(() => null);
    if (!st) return;
    await rm(st.isDirectory() ? await this.folder(path, { replace: true }) : await this.target(path), { recursive: true, force: true });
  }
}
