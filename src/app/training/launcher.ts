// How the engine starts a job process: a training (jobs.ts), a report (../report-job.ts) or a
// prediction of a run (../predict/predict-runner.ts), each running worker.ts, which imports the job
// module and runs it. Jobs run in their own process so that the engine never waits on a training
// step and a stuck backend can be ended with it.
//
// In browser mode and on the command line the engine is Node: the job is a child_process.fork of
// the worker's bundle (out/node/worker.js), or of worker.ts through tsx when the engine itself runs
// from the sources (tests). In the desktop app the engine is an Electron utility process, where child_process.fork would
// start the Electron binary as Node through ELECTRON_RUN_AS_NODE, which needs the RunAsNode fuse;
// that fuse is off (it lets anything that can start the app's binary run arbitrary Node code), so
// there the main process starts each job as a utility process of its own on the engine's request
// (electron/job-relay.ts passes that launcher to the Workspace).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { BUNDLED, programFile } from '../../seg/runtime.ts';

/** One job process as the engine sees it: messages both ways, its exit, and a way to end it. */
export interface JobProcess {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** `code` null when it was killed by a signal (then `signal` names it). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Starting failed (no such program, no memory). */
  onError(listener: (e: Error) => void): void;
  /** Ends it at once (no checkpoint): after a stop's grace time, or when the engine closes. */
  kill(): void;
  /** Whether it has exited. */
  readonly exited: boolean;
}

export type JobLauncher = () => JobProcess;

const WORKER = programFile('src/app/training/worker.ts', 'worker');

/** Node flags of the child: none for the bundle; tsx (a dev dependency) to load the TypeScript sources. */
function childExecArgv(): string[] {
  if (BUNDLED) return [];
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
}

/** The Node launcher: worker.ts in a child process with an IPC channel. */
export const forkJobProcess: JobLauncher = () => {
  // Advanced serialization (structured clone): a lent GPU compute's messages carry typed arrays.
  const child = fork(WORKER, [], { execArgv: childExecArgv(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  let exited = false;
  child.once('exit', () => (exited = true));
  return {
    send: (m) => {
      if (child.connected) child.send(m as never);
    },
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.once('exit', (code, signal) => l(code, signal)),
    onError: (l) => void child.once('error', l),
    kill: () => void child.kill('SIGKILL'),
    get exited() {
      return exited;
    },
  };
};
