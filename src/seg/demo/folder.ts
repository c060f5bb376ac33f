// Where the demo may be written. The user's data is sacred: the generator writes only into a new or
// empty folder, or over a previous demo (recognised by its truth file, or, after an interrupted
// generation, by holding nothing but demo files), unless the caller forces it.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { WriteGate } from '../write-gate.ts';
import { DEMO_GENERATOR, DEMO_TRUTH_FILE } from './truth.ts';

/** File names the demo writes into images/ and masks/. */
export const DEMO_FILE = /^demo_\d+\.(tif|png)$/;

/** Entries that never make a folder "non-empty": hidden files (and our temporaries), OS clutter. */
function clutter(name: string): boolean {
  return name.startsWith('.') || /^(thumbs\.db|desktop\.ini)$/i.test(name) || name.endsWith('.tmp');
}

async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => !clutter(n));
}

async function hasDemoTruth(dir: string): Promise<boolean> {
  try {
    const data = JSON.parse(await readFile(join(dir, DEMO_TRUTH_FILE), 'utf8')) as { generator?: unknown };
    return data.generator === DEMO_GENERATOR;
  } catch {
    return false;
  }
}

/**
 * Folder holding only demo images and masks: what an interrupted generation leaves behind (the
 * truth file is written before the project file, so a project file without a truth file is
 * someone's project, never ours).
 */
async function onlyDemoFiles(dir: string): Promise<boolean> {
  for (const name of await entries(dir)) {
    if (name !== 'images' && name !== 'masks') return false;
    const sub = join(dir, name);
    if (!(await stat(sub)).isDirectory()) return false;
    if ((await entries(sub)).some((n) => !DEMO_FILE.test(n))) return false;
  }
  return true;
}

/** Whether `dir` holds a demo made by this generator (possibly an interrupted one). */
export async function isDemoFolder(dir: string): Promise<boolean> {
  return (await hasDemoTruth(dir)) || (await onlyDemoFiles(dir));
}

/**
 * Makes `dir` ready for a demo: creates it, or checks that it is empty or a previous demo (then
 * removes that demo's image and mask files that the new one will not replace, so a smaller demo
 * leaves no strays; its other contents, such as training runs, stay). Refuses any other folder
 * unless `force`.
 */
export async function prepareDemoFolder(gate: WriteGate, dir: string, force: boolean, keep: Set<string>): Promise<void> {
  const abs = resolve(dir);
  if (!existsSync(abs)) {
    await gate.mkdir(abs);
    return;
  }
  if (!(await stat(abs)).isDirectory()) {
    throw new ConfigError(`${abs} is a file, not a folder. Choose a folder for the demo project.`, { file: abs });
  }
  const present = await entries(abs);
  if (present.length === 0) return;
  if (await isDemoFolder(abs)) {
    for (const sub of ['images', 'masks']) {
      const folder = join(abs, sub);
      if (!existsSync(folder)) continue;
      for (const name of await readdir(folder)) {
        if (DEMO_FILE.test(name) && !keep.has(`${sub}/${name}`)) await gate.remove(join(folder, name));
      }
    }
    return;
  }
  if (!force) {
    const shown = present.slice(0, 3).join(', ') + (present.length > 3 ? ', ...' : '');
    throw new ConfigError(
      `${abs} is not empty (${shown}) and is not a seglens demo project, so the demo is not written there. ` +
        'Choose a new or empty folder, or force it (files with the same names are then replaced).',
      { file: abs, entries: present.length },
    );
  }
}
