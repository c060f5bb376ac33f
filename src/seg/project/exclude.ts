// The project's exclusion list (seglens.json "exclude"): images the user keeps out of training,
// splits and scores, with why: typically the ones a critical finding names (a mask that belongs to
// another image). Nothing is deleted or moved; removing an entry brings the image back.
import { ConfigError } from '../errors.ts';
import type { WriteGate } from '../write-gate.ts';
import { loadProject, saveProject } from './load.ts';
import type { Exclusion, Project } from './schema.ts';

export interface ExclusionChange {
  /** Images to exclude (a repeated one gets the new reason). */
  exclude?: readonly Exclusion[];
  /** Images to bring back. */
  include?: readonly string[];
}

/** Image name -> reason (null when none was given). */
export function exclusionsOf(project: Project): Map<string, string | null> {
  return new Map((project.exclude ?? []).map((e) => [e.image, e.reason ?? null]));
}

/**
 * Applies `change` to the project file in `dir` (written atomically through `gate`, which must own
 * it; a version-1 file is migrated, its original kept as seglens.v1.json). `known` are the
 * project's image names: an unknown one is refused, so a typo cannot silently exclude nothing.
 * Returns the new list.
 */
export async function updateExclusions(gate: WriteGate, dir: string, change: ExclusionChange, known: ReadonlySet<string>): Promise<Exclusion[]> {
  const loaded = await loadProject(dir, { saveMigrated: true });
  const unknown = [...(change.exclude ?? []).map((e) => e.image), ...(change.include ?? [])].filter((n) => !known.has(n));
  if (unknown.length) {
    const some = [...known].slice(0, 5).join(', ');
    throw new ConfigError(`${unknown.join(', ')}: no image of the project ${loaded.dir} has this name. Names are image file names without extension (e.g. ${some}).`, { unknown });
  }
  const list = new Map((loaded.project.exclude ?? []).map((e) => [e.image, e]));
  for (const e of change.exclude ?? []) list.set(e.image, { image: e.image, ...(e.reason ? { reason: e.reason } : {}) });
  for (const n of change.include ?? []) list.delete(n);
  const exclude = [...list.values()];
  const { exclude: _old, ...rest } = loaded.project;
  void _old;
  await saveProject(gate, loaded.dir, exclude.length ? { ...rest, exclude } : rest);
  return exclude;
}
