// Entry of a job's child process (a training, or a prediction): receives one `start`, imports the
// job module it names and runs it with an AbortSignal that a `stop` message (or the engine going
// away) aborts. The request and the messages are the job module's own (protocol.ts).
import { errorToWire } from '../../api/index.ts';
import type { ControlMessage, FailedMessage, RunJob } from './protocol.ts';

const controller = new AbortController();

function send(msg: object): void {
  process.send?.(msg);
}

async function start(module: string, request: unknown): Promise<void> {
  try {
    const mod = (await import(module)) as { runJob?: RunJob<unknown, object> };
    if (typeof mod.runJob !== 'function') throw new Error(`${module} does not export runJob.`);
    await mod.runJob(request, { signal: controller.signal, emit: send });
  } catch (e) {
    send({ type: 'failed', error: errorToWire(e) } satisfies FailedMessage);
  }
  process.disconnect?.();
}

process.on('message', (raw: unknown) => {
  const msg = raw as ControlMessage;
  if (msg?.type === 'start') void start(msg.module, msg.request);
  else if (msg?.type === 'stop') controller.abort();
});
// The engine died or closed the channel: stop training (the trainer saves `last` on abort).
process.on('disconnect', () => controller.abort());
