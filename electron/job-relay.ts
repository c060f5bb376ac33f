// Main-process side of job processes (engine-jobs.ts is the engine's): on the engine's request,
// start a job (src/app/training/worker.ts, bundled to out/node/worker.js) as a utility process of its own,
// and relay its messages. This is how trainings and reports start in the desktop app with the
// RunAsNode fuse off: only the main process can start utility processes. Electron-free, like
// engine-host.ts: main.ts passes utilityProcess.fork, tests a stand-in.
import type { JobFromMain, JobToMain } from './engine-wire.ts';
import type { UtilityProcessLike } from './engine-host.ts';

export interface JobRelayOptions {
  forkJob: () => UtilityProcessLike;
  /** Sends to the engine. */
  toEngine: (m: JobFromMain) => void;
  /** How long a job may take to save its checkpoint after the engine went away, ms. */
  stopGraceMs?: number;
  log?: (message: string) => void;
}

export class JobRelay {
  private readonly jobs = new Map<number, UtilityProcessLike>();

  constructor(private readonly o: JobRelayOptions) {}

  handle(m: JobToMain): void {
    if (m.kind === 'job-start') return this.start(m.job);
    const child = this.jobs.get(m.job);
    if (!child) return;
    if (m.kind === 'job-send') child.postMessage(m.message);
    else child.kill();
  }

  private start(job: number): void {
    let child: UtilityProcessLike;
    try {
      child = this.o.forkJob();
    } catch (e) {
      this.o.log?.(`seglens: a job process could not start: ${(e as Error).message}`);
      this.o.toEngine({ kind: 'job-exit', job, code: 1, signal: null });
      return;
    }
    this.jobs.set(job, child);
    child.on('message', (message) => this.o.toEngine({ kind: 'job-message', job, message }));
    child.on('exit', (code) => {
      this.jobs.delete(job);
      this.o.toEngine({ kind: 'job-exit', job, code, signal: null });
    });
  }

  /** The engine went away: every job is asked to stop (a training saves `last`), then ended. */
  engineGone(): void {
    for (const child of this.jobs.values()) {
      try {
        child.postMessage({ type: 'stop' });
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => child.kill(), this.o.stopGraceMs ?? 60_000);
      child.on('exit', () => clearTimeout(timer));
    }
  }

  get count(): number {
    return this.jobs.size;
  }
}
