// Reading, writing and creating the project file. Reading never modifies the user's file: an old
// version is migrated in memory, and written back only when the caller asks (saveMigrated), after
// keeping a copy of the original.
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { parseOrThrow } from '../validate.ts';
import type { WriteGate } from '../write-gate.ts';
import { foldersOf, projectGate } from './gate.ts';
import { migrateProject } from './migrate.ts';
import { CURRENT_VERSION, PROJECT_FILE, ProjectSchema } from './schema.ts';
import type { Project, ProjectInput } from './schema.ts';

export interface LoadedProject {
  /** Absolute path of the project folder; relative paths in the project are relative to it. */
  dir: string;
  /** Absolute path of the project file. */
  file: string;
  project: Project;
  /** Version the file on disk is written in (CURRENT_VERSION unless it was migrated in memory). */
  fromVersion: number;
}

export interface LoadOptions {
  /** Write the migrated project back (atomically), keeping the old file as seglens.v<N>.json. */
  saveMigrated?: boolean;
}

/** `dirOrFile` is the project folder, or the project file itself. */
export async function loadProject(dirOrFile: string, opts: LoadOptions = {}): Promise<LoadedProject> {
  const { dir, file } = await locate(dirOrFile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ConfigError(`There is no ${PROJECT_FILE} in ${dir}. Run \`seglens init ${dir}\` to create one from the image and mask folders.`, { file });
    }
    throw new ConfigError(`Cannot read ${file}: ${(e as Error).message}.`, { file });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not valid JSON (${(e as Error).message}). Fix the syntax, or move it away and run \`seglens init\` again.`, { file });
  }
  const { project, fromVersion } = migrateProject(data, file);
  if (opts.saveMigrated && fromVersion < CURRENT_VERSION) {
    const backup = join(dir, `seglens.v${fromVersion}.json`);
    const gate = await projectGate(dir, foldersOf(dir, project), { who: 'saving the migrated project file', owns: [file, backup] });
    if (!existsSync(backup)) await gate.writeFile(backup, text);
    await gate.writeJson(file, project);
  }
  return { dir, file, project, fromVersion };
}

async function locate(dirOrFile: string): Promise<{ dir: string; file: string }> {
  const abs = resolve(dirOrFile);
  let isFile = false;
  try {
    isFile = (await stat(abs)).isFile();
  } catch (e) {
    throw new ConfigError(`The project folder ${abs} does not exist (${(e as NodeJS.ErrnoException).code}). Check the path.`, { file: abs });
  }
  return isFile ? { dir: resolve(abs, '..'), file: abs } : { dir: abs, file: join(abs, PROJECT_FILE) };
}

/** Validates and writes the project file atomically, through `gate` (which must own it). Returns its path. */
export async function saveProject(gate: WriteGate, dir: string, project: Project | ProjectInput): Promise<string> {
  const file = join(resolve(dir), PROJECT_FILE);
  const valid = parseOrThrow(ProjectSchema, project, file);
  await gate.writeJson(file, valid);
  return file;
}

export type NewProject = Partial<Omit<ProjectInput, 'version' | 'classes'>> & Pick<ProjectInput, 'classes'>;

/**
 * Writes a new project file with defaults for what `partial` leaves out (folders `images` and
 * `masks`, stem pairing, label masks). Refuses to replace an existing one unless `force`.
 */
export async function createProject(gate: WriteGate, dir: string, partial: NewProject, opts: { force?: boolean } = {}): Promise<LoadedProject> {
  const abs = resolve(dir);
  const file = join(abs, PROJECT_FILE);
  if (!opts.force && existsSync(file)) {
    throw new ConfigError(`${file} already exists. Edit it, or pass --force to replace it (the current file is then lost).`, { file });
  }
  const input: ProjectInput = {
    images: 'images',
    ...(partial.maskFormat?.kind === 'per-class' || partial.maskFormat?.kind === 'coco' ? {} : { masks: 'masks' }),
    ...partial,
    version: CURRENT_VERSION,
  };
  const project = parseOrThrow(ProjectSchema, input, file);
  await gate.writeJson(file, project);
  return { dir: abs, file, project, fromVersion: CURRENT_VERSION };
}

export { perClassFolders, projectPath, toProjectPath, resolveProjectPaths } from './paths.ts';
export type { ProjectPaths } from './paths.ts';
