// Starts a job's child process (worker.ts) and hands it its module and request. Training and
// prediction jobs both run this way: TypeScript sources loaded by tsx, as bin/seglens.js does.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ControlMessage } from './protocol.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Node flags that let the child load TypeScript sources. */
function tsxArgs(): string[] {
  const loader = createRequire(import.meta.url).resolve('tsx');
  return ['--import', pathToFileURL(loader).href];
}

/** A child running `module`'s runJob(request); its messages arrive as the child's 'message' events. */
export function forkJob(module: string, request: unknown): ChildProcess {
  const child = fork(WORKER, [], { execArgv: tsxArgs(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send({ type: 'start', module: pathToFileURL(module).href, request } satisfies ControlMessage);
  return child;
}
