// Which file names are images and masks seglens reads. A module of its own so that the write gate
// (which refuses writing among inputs) and the folder listing (project/files.ts) share it without
// importing each other.
import { extname } from 'node:path';

/** File types seglens reads (compared case-insensitively). */
export const SUPPORTED_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff'] as const;

export function isSupportedName(name: string): boolean {
  return (SUPPORTED_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}
