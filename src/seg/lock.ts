// Single writer: a lock file says who is writing a run (training) or a project's edited masks, so
// that a second seglens neither trains the same run twice nor drops another window's edits. The
// file holds the holder's pid, host and start time; it is created atomically (a complete file
// appears at once, or not at all) and removed when the holder is done. A holder that died without
// removing it (a kill, a crash) is detected, on the same host, by its pid no longer running (or
// running a newer process, by its start time on Linux) and the lock is taken over, saying so.
import { hostname } from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { createExclusive } from './atomic.ts';
import { SeglensError } from './errors.ts';
import type { WriteGate } from './write-gate.ts';

const HolderSchema = z.object({
  format: z.literal('seglens-lock'),
  pid: z.number().int().positive(),
  host: z.string(),
  /** When the holder took the lock (ISO 8601). */
  started: z.string(),
  /** What it is doing: "training run 2026...", "editing masks". */
  what: z.string(),
  /** The holder's process start (Linux /proc ticks since boot), so a reused pid is not taken for it. */
  procStart: z.number().nullable(),
  token: z.string(),
});
export type LockHolder = z.infer<typeof HolderSchema>;

/** The lock is held by a live seglens; details.holder says which. */
export class LockedError extends SeglensError {
  override name = 'LockedError';
}

/** A lock file that cannot be read yet may be being written by a starting holder: wait this long before calling it damaged. */
const UNREADABLE_GRACE_MS = 5000;

async function procStartOf(pid: number): Promise<number | null> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count after its ')'.
    const fields = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[19]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Whether the holder may still be running; a holder on another host cannot be checked, so it is. */
export async function holderAlive(h: LockHolder): Promise<boolean> {
  if (h.host !== hostname()) return true;
  if (!pidRunning(h.pid)) return false;
  if (h.procStart === null) return true;
  const now = await procStartOf(h.pid);
  return now === null || now === h.procStart;
}

export async function readHolder(file: string): Promise<LockHolder | null> {
  try {
    const r = HolderSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** "seglens (pid 123, since 2026-...)", with the host when it is another one. */
export function holderName(h: LockHolder): string {
  const here = h.host === hostname();
  return `seglens (pid ${h.pid}${here ? '' : ` on ${h.host}`}, since ${h.started})`;
}

/** "seglens (pid 123, since ...) is training the run ...". */
export function describeHolder(h: LockHolder): string {
  return `${holderName(h)} is ${h.what}`;
}

export interface AcquireOptions {
  /** What the new holder does, written into the lock ("training run X"). */
  what: string;
  /** Appended to the refusal: what the user can do ("Wait for it to finish, or stop it."). */
  advice: string;
}

export class FileLock {
  /** The previous holder whose lock was stale and taken over, to be told to the user. */
  readonly tookOver: LockHolder | null;
  private released = false;

  private constructor(
    readonly file: string,
    private readonly gate: WriteGate,
    readonly holder: LockHolder,
    tookOver: LockHolder | null,
  ) {
    this.tookOver = tookOver;
  }

  /** Takes the lock, or throws LockedError naming the live holder and the lock file. */
  static async acquire(gate: WriteGate, file: string, o: AcquireOptions): Promise<FileLock> {
    const target = await gate.target(file);
    const me: LockHolder = {
      format: 'seglens-lock',
      pid: process.pid,
      host: hostname(),
      started: new Date().toISOString(),
      what: o.what,
      procStart: await procStartOf(process.pid),
      token: randomBytes(8).toString('hex'),
    };
    let tookOver: LockHolder | null = null;
    for (let attempt = 0; attempt < 50; attempt++) {
      if (await createExclusive(target, JSON.stringify(me, null, 2) + '\n')) return new FileLock(target, gate, me, tookOver);
      const holder = await readHolder(target);
      if (holder && (await holderAlive(holder))) {
        throw new LockedError(`${describeHolder(holder)}. ${o.advice} If no seglens is running there any more, delete ${target}.`, { lockFile: target, holder });
      }
      if (!holder) {
        const age = Date.now() - ((await stat(target).catch(() => null))?.mtimeMs ?? 0);
        if (age < UNREADABLE_GRACE_MS) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
      }
      // Stale (its holder is gone) or damaged: move it aside under a name of our own, check that
      // what we moved is what we judged (another process may have taken over in between), drop it.
      const aside = `${target}.${me.token}.stale`;
      try {
        await gate.rename(target, aside);
      } catch {
        continue; // someone else moved it first: look again
      }
      const moved = await readHolder(aside);
      if (moved && holder && moved.token !== holder.token && (await holderAlive(moved))) {
        // A live holder's fresh lock: put it back and report it at the next look.
        await createExclusive((await gate.target(target)), JSON.stringify(moved, null, 2) + '\n');
      } else if (holder) tookOver = holder;
      await gate.remove(aside);
    }
    throw new LockedError(`Could not take the lock ${target}: it kept changing. Try again.`, { lockFile: target });
  }

  /** Whether the lock file on disk is still this holder's. */
  async held(): Promise<boolean> {
    if (this.released) return false;
    return (await readHolder(this.file))?.token === this.holder.token;
  }

  /** Removes the lock file if it is still ours (a takeover after we were presumed dead leaves it). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if ((await readHolder(this.file))?.token === this.holder.token) await this.gate.remove(this.file);
  }
}
