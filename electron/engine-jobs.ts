// Engine side of job processes in the desktop app (see job-relay.ts for main's side). The engine is
// an Electron utility process; with the RunAsNode fuse off it cannot fork Node children, so its
// launcher (src/app/training/launcher.ts) asks main, over parentPort, to start a job process and
// relays the job's messages both ways.
import type { JobLauncher, JobProcess } from '../src/app/training/launcher.ts';
import type { JobFromMain, JobToMain } from './engine-wire.ts';

interface Port {
  postMessage(message: unknown): void;
}

interface Live {
  message: ((m: unknown) => void)[];
  exit: ((code: number | null, signal: string | null) => void)[];
  exited: boolean;
}

export class EngineJobs {
  private next = 1;
  private readonly live = new Map<number, Live>();

  constructor(private readonly port: Port) {}

  /** The launcher the engine's Workspace uses. */
  readonly launcher: JobLauncher = () => {
    const job = this.next++;
    const state: Live = { message: [], exit: [], exited: false };
    this.live.set(job, state);
    const post = (m: JobToMain) => this.port.postMessage(m);
    post({ kind: 'job-start', job });
    const proc: JobProcess = {
      send: (message) => {
        if (!state.exited) post({ kind: 'job-send', job, message });
      },
      onMessage: (l) => void state.message.push(l),
      onExit: (l) => void state.exit.push(l),
      onError: () => {}, // main answers a failed start with job-exit
      kill: () => {
        if (!state.exited) post({ kind: 'job-kill', job });
      },
      get exited() {
        return state.exited;
      },
    };
    return proc;
  };

  /** A job message from main (already parsed against engine-wire.ts). */
  deliver(m: JobFromMain): void {
    const state = this.live.get(m.job);
    if (!state) return;
    if (m.kind === 'job-message') for (const l of state.message) l(m.message);
    else {
      state.exited = true;
      this.live.delete(m.job);
      for (const l of state.exit) l(m.code, m.signal);
    }
  }
}
