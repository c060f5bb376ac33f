// The channel a job process talks to the engine over: the IPC of a Node child process
// (child_process.fork, advanced serialization), or the parentPort of an Electron utility process
// (the desktop app, where the main process starts jobs: launcher.ts). Both carry structured clones.
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  off?(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

export function sendToEngine(msg: unknown): void {
  if (parentPort) parentPort.postMessage(msg);
  else process.send?.(msg);
}

/** Subscribes to the engine's messages; returns the unsubscribe function. */
export function onEngineMessage(listener: (msg: unknown) => void): () => void {
  if (parentPort) {
    const l = (e: { data: unknown }) => listener(e.data);
    parentPort.on('message', l);
    return () => parentPort.off?.('message', l);
  }
  process.on('message', listener);
  return () => process.off('message', listener);
}
