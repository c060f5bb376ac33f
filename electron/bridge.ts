// What the preload exposes as `window.seglens`: the contract transport (src/api/transports/ipc.ts
// IpcBridge) and nothing else. No generic send(channel, payload): each function uses one fixed
// channel, and events are the contract's, one listener per event channel (channels.ts). The
// ipcRenderer event object never reaches the page (it carries `sender`, i.e. ipcRenderer itself).
// Electron-free so that it can be tested in Node with a stand-in ipcRenderer.
import type { IpcBridge } from '../src/api/transports/ipc-bridge.ts';
import { EVENT_CHANNEL_LIST, REQUEST_CHANNELS } from './channels.ts';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createBridge(ipc: IpcRendererLike): IpcBridge {
  return Object.freeze({
    call: (method: string, params: unknown) => ipc.invoke(REQUEST_CHANNELS.call, method, params),
    download: (method: string, params: Record<string, string>) => ipc.invoke(REQUEST_CHANNELS.download, method, params),
    upload: (method: string, frame: Uint8Array) => ipc.invoke(REQUEST_CHANNELS.upload, method, frame),
    subscribe(handler: (event: unknown) => void): () => void {
      const offs = EVENT_CHANNEL_LIST.map(([type, channel]) => {
        const listener = (_event: unknown, payload: unknown) => handler({ type, payload });
        ipc.on(channel, listener);
        return () => ipc.removeListener(channel, listener);
      });
      let done = false;
      return () => {
        if (done) return;
        done = true;
        for (const off of offs) off();
      };
    },
  });
}
