// The open project as the workspace holds it: the dataset (project file + pairs), every image by
// name (paired or not: an image without a mask can be annotated from scratch), the folders files
// may be served from, the split membership, the edited masks, the write gate every save goes
// through, and the edit lock: one window at a time saves masks; another opens read-only.
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { openDataset } from '../seg/dataset/index.ts';
import type { Dataset } from '../seg/dataset/index.ts';
import { isDemoFolder } from '../seg/demo/index.ts';
import { projectPath, resolveProjectPaths, stemOf } from '../seg/project/index.ts';
import { listFolder } from '../seg/project/files.ts';
import type { Pair } from '../seg/project/index.ts';
import { readManifest } from '../seg/split/index.ts';
import type { SplitManifest, SplitName } from '../seg/split/index.ts';
import { backgroundId } from '../seg/classes.ts';
import type { ClassInfo, ProjectSummary } from '../api/index.ts';
import type { Problem } from '../seg/problems.ts';
import type { Problem as ContractProblem } from '../api/index.ts';
import type { Same } from './same-type.ts';
import { realRoots } from './confine.ts';
import { EDIT_LOCK, EDITED_FOLDER, EditedMasks } from '../seg/project/edits.ts';
import { foldersOf, projectGate } from '../seg/project/gate.ts';
import { FileLock, holderName, LockedError } from '../seg/lock.ts';
import type { WriteGate } from '../seg/write-gate.ts';

// src/seg's Problem crosses the contract as it is: every one fits the contract's (src/api
// ProblemSchema), and the two have the same fields (none dropped on the way). Checked at compile time.
const problemFits: [Problem] extends [ContractProblem] ? Same<keyof Problem, keyof ContractProblem> : false = true;
void problemFits;

export interface ImageRecord {
  name: string;
  /** Absolute path of the image file. */
  image: string;
  /** The pair when the project pairs this image with a mask. */
  pair: Pair | null;
}

export interface OpenProject {
  /** Real path of the project folder. */
  dir: string;
  ds: Dataset;
  images: ImageRecord[];
  byName: Map<string, ImageRecord>;
  /** Real paths of the folders files may be served from. */
  roots: string[];
  isDemo: boolean;
  edits: EditedMasks;
  manifest: { file: string; data: SplitManifest } | null;
  splitOf: Map<string, SplitName>;
  classes: ClassInfo[];
  /** The last inspection's problems and findings (inspectProject), for the image list's counts. */
  inspected: { findings: readonly { images: readonly string[]; files?: readonly string[] }[] } | null;
  /** The gate of every write the app makes in the project (the editing window's owns masks-edited/). */
  gate: WriteGate;
  /** The lock on the edited masks while this window may save them; null when read-only. */
  editLock: FileLock | null;
  /** Why this window is read-only (another seglens holds the edit lock), or null. */
  readOnly: string | null;
}

/** The project's split manifest: seglens.json "split", else DIR/split.json (as the trainer reads it). */
function manifestFile(ds: Dataset): string | undefined {
  if (ds.project.split) return projectPath(ds.dir, ds.project.split);
  const guess = join(ds.dir, 'split.json');
  return existsSync(guess) ? guess : undefined;
}

/** `edit`: the window that shows the project to the user, which saves masks and so takes the edit lock. */
export async function openProjectFolder(dirArg: string, o: { edit?: boolean } = {}): Promise<OpenProject> {
  const dir = await realpath(dirArg).catch(() => dirArg);
  const ds = await openDataset(dir);
  const paths = resolveProjectPaths({ dir: ds.dir, project: ds.project });
  const images: ImageRecord[] = ds.pairs.map((pair) => ({ name: pair.name, image: pair.image, pair }));
  const byName = new Map(images.map((r) => [r.name, r]));
  // Images without a mask are not pairs, but they are what a user annotates from scratch.
  const listing = await listFolder(paths.images, ds.project.images, 'image folder').catch(() => null);
  if (listing) {
    const paired = new Set(ds.pairs.map((p) => p.image));
    for (const f of listing.files) {
      const file = join(paths.images, f);
      const name = stemOf(f);
      if (paired.has(file) || byName.has(name)) continue;
      const rec = { name, image: file, pair: null };
      images.push(rec);
      byName.set(name, rec);
    }
  }
  const roots = await realRoots([ds.dir, paths.images, ...(paths.masks ? [paths.masks] : []), ...Object.values(paths.classFolders ?? {})]);
  const mf = manifestFile(ds);
  const manifest = mf ? { file: mf, data: await readManifest(mf) } : null;
  const splitOf = new Map<string, SplitName>();
  if (manifest) for (const s of ['train', 'val', 'test'] as const) for (const n of manifest.data[s]) splitOf.set(n, s);
  const table = ds.project.classes;
  const bg = backgroundId(table);
  const classes = table.classes.map((c, id) => ({ id, name: c.name, color: c.color, isBackground: id === bg }));
  const gate = await projectGate(ds.dir, foldersOf(ds.dir, ds.project), { who: 'seglens', owns: o.edit ? [join(ds.dir, EDITED_FOLDER)] : [], pairs: ds.pairs });
  const p: OpenProject = {
    dir: ds.dir,
    ds,
    images,
    byName,
    roots,
    isDemo: await isDemoFolder(ds.dir),
    edits: await EditedMasks.open(ds.dir),
    manifest,
    splitOf,
    classes,
    inspected: null,
    gate,
    editLock: null,
    readOnly: null,
  };
  if (o.edit) await takeEditLock(p);
  else p.readOnly = 'opened without the edit lock (a training or report process)';
  return p;
}

/**
 * Takes the project's edit lock if it is free (or its holder is gone); otherwise the project stays
 * read-only with the reason. True when this window may save.
 */
export async function takeEditLock(p: OpenProject): Promise<boolean> {
  if (p.editLock && (await p.editLock.held())) return true;
  try {
    p.editLock = await FileLock.acquire(p.gate, join(p.dir, EDIT_LOCK), {
      what: `editing the masks of ${p.dir}`,
      advice: 'This window is read-only: close the project there (or quit that seglens) to edit here; saving then works again.',
    });
    p.readOnly = null;
    // Said in the server's (or the app's) log: the previous holder died without releasing it.
    if (p.editLock.tookOver) console.warn(`seglens: took over the edit lock of ${p.dir}, left by ${holderName(p.editLock.tookOver)}, which is no longer running.`);
    return true;
  } catch (e) {
    if (!(e instanceof LockedError)) throw e;
    p.editLock = null;
    p.readOnly = e.message;
    return false;
  }
}

export function summarize(p: OpenProject): ProjectSummary {
  return {
    dir: p.dir,
    title: basename(p.dir),
    isDemo: p.isDemo,
    projectFile: p.ds.projectFile ?? null,
    classes: p.classes,
    imageCount: p.images.length,
    problemCount: p.ds.problems.length,
    editedMasksDir: relative(p.dir, p.edits.folder),
    splitFile: p.manifest ? relative(p.dir, p.manifest.file) || p.manifest.file : null,
    readOnly: p.readOnly,
    ...(p.ds.project.overlapping ? { overlapping: true } : {}),
  };
}
