// The browser transport: HTTP calls and a WebSocket to `seglens serve` (src/web/server.ts), with
// the per-launch token on every request. Browser-safe: fetch and WebSocket only (both can be
// injected, e.g. the `ws` package in Node tests).
import type { DownloadMethod, JsonMethod, UploadMethod } from '../contract.ts';
import { ContractError, ERROR_NAMES } from '../errors.ts';
import type { Transport } from '../transport.ts';
import { ROUTES, unwrapResponse } from '../wire.ts';
import { takeEarly } from './early.ts';
import { authHeader, thisPageToken } from './page-token.ts';

export { TOKEN_STORE_KEY, pageToken, thisPageToken } from './page-token.ts';
export type { PageEnv } from './page-token.ts';

/** The subset of the WebSocket API used here (the browser's, or `ws` in Node). */
interface SocketLike {
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number): void;
}
type SocketCtor = new (url: string) => SocketLike;

export interface WebTransportOptions {
  /** Origin of the server, e.g. http://127.0.0.1:5173 (no trailing slash needed). */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  WebSocket?: SocketCtor;
  /** Delay before reconnecting a dropped event socket, ms (default 1000). */
  reconnectMs?: number;
  /**
   * The answer to a JSON call made before the transport existed with the same URL and body, or
   * null (early.ts: the page transport takes what its page asked for early).
   */
  early?: (url: string, body: string) => Promise<Response> | null;
}

/** Close codes the server uses to refuse a socket; the transport does not retry after them. */
export const CLOSE_UNAUTHORIZED = 4401;

export function createWebTransport(o: WebTransportOptions): Transport {
  const base = o.baseUrl.replace(/\/+$/, '');
  const doFetch = o.fetch ?? globalThis.fetch.bind(globalThis);
  const auth = authHeader(o.token);

  async function send(url: string, init: RequestInit, what: string): Promise<Response> {
    try {
      return await doFetch(url, init);
    } catch (e) {
      throw new ContractError(ERROR_NAMES.transport, `Cannot reach the seglens engine at ${base} (${(e as Error).message}). Is \`seglens serve\` still running?`, { url: base, what });
    }
  }

  async function jsonBody(res: Response, what: string): Promise<unknown> {
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new ContractError(ERROR_NAMES.transport, `The engine answered ${what} with HTTP ${res.status} and no JSON.`, { status: res.status, what });
    }
    return unwrapResponse(body, what);
  }

  return {
    async call(method: JsonMethod, params: unknown) {
      const url = `${base}${ROUTES.api}${method}`;
      const body = JSON.stringify(params);
      const ask = () => send(url, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body }, method);
      const early = o.early?.(url, body);
      // An early call that did not get through is simply made again.
      const res = early ? await early.catch(ask) : await ask();
      return jsonBody(res, method);
    },
    async download(method: DownloadMethod, params: Record<string, string>) {
      const q = new URLSearchParams(params).toString();
      const res = await send(`${base}${ROUTES.data}${method}?${q}`, { headers: auth }, method);
      if (res.ok && (res.headers.get('content-type') ?? '').startsWith('application/octet-stream')) return res.arrayBuffer();
      await jsonBody(res, method); // throws the error the engine sent
      throw new ContractError(ERROR_NAMES.transport, `The engine answered ${method} without pixel data.`, { status: res.status });
    },
    async upload(method: UploadMethod, frame: Uint8Array) {
      const res = await send(`${base}${ROUTES.data}${method}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/octet-stream' }, body: frame as unknown as BodyInit }, method);
      return jsonBody(res, method);
    },
    subscribe(handler) {
      return openEvents(base, o, handler);
    },
  };
}

function openEvents(base: string, o: WebTransportOptions, handler: (event: unknown) => void): () => void {
  const Ctor = o.WebSocket ?? (globalThis.WebSocket as unknown as SocketCtor | undefined);
  if (!Ctor) throw new ContractError(ERROR_NAMES.transport, 'No WebSocket implementation: pass one in WebTransportOptions.WebSocket.');
  const url = `${base.replace(/^http/, 'ws')}${ROUTES.events}?${ROUTES.tokenParam}=${encodeURIComponent(o.token)}`;
  let socket: SocketLike | null = null;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const connect = () => {
    const s = new Ctor(url);
    socket = s;
    s.onmessage = (ev) => {
      let data: unknown;
      try {
        data = JSON.parse(String(ev.data));
      } catch {
        data = ev.data; // the client's validation reports it
      }
      handler(data);
    };
    s.onerror = () => {};
    s.onclose = (ev) => {
      socket = null;
      if (closed || ev.code === CLOSE_UNAUTHORIZED) return;
      timer = setTimeout(connect, o.reconnectMs ?? 1000);
    };
  };
  connect();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    socket?.close(1000);
  };
}

/** The transport for a page served by `seglens serve` (same origin, token from the page). */
export function createPageTransport(): Transport {
  const token = thisPageToken();
  if (!token) throw new ContractError(ERROR_NAMES.transport, 'This page has no seglens token. Open the URL printed by `seglens serve` (it ends in ?token=...).');
  return createWebTransport({ baseUrl: location.origin, token, early: takeEarly });
}
