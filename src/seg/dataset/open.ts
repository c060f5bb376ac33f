// A dataset = a project (from its seglens.json, or described on the command line) plus its pairs.
// Command-line options override the project file, so `seglens inspect DIR --classes T.json` works
// on a plain folder of images/ and masks/ without running `init` first.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClassTable } from '../classes.ts';
import { ConfigError } from '../errors.ts';
import { exclusionsOf, listPairs, loadProject, PROJECT_FILE, ProjectSchema } from '../project/index.ts';
import type { Pair, Project, ProjectInput } from '../project/index.ts';
import type { Problem } from '../problems.ts';
import { parseOrThrow } from '../validate.ts';
import { applyEdits } from './edits.ts';

export interface DatasetOverrides {
  classes?: ClassTable;
  pairing?: 'stem' | 'sorted';
  /** Folders relative to the dataset folder (or absolute). */
  images?: string;
  masks?: string;
  imagePage?: number;
  maxPixels?: number;
}

export interface Dataset {
  /** Absolute path of the project folder. */
  dir: string;
  /** The project file, when the folder has one. */
  projectFile?: string;
  project: Project;
  pairs: Pair[];
  /** Pairing problems (missing partners, duplicate stems, unsupported files). */
  problems: Problem[];
  /**
   * Images the project file excludes (name -> reason): `pairs` still lists them (inspect reads
   * them), but no split, training or score uses them and their problems block nothing.
   */
  excluded: ReadonlyMap<string, string | null>;
}

/** The pairs training and splits use: every pair the project does not exclude. */
export function trainingPairs(ds: Dataset): Pair[] {
  return ds.pairs.filter((p) => !ds.excluded.has(p.name));
}

const GUESS_IMAGES = ['images', 'image', 'imgs', 'raw'];
const GUESS_MASKS = ['masks', 'mask', 'labels', 'gt', 'annotations'];

function guess(dir: string, names: string[], what: string, option: string): string {
  const hit = names.find((n) => existsSync(join(dir, n)));
  if (!hit) throw new ConfigError(`Cannot find the ${what} in ${dir} (looked for ${names.join(', ')}). Give it with ${option} FOLDER.`, { dir });
  return hit;
}

export async function openDataset(dirArg: string, o: DatasetOverrides = {}): Promise<Dataset> {
  const dir = resolve(dirArg);
  if (!existsSync(dir)) throw new ConfigError(`The folder ${dir} does not exist.`, { dir });
  const hasFile = existsSync(join(dir, PROJECT_FILE));
  let base: Partial<ProjectInput> = {};
  let projectFile: string | undefined;
  if (hasFile) {
    const loaded = await loadProject(dir);
    base = loaded.project;
    projectFile = loaded.file;
  } else if (!o.classes) {
    throw new ConfigError(
      `${dir} has no ${PROJECT_FILE} and no class table was given. Run \`seglens init ${dirArg}\` to propose one from the masks, or pass --classes FILE.`,
      { dir },
    );
  }
  const input: ProjectInput = {
    version: 2,
    ...base,
    images: o.images ?? base.images ?? guess(dir, GUESS_IMAGES, 'image folder', '--images'),
    masks: o.masks ?? base.masks ?? (base.maskFormat?.kind === 'per-class' || base.maskFormat?.kind === 'coco' ? undefined : guess(dir, GUESS_MASKS, 'mask folder', '--masks')),
    classes: o.classes ?? base.classes!,
    ...(o.pairing ? { pairing: { rule: o.pairing } } : {}),
    ...(o.imagePage !== undefined ? { imagePage: o.imagePage } : {}),
    ...(o.maxPixels !== undefined ? { maxPixels: o.maxPixels } : {}),
  };
  const project = parseOrThrow(ProjectSchema, input, projectFile ?? `the options given for ${dir}`);
  const listed = await listPairs({ dir, project });
  const { pairs, problems } = await applyEdits(dir, project, listed.pairs, listed.problems);
  return { dir, projectFile, project, pairs, problems, excluded: exclusionsOf(project) };
}
