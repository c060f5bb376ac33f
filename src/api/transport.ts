// What a transport must do to carry the contract. Two implement it: transports/web.ts (HTTP +
// WebSocket to `seglens serve`) and the Electron preload (IPC to the engine). A transport moves
// bytes and envelopes; validation is the client's job (client.ts), so no transport can skip it.
import type { DownloadMethod, JsonMethod, UploadMethod } from './contract.ts';

export interface Transport {
  /** JSON call; resolves with the result, rejects with a ContractError (from the error envelope). */
  call(method: JsonMethod, params: unknown): Promise<unknown>;
  /** Binary download; resolves with the frame (frame.ts). Params are flat strings. */
  download(method: DownloadMethod, params: Record<string, string>): Promise<ArrayBuffer | Uint8Array>;
  /** Binary upload of a frame; resolves with the JSON result. */
  upload(method: UploadMethod, frame: Uint8Array): Promise<unknown>;
  /** Raw events (JSON-parsed, not yet validated). Returns the unsubscribe function. */
  subscribe(handler: (event: unknown) => void): () => void;
}
