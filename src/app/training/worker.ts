// Entry of a job process (a training, a report, a prediction): receives one `start`, imports the
// job module it names and runs it with an AbortSignal that a `stop` message (or the engine going
// away) aborts. The request and the messages are the job module's own (protocol.ts).
// It talks over the channel it was started with: the IPC of a Node child process
// (child_process.fork), or the parentPort of an Electron utility process (the desktop app, where the
// main process starts jobs: launcher.ts).
import { errorToWire, formatPath } from '../../api/index.ts';
import { ControlMessageSchema } from './protocol.ts';
import type { FailedMessage, RunJobOf } from './protocol.ts';
import { onEngineMessage, parentPort, sendToEngine } from './job-channel.ts';

const controller = new AbortController();
const send = sendToEngine;

function done(): void {
  if (!parentPort) {
    process.disconnect?.();
    return;
  }
  // A utility process stays alive while its port is open: exit once the last message has left.
  setTimeout(() => process.exit(0), 200);
}

async function start(module: string, request: unknown): Promise<void> {
  try {
    const mod = (await import(module)) as { runJob?: RunJobOf<unknown, unknown> };
    if (typeof mod.runJob !== 'function') throw new Error(`${module} does not export runJob.`);
    await mod.runJob(request, { signal: controller.signal, emit: send });
  } catch (e) {
    send({ type: 'failed', error: errorToWire(e) } satisfies FailedMessage);
  }
  done();
}

function onControl(raw: unknown): void {
  const parsed = ControlMessageSchema.safeParse(raw);
  if (!parsed.success) {
    console.error(`seglens job: ignored a malformed message from the engine (${parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')})`);
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'start') void start(msg.module, msg.request);
  else if (msg.type === 'stop') controller.abort();
  // 'compute' messages are for the lent GPU compute: child-compute.ts listens for them.
}

onEngineMessage(onControl);
// The engine died or closed the channel: stop training (the trainer saves `last` on abort).
process.on('disconnect', () => controller.abort());
