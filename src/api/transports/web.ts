// The browser transport: HTTP calls and a WebSocket to `seglens serve` (src/web/server.ts), with
// the per-launch token on every request. Browser-safe: fetch and WebSocket only (both can be
// injected, e.g. the `ws` package in Node tests).
import type { DownloadMethod, JsonMethod, UploadMethod } from '../contract.ts';
import { ContractError, ERROR_NAMES } from '../errors.ts';
import type { Transport } from '../transport.ts';
import { ROUTES, unwrapResponse } from '../wire.ts';

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
}

/** Close codes the server uses to refuse a socket; the transport does not retry after them. */
export const CLOSE_UNAUTHORIZED = 4401;

export function createWebTransport(o: WebTransportOptions): Transport {
  const base = o.baseUrl.replace(/\/+$/, '');
  const doFetch = o.fetch ?? globalThis.fetch.bind(globalThis);
  const auth = { Authorization: `Bearer ${o.token}` };

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
      const res = await send(`${base}${ROUTES.api}${method}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(params) }, method);
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

/** Where the page keeps its token for reloads: per tab and per origin (so per port), never sent anywhere. */
export const TOKEN_STORE_KEY = 'seglens-token';

/** The parts of the browser a page token needs (injectable for tests). */
export interface PageEnv {
  location: Pick<Location, 'href'>;
  history: Pick<History, 'replaceState' | 'state'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

function browserEnv(): PageEnv {
  let storage: Storage | null = null;
  try {
    storage = globalThis.sessionStorage;
  } catch {
    storage = null; // storage disabled: the token lives in memory only (a reload needs the URL again)
  }
  return { location, history, sessionStorage: storage };
}

/**
 * The token of a page served by `seglens serve`. The printed URL carries it as ?token=; the page
 * takes it from there once, keeps it in sessionStorage (this tab, this origin: no other local
 * server or port can read it, and no request carries it except as the header the transport sets)
 * and removes it from the address bar, so it is not in the history, a bookmark or a shared link.
 * A reload finds it in sessionStorage.
 */
export function pageToken(env: PageEnv = browserEnv()): string | null {
  const url = new URL(env.location.href);
  const given = url.searchParams.get(ROUTES.tokenParam);
  if (given) {
    try {
      env.sessionStorage?.setItem(TOKEN_STORE_KEY, given);
    } catch {
      /* storage full or disabled: the token still works until the page is closed */
    }
    url.searchParams.delete(ROUTES.tokenParam);
    env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return given;
  }
  try {
    return env.sessionStorage?.getItem(TOKEN_STORE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** The transport for a page served by `seglens serve` (same origin, token from the page). */
export function createPageTransport(): Transport {
  const token = pageToken();
  if (!token) throw new ContractError(ERROR_NAMES.transport, 'This page has no seglens token. Open the URL printed by `seglens serve` (it ends in ?token=...).');
  return createWebTransport({ baseUrl: location.origin, token });
}
