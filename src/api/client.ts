// createClient(transport): the Contract as the UI uses it. Params are validated before they leave
// (a UI bug shows up as a ValidationError naming the field, not as a server 400), results and
// events are validated on arrival (never a cast of event.data).
//
//   // renderer, served by `seglens serve`:
//   const api = createClient(createPageTransport());          // transports/web.ts
//   const { images } = await api.listImages();
//   const off = api.on('training.epoch', (p) => plot(p.record), { signal });
//   const mask = await api.getMaskPixels({ name });            // Uint8Array of class ids
//   await api.saveMask({ name, width, height, baseVersion: mask.version, data });
//   // ConflictError (err.name) when the file changed on disk: ask, then overwrite: true.
import { METHODS, METHOD_NAMES } from './contract.ts';
import type { Contract, ContractEvent, ContractEvents, DownloadMethod, EventName, JsonMethod, MethodName } from './contract.ts';
import { decodeDownload, encodeSaveMask } from './codec.ts';
import type { SaveMaskParams } from './payloads/pixels.ts';
import type { Transport } from './transport.ts';
import { parseEvent, parseParams, parseResult } from './wire.ts';

export interface ClientOptions {
  /** Called with the ValidationError of an event that failed its schema (it is dropped). */
  onInvalidEvent?: (err: unknown, raw: unknown) => void;
}

export interface ListenOptions {
  /** Removes the listener when aborted. */
  signal?: AbortSignal;
}

export interface ContractClient extends Contract {
  /** Listen to one event type; returns the function that stops listening. */
  on<K extends EventName>(type: K, handler: (payload: ContractEvents[K]) => void, opts?: ListenOptions): () => void;
  /** Listen to every event. */
  onAny(handler: (event: ContractEvent) => void, opts?: ListenOptions): () => void;
}

type AnyHandler = (event: ContractEvent) => void;

export function createClient(transport: Transport, opts: ClientOptions = {}): ContractClient {
  const listeners = new Set<AnyHandler>();
  let unsubscribe: (() => void) | null = null;

  const deliver = (raw: unknown) => {
    let ev: ContractEvent;
    try {
      ev = parseEvent(raw);
    } catch (e) {
      if (opts.onInvalidEvent) opts.onInvalidEvent(e, raw);
      else console.warn('seglens: dropped an invalid event:', (e as Error).message);
      return;
    }
    for (const l of [...listeners]) l(ev);
  };

  const listen = (handler: AnyHandler, lo: ListenOptions = {}) => {
    if (lo.signal?.aborted) return () => {};
    listeners.add(handler);
    if (!unsubscribe) unsubscribe = transport.subscribe(deliver);
    const off = () => {
      listeners.delete(handler);
      lo.signal?.removeEventListener('abort', off);
      if (listeners.size === 0 && unsubscribe) {
        unsubscribe();
        unsubscribe = null;
      }
    };
    lo.signal?.addEventListener('abort', off, { once: true });
    return off;
  };

  const json = (method: JsonMethod) => async (params: unknown) => {
    const p = parseParams(method, params ?? {});
    return parseResult(method, await transport.call(method, p));
  };
  const download = (method: DownloadMethod) => async (params: unknown) => {
    const p = parseParams(method, params ?? {}) as Record<string, string>;
    return decodeDownload(method, await transport.download(method, p));
  };
  const saveMask = async (params: SaveMaskParams) => parseResult('saveMask', await transport.upload('saveMask', encodeSaveMask(params)));

  const methods: Record<string, unknown> = {};
  for (const m of METHOD_NAMES as MethodName[]) {
    const kind = METHODS[m].kind;
    if (kind === 'json') methods[m] = json(m as JsonMethod);
    else if (kind === 'download') methods[m] = download(m as DownloadMethod);
  }
  methods.saveMask = saveMask;

  return {
    ...(methods as unknown as Contract),
    on(type, handler, lo) {
      return listen((ev) => {
        if (ev.type === type) handler(ev.payload as ContractEvents[typeof type]);
      }, lo);
    },
    onAny: listen,
  };
}
