// The three IPC handlers of the main process (one per request kind, channels.ts): sender check,
// payload validation (ipc-guard.ts), then the engine. Events go the other way, each on its own
// channel, only to windows showing the app. Electron-free: main.ts passes ipcMain and the windows.
import type { ContractEvent } from '../src/api/contract.ts';
import { EVENT_CHANNELS, REQUEST_CHANNELS } from './channels.ts';
import type { RequestKind } from './channels.ts';
import type { EngineResponse } from './engine-wire.ts';
import type { RequestInput } from './engine-host.ts';
import { checkRequest, isTrustedFrame, untrustedSender } from './ipc-guard.ts';
import type { SenderFrame } from './ipc-guard.ts';

/** The parts of Electron's IpcMainInvokeEvent the handlers read. */
export interface InvokeEventLike {
  senderFrame: { url: string; parent: unknown } | null;
  sender: { id: number };
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcOptions {
  /** The app's origin, e.g. `seglens://app`. */
  origin: string;
  /** Ids of the webContents of the app's own windows. */
  isAppWebContents: (id: number) => boolean;
  engine: { request(input: RequestInput): Promise<EngineResponse> };
  /**
   * The native folder dialog, answering the contract's pickFolder here (the engine has no window);
   * resolves to the folder chosen, or null when cancelled.
   */
  pickFolder?: () => Promise<string | null>;
  log?: (message: string) => void;
}

function frameOf(event: InvokeEventLike): SenderFrame | null {
  const f = event.senderFrame;
  return f ? { url: f.url, isMainFrame: f.parent === null } : null;
}

/** Registers the handlers; returns the function that removes them. */
export function registerIpc(ipc: IpcMainLike, o: IpcOptions): () => void {
  const log = o.log ?? ((m: string) => console.warn(m));
  const kinds = Object.keys(REQUEST_CHANNELS) as RequestKind[];
  for (const kind of kinds) {
    ipc.handle(REQUEST_CHANNELS[kind], async (event, method, payload) => {
      if (!o.isAppWebContents(event.sender.id) || !isTrustedFrame(frameOf(event), o.origin)) {
        log(`seglens: refused ${kind} "${String(method).slice(0, 64)}" from ${event.senderFrame?.url ?? 'a destroyed frame'}.`);
        return untrustedSender(kind);
      }
      const checked = checkRequest(kind, method, payload);
      if (!checked.ok) return checked.response;
      if (o.pickFolder && checked.request.kind === 'call' && checked.request.method === 'pickFolder') {
        return { ok: true, result: { supported: true, dir: await o.pickFolder() } } satisfies EngineResponse;
      }
      return o.engine.request(checked.request);
    });
  }
  return () => kinds.forEach((k) => ipc.removeHandler(REQUEST_CHANNELS[k]));
}

/** The parts of WebContents used to deliver events. */
export interface EventReceiver {
  isDestroyed(): boolean;
  mainFrame: { url: string };
  send(channel: string, ...args: unknown[]): void;
}

/** Sends a (validated) contract event to each target whose page is the app's own. */
export function deliverEvent(event: ContractEvent, targets: Iterable<EventReceiver>, origin: string): void {
  const channel = EVENT_CHANNELS[event.type];
  for (const t of targets) {
    if (t.isDestroyed() || !isTrustedFrame({ url: t.mainFrame.url, isMainFrame: true }, origin)) continue;
    t.send(channel, event.payload);
  }
}
