// The shape of `window.seglens`, the bridge the Electron preload exposes (electron/bridge.ts) and
// transports/ipc.ts consumes. No imports: the preload bundle takes only this file from src/api.

/** The name under which the preload exposes the bridge: `window.seglens`. */
export const BRIDGE_KEY = 'seglens';

/** What the preload exposes. Every request resolves with an envelope (wire.ts Response); it never rejects on purpose. */
export interface IpcBridge {
  call(method: string, params: unknown): Promise<unknown>;
  /** The envelope's result is the binary frame (frame.ts) as a Uint8Array. */
  download(method: string, params: Record<string, string>): Promise<unknown>;
  upload(method: string, frame: Uint8Array): Promise<unknown>;
  /** Events as {type, payload}, one listener per contract event; returns the unsubscribe function. */
  subscribe(handler: (event: unknown) => void): () => void;
}
