// Paths in a project file: made absolute against the project folder, and written back relative
// when inside it. Apart from load.ts so that the write gate (gate.ts), which load.ts uses to save,
// can resolve the project's folders without an import cycle.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UNLABELLED_KEY } from './schema.ts';
import type { Project } from './schema.ts';

/** A path from the project file, made absolute (relative ones are relative to the project folder). */
export function projectPath(dir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(dir, p);
}

/** How a path is written into the project file: relative when inside the folder, else absolute. */
export function toProjectPath(dir: string, p: string): string {
  const abs = resolve(dir, p);
  const rel = relative(resolve(dir), abs);
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel.split(sep).join('/');
}

export interface ProjectPaths {
  images: string;
  masks?: string;
  split?: string;
  /** Per-class masks: class name -> absolute folder. */
  classFolders?: Record<string, string>;
  /** COCO masks: the absolute annotation file. */
  cocoFile?: string;
}

export function resolveProjectPaths({ dir, project }: { dir: string; project: Project }): ProjectPaths {
  const f = project.maskFormat;
  return {
    images: projectPath(dir, project.images),
    ...(project.masks ? { masks: projectPath(dir, project.masks) } : {}),
    ...(project.split ? { split: projectPath(dir, project.split) } : {}),
    ...(f.kind === 'per-class' ? { classFolders: Object.fromEntries(perClassFolders(f).map(([k, v]) => [k, projectPath(dir, v)])) } : {}),
    ...(f.kind === 'coco' ? { cocoFile: projectPath(dir, f.file) } : {}),
  };
}

/** The folders of per-class masks by class name, the unlabelled folder (if any) under UNLABELLED_KEY. */
export function perClassFolders(f: { folders: Record<string, string>; unlabelled?: string }): [string, string][] {
  return [...Object.entries(f.folders), ...(f.unlabelled !== undefined ? [[UNLABELLED_KEY, f.unlabelled] as [string, string]] : [])];
}
