// Listing the image files of a folder: which names count, how they sort, what their stem is.
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ConfigError } from '../errors.ts';

import { isSupportedName } from '../file-types.ts';
export { SUPPORTED_EXTENSIONS, isSupportedName } from '../file-types.ts';

// Files that are never data and never worth a warning: operating-system clutter and our own files.
const CLUTTER = new Set(['thumbs.db', 'desktop.ini']);

/** Hidden files (also our atomic-write temporaries `.name.pid.hex.tmp`), OS clutter, project files. */
export function isIgnoredName(name: string): boolean {
  const lower = name.toLowerCase();
  return name.startsWith('.') || CLUTTER.has(lower) || lower.endsWith('.tmp') || /^seglens(\.v\d+)?\.json$/.test(lower);
}

/** The name without its last extension: the image's name everywhere (metrics, split, runs). */
export function stemOf(name: string): string {
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

/**
 * The key under which names are compared: Unicode NFC. The same accented name can be stored as one
 * code point (é, NFC: Windows, Linux) or two (e + combining accent, NFD: macOS), so an image and
 * its mask copied from different machines would otherwise never pair, with messages that print
 * the same name twice. The names themselves are kept as they are on disk.
 */
export function nameKey(name: string): string {
  return name.normalize('NFC');
}

/** A name with every character outside printable ASCII written as \uXXXX, to show names that only look alike. */
export function escapedName(name: string): string {
  return [...name].map((c) => (/^[\x20-\x7e]$/.test(c) ? c : [...c].map((u) => `\\u${u.codePointAt(0)!.toString(16).padStart(4, '0')}`).join(''))).join('');
}

/**
 * Natural order: runs of digits compare by value, so `2.png` comes before `10.png`. Ties (such as
 * `007` vs `7`) fall back to plain code-unit order so the result never depends on the locale.
 */
export function naturalCompare(a: string, b: string): number {
  const ta = a.match(/\d+|\D+/g) ?? [];
  const tb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ta.length, tb.length); i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = x.replace(/^0+(?=\d)/, '');
      const ny = y.replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      continue;
    }
    return x < y ? -1 : 1;
  }
  if (ta.length !== tb.length) return ta.length - tb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** File names in natural order of their stems (`a.png` before `a9b.png`), then by extension. */
export function compareFileNames(a: string, b: string): number {
  return naturalCompare(stemOf(a), stemOf(b)) || naturalCompare(a, b);
}

export interface FolderListing {
  /** Absolute folder. */
  dir: string;
  /** The folder as shown to the user (as written in the project file or on the command line). */
  shown: string;
  /** Supported image files, in natural order (names only). */
  files: string[];
  /** Files of other types (names only), reported as warnings. */
  unsupported: string[];
  /** Sub-folders (not searched; named when the folder has no images). */
  subfolders: string[];
}

/** `what` names the folder's role in messages ("image folder", "mask folder"). */
export async function listFolder(dir: string, shown: string, what: string): Promise<FolderListing> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is a file, not a folder' : `cannot be read (${code})`;
    throw new ConfigError(`The ${what} ${shown} ${why}. Check the path in seglens.json or on the command line.`, { folder: shown, code });
  }
  const files: string[] = [];
  const unsupported: string[] = [];
  const subfolders: string[] = [];
  for (const e of entries) {
    if (isIgnoredName(e.name)) continue;
    // A symbolic link counts as what it points to; a broken one stays listed, so reading it reports it.
    const target = e.isSymbolicLink() ? await stat(join(dir, e.name)).catch(() => undefined) : e;
    if (target?.isDirectory()) subfolders.push(e.name);
    else if (target && !target.isFile()) continue;
    else if (isSupportedName(e.name)) files.push(e.name);
    else unsupported.push(e.name);
  }
  files.sort(compareFileNames);
  unsupported.sort(compareFileNames);
  subfolders.sort(naturalCompare);
  return { dir, shown, files, unsupported, subfolders };
}
