// The write gate (../write-gate.ts) of a project: what the project reads, so that no writer
// replaces it or writes among it. One builder for every writer that works on a project (init,
// split, the editor, training, reports, prediction from a run): the inputs are named once, here.
import { join } from 'node:path';
import { WriteGate } from '../write-gate.ts';
import type { GateRoot } from '../write-gate.ts';
import { EDITED_FOLDER } from './edits.ts';
import { resolveProjectPaths } from './paths.ts';
import type { Pair } from './pairing.ts';
import { PROJECT_FILE } from './schema.ts';
import type { Project } from './schema.ts';

/** The folders a project reads from; a project not written yet (init) gives its folders as found. */
export interface ProjectFolders {
  images: string;
  masks?: string;
  split?: string;
  classFolders?: Record<string, string>;
}

export interface ProjectGateOptions {
  who: string;
  /** Folders to write into besides the project folder (a run folder elsewhere, an --out folder). */
  roots?: GateRoot[];
  /** Write only into `roots`, not into the project folder (prediction into a named folder). */
  outsideOnly?: boolean;
  /** Inputs this writer owns and may write: the project file (init, split), the manifest (split), masks-edited (the editor). */
  owns?: string[];
  /** The dataset's pairs: their files are inputs wherever they lie (list pairing may name any file). */
  pairs?: readonly Pair[];
}

export function foldersOf(dir: string, project: Project): ProjectFolders {
  return resolveProjectPaths({ dir, project });
}

export async function projectGate(dir: string, folders: ProjectFolders, o: ProjectGateOptions): Promise<WriteGate> {
  const inputFolders = [
    { dir: folders.images, what: 'the image folder' },
    ...(folders.masks ? [{ dir: folders.masks, what: 'the mask folder' }] : []),
    ...Object.entries(folders.classFolders ?? {}).map(([name, d]) => ({ dir: d, what: `the mask folder of class "${name}"` })),
    { dir: join(dir, EDITED_FOLDER), what: 'the edited-mask folder' },
  ];
  const inputFiles = [
    { file: join(dir, PROJECT_FILE), what: 'the project file' },
    ...(folders.split ? [{ file: folders.split, what: 'the split manifest' }] : []),
    ...(o.pairs ?? []).flatMap((p) => [
      { file: p.image, what: `the image of ${p.name}` },
      ...(p.classMasks ? Object.values(p.classMasks) : [p.mask]).map((m) => ({ file: m, what: `the mask of ${p.name}` })),
    ]),
  ];
  return WriteGate.open({
    who: o.who,
    roots: [...(o.outsideOnly ? [] : [{ dir, what: 'the project folder', project: true }]), ...(o.roots ?? [])],
    inputFolders,
    inputFiles,
    owns: o.owns ?? [],
  });
}
