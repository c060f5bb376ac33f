// Entry of the training child process: receives one `start`, imports the job module it names and
// runs it with an AbortSignal that a `stop` message (or the engine going away) aborts.
import { errorToWire } from '../../api/index.ts';
import type { ControlMessage, JobMessage, RunJob } from './protocol.ts';

const controller = new AbortController();

function send(msg: JobMessage): void {
  process.send?.(msg);
}

async function start(module: string, request: Parameters<RunJob>[0]): Promise<void> {
  try {
    const mod = (await import(module)) as { runJob?: RunJob };
    if (typeof mod.runJob !== 'function') throw new Error(`${module} does not export runJob.`);
    await mod.runJob(request, { signal: controller.signal, emit: send });
  } catch (e) {
    send({ type: 'failed', error: errorToWire(e) });
  }
  process.disconnect?.();
}

process.on('message', (raw: unknown) => {
  const msg = raw as ControlMessage;
  if (msg?.type === 'start') void start(msg.module, msg.request);
  else if (msg?.type === 'stop') controller.abort();
  // 'compute' messages are for the lent GPU compute: child-compute.ts listens for them.
});
// The engine died or closed the channel: stop training (the trainer saves `last` on abort).
process.on('disconnect', () => controller.abort());
