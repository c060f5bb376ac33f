// Files served to the UI must lie inside the open project: its folder, or a folder its project
// file names (images, masks, class folders). Names are looked up in the project's image list,
// never joined onto a path; this is the second guard, after symbolic links are resolved, so a
// link inside images/ pointing to /etc/passwd is refused too.
import { realpath } from 'node:fs/promises';
import { relative, isAbsolute, sep } from 'node:path';
import { ContractError, ERROR_NAMES } from '../api/index.ts';

export async function realRoots(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    try {
      out.push(await realpath(p));
    } catch {
      /* a folder that does not exist confines nothing */
    }
  }
  return [...new Set(out)];
}

export function isInside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of `file`, or a refusal naming it when it resolves outside every root. */
export async function confined(file: string, roots: readonly string[], shown: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(file);
  } catch (e) {
    throw new ContractError(ERROR_NAMES.notFound, `${shown} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}). Was it moved or deleted?`, { file: shown });
  }
  if (!roots.some((r) => isInside(r, real))) {
    throw new ContractError(
      ERROR_NAMES.accessDenied,
      `${shown} points outside the project folders (to ${real}); seglens only serves files inside the project. Copy the file into the project instead of linking it.`,
      { file: shown },
    );
  }
  return real;
}
