// A ComputePort over Electron's MessagePortMain: the engine's end of the channel to the desktop
// app's hidden compute window (electron/compute-window.ts). Structured clone both ways, so typed
// arrays cross as they are. Typed structurally: src/app does not import Electron.
import type { ComputePort } from '../train/compute/rpc.ts';

export interface MessagePortMainLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off?(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  start(): void;
  close(): void;
}

export function fromMainPort(port: MessagePortMainLike): ComputePort {
  let started = false;
  return {
    // MessagePortMain transfers only ports, not ArrayBuffers: the data is copied.
    post: (message) => port.postMessage(message),
    listen: (on) => {
      const l = (e: { data: unknown }) => on(e.data);
      port.on('message', l);
      if (!started) {
        started = true;
        port.start();
      }
      return () => port.off?.('message', l);
    },
    onClose: (h) => void port.on('close', () => h('the compute window closed its port')),
    close: () => port.close(),
  };
}
