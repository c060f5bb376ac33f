// Engine side of every transport: validate the params, call the Contract implementation, validate
// the result before it leaves. The web server and the Electron main process both use these, so
// no transport can forget a check. Browser-safe like the rest of src/api (no node imports).
import type { Contract, DownloadMethod, JsonMethod, UploadMethod } from './contract.ts';
import { decodeSaveMask, encodeDownload } from './codec.ts';
import type { DownloadResult } from './codec.ts';
import { parseParams, parseResult } from './wire.ts';

type Fn = (params?: unknown) => Promise<unknown>;

export async function dispatchJson(impl: Contract, method: JsonMethod, params: unknown): Promise<unknown> {
  const p = parseParams(method, params);
  const fn = impl[method] as unknown as Fn;
  return parseResult(method, await fn.call(impl, p));
}

export async function dispatchDownload(impl: Contract, method: DownloadMethod, params: unknown): Promise<Uint8Array> {
  const p = parseParams(method, params);
  const fn = impl[method] as unknown as Fn;
  return encodeDownload(method, (await fn.call(impl, p)) as DownloadResult);
}

export async function dispatchUpload(impl: Contract, method: UploadMethod, frame: ArrayBuffer | Uint8Array): Promise<unknown> {
  // saveMask is the only upload method; the switch keeps a new one from being forgotten here.
  switch (method) {
    case 'saveMask':
      return parseResult(method, await impl.saveMask(decodeSaveMask(frame)));
  }
}
