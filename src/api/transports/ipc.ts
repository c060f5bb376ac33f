// The Electron transport, renderer side. The preload (electron/preload.ts) exposes `window.seglens`,
// an IpcBridge; createIpcTransport turns it into a Transport so that createClient works unchanged.
//
// Why the bridge answers with envelopes instead of throwing: an Error crossing Electron's
// contextBridge keeps only its message (name and details are dropped, electron/electron#25596),
// so the main process answers every request with the same {ok, result} | {ok: false, error}
// envelope as the web transport, and the ContractError is rebuilt here.
//
// Browser-safe: no electron or node imports (the renderer bundles it).
import type { DownloadMethod, JsonMethod, UploadMethod } from '../contract.ts';
import { ContractError, ERROR_NAMES } from '../errors.ts';
import type { Transport } from '../transport.ts';
import { unwrapResponse } from '../wire.ts';
import { BRIDGE_KEY } from './ipc-bridge.ts';
import type { IpcBridge } from './ipc-bridge.ts';
import { createPageTransport } from './web.ts';

export { BRIDGE_KEY } from './ipc-bridge.ts';
export type { IpcBridge } from './ipc-bridge.ts';

function transportError(method: string, e: unknown): ContractError {
  return new ContractError(
    ERROR_NAMES.transport,
    `The seglens engine did not answer ${method} (${e instanceof Error ? e.message : String(e)}). If this persists, restart seglens.`,
    { what: method },
  );
}

export function createIpcTransport(bridge: IpcBridge): Transport {
  async function request(method: string, send: () => Promise<unknown>): Promise<unknown> {
    let envelope: unknown;
    try {
      envelope = await send();
    } catch (e) {
      throw transportError(method, e);
    }
    return unwrapResponse(envelope, method);
  }
  return {
    call: (method: JsonMethod, params: unknown) => request(method, () => bridge.call(method, params)),
    async download(method: DownloadMethod, params: Record<string, string>) {
      const frame = await request(method, () => bridge.download(method, params));
      if (frame instanceof Uint8Array || frame instanceof ArrayBuffer) return frame;
      throw new ContractError(ERROR_NAMES.transport, `The engine answered ${method} without pixel data.`, { what: method });
    },
    upload: (method: UploadMethod, frame: Uint8Array) => request(method, () => bridge.upload(method, frame)),
    subscribe: (handler) => bridge.subscribe(handler),
  };
}

/** The bridge of this window when it runs inside the Electron shell, else null. */
export function findBridge(scope: object = globalThis): IpcBridge | null {
  const b = (scope as Record<string, unknown>)[BRIDGE_KEY];
  if (!b || typeof b !== 'object') return null;
  const f = b as Record<string, unknown>;
  return ['call', 'download', 'upload', 'subscribe'].every((k) => typeof f[k] === 'function') ? (b as IpcBridge) : null;
}

/**
 * The transport for this page: the Electron bridge when the preload exposed one, else the web
 * transport of a page served by `seglens serve`. The renderer calls `createClient(pickTransport())`.
 */
export function pickTransport(scope: object = globalThis): Transport {
  const bridge = findBridge(scope);
  return bridge ? createIpcTransport(bridge) : createPageTransport();
}
