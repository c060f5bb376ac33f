// Atomic file writes: write a temporary file in the same folder, fsync it, rename it over the
// target, fsync the folder. A crash at any moment leaves the old file or the new one, never a
// half-written one (rename is atomic within one file system; the temporary file must therefore be
// beside the target, not in /tmp).
//
// These take a GatedPath only: a path the write gate (write-gate.ts) has checked. Writers call the
// gate (gate.writeFile, gate.writeJson), which calls these; nothing else writes the user's disk.
import { link, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

declare const gated: unique symbol;
/**
 * A real path the write gate (write-gate.ts) allowed; the only kind of path this file writes.
 * Declared here, where it is required, so that the gate depends on atomic writes and not back.
 */
export type GatedPath = string & { readonly [gated]: true };

export async function writeFileAtomic(file: GatedPath, data: Uint8Array | string): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // 'wx': the temporary name is new; never reuse (or follow) something already there.
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  // Make the rename itself durable.
  await fsyncDir(dir);
}

/** fsync a folder so a rename inside it survives a power cut. Not supported everywhere (Windows): best effort. */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* directory fsync is unavailable here; the rename is still atomic */
  }
}

/** Appends whole lines and fsyncs them (metrics.jsonl grows this way; a torn last line is dropped on read). */
export async function appendFileSynced(file: GatedPath, text: string): Promise<void> {
  const fh = await open(file, 'a');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Creates `file` with `data` only if it does not exist, all at once: the content is written to a
 * temporary file and hard-linked into place (link fails when the name exists), so no reader ever
 * sees it empty or half written. False when the file exists. Lock files are made this way.
 */
export async function createExclusive(file: GatedPath, data: string): Promise<boolean> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await link(tmp, file);
    await fsyncDir(dirname(file));
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    // File systems without hard links (some network shares): exclusive create, then write.
    return createExclusiveWithoutLink(file, data);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

async function createExclusiveWithoutLink(file: GatedPath, data: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}
