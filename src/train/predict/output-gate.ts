// The write gate of `seglens predict`: it writes only into the --out folder the user named, and
// never among the inputs of the project the model was trained on (a run folder's run.json names
// it), so `predict RUN IMAGES --out MASKS` cannot replace the ground truth. The images given are
// added as inputs by predictFiles.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDataset } from '../../seg/dataset/index.ts';
import { foldersOf, loadProject, projectGate, PROJECT_FILE } from '../../seg/project/index.ts';
import { WriteGate } from '../../seg/write-gate.ts';

/** The project folder a run was trained on (run.json `project`), if the run says and it still has a project file. */
export async function projectOfRun(runDir: string): Promise<string | undefined> {
  try {
    const info = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as { project?: unknown };
    const dir = typeof info.project === 'string' ? info.project : undefined;
    return dir && existsSync(join(dir, PROJECT_FILE)) ? dir : undefined;
  } catch {
    return undefined;
  }
}

export async function predictGate(o: { out: string; runDir?: string }): Promise<WriteGate> {
  const out = { dir: o.out, what: 'the --out folder' };
  const project = o.runDir ? await projectOfRun(o.runDir) : undefined;
  if (!project) return WriteGate.open({ who: 'seglens predict', roots: [out] });
  const { dir, project: p } = await loadProject(project);
  return projectGate(dir, foldersOf(dir, p), { who: 'seglens predict', roots: [out], outsideOnly: true });
}

/**
 * The write gate of a run's own outputs (its stored predictions, made on demand): the run folder
 * and, when run.json names a project that still exists, that project's inputs protected, as the
 * report's gate does (src/app/report.ts).
 */
export async function runGate(runDir: string, who: string): Promise<WriteGate> {
  const run = { dir: runDir, what: 'the run folder' };
  const project = await projectOfRun(runDir);
  if (!project) return WriteGate.open({ who, roots: [run] });
  const ds = await openDataset(project);
  return projectGate(ds.dir, foldersOf(ds.dir, ds.project), { who, roots: [run], pairs: ds.pairs });
}
