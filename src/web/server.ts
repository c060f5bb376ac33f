// `seglens serve`: the contract over HTTP + WebSocket on 127.0.0.1, and the built renderer.
//   POST /api/<method>          JSON params -> {ok, result} | {ok: false, error}
//   GET  /data/<method>?k=v     pixel frame (src/api/frame.ts)
//   POST /data/<method>         upload frame (saveMask) -> JSON envelope
//   GET  /events                WebSocket of contract events
//   GET  /compute/socket        WebSocket of the page's GPU compute worker (compute-socket.ts)
//   GET  /compute/worker.js     that worker's script (dist/compute, npm run build:compute)
//   GET  anything else          the renderer (dist/renderer)
// A random per-launch token is required on every API call (`Authorization: Bearer`) and on the
// socket (`?token=`: a browser cannot set headers there). The page and its assets are the app's
// public code and carry no token: the page reads it from its URL once, keeps it in the tab
// (sessionStorage, which no other origin, so no other local port, can read) and takes it out of
// the address bar. There is no cookie (cookies ignore ports: every server on 127.0.0.1 would get
// it). Requests must name this server in Host (no DNS rebinding), and a request a browser marks
// with another Origin (a page of another site or port) is refused, on the API and on the socket.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ERROR_NAMES, JSON_BODY_LIMIT, METHODS, ROUTES, UPLOAD_LIMIT, dispatchDownload, dispatchJson, dispatchUpload, isMethodName } from '../api/index.ts';
import type { Contract, DownloadMethod, EventSink, JsonMethod, UploadMethod } from '../api/index.ts';
import { Workspace } from '../app/workspace.ts';
import { EventHub } from './events.ts';
import { HttpError, readBody, sendBinary, sendError, sendJson } from './http.ts';
import { serveComputeWorker, serveStatic } from './static.ts';
import { ComputeSockets } from './compute-socket.ts';
import type { WebSocket } from 'ws';
import { newToken, presentedToken, sameToken } from './token.ts';

// Two folders up: from src/web/ in the sources, from out/node/ in the bundle (tools/bundle.mjs).
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export interface Engine extends Contract {
  close?(): Promise<void>;
  /** A GPU compute worker connected (a Workspace lends it to training jobs). */
  attachComputeSocket?(ws: WebSocket): void;
}

export interface ServeOptions {
  /** Makes the engine, given where its events go. Default: a Workspace. */
  engine?: (emit: EventSink) => Engine;
  /** 0 (default) = a free port chosen by the system. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. Anything else exposes the project to the network. */
  host?: string;
  rendererDir?: string;
  /** Fixed token (tests); default a random one. */
  token?: string;
}

export interface RunningServer {
  engine: Engine;
  token: string;
  host: string;
  port: number;
  /** http://host:port */
  origin: string;
  /** The page URL with the token: what to open in a browser. */
  url: string;
  /** Whether it listens on a non-loopback interface. */
  exposed: boolean;
  close(): Promise<void>;
}

function unauthorised(): HttpError {
  return new HttpError('AuthError', 'Missing or wrong seglens token. Open the URL printed by `seglens serve` (it ends in ?token=...).');
}

function badRequest(path: string, message: string): HttpError {
  return new HttpError(ERROR_NAMES.validation, `Invalid request: ${path}: ${message}.`, { where: 'request', issues: [{ path, message }] });
}

export async function startServer(o: ServeOptions = {}): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  const token = o.token ?? newToken();
  const hub = new EventHub();
  const engine = (o.engine ?? ((emit) => new Workspace({ emit })))((e) => hub.broadcast(e));
  const computeSockets = new ComputeSockets((ws) => (engine.attachComputeSocket ? engine.attachComputeSocket(ws) : ws.close(1011, 'this engine takes no GPU compute')));
  const rendererDir = o.rendererDir ?? DEFAULT_RENDERER_DIR;
  const exposed = !LOOPBACK.has(host);
  let port = 0;

  /** Loopback mode: refuse other Host headers, so a DNS-rebound page cannot reach the server. */
  const hostOk = (req: IncomingMessage) => {
    if (exposed) return true;
    const h = (req.headers.host ?? '').toLowerCase();
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(h);
  };
  /** A browser names the page a request comes from in Origin: it must be this server's own page. */
  const originOk = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true; // not from a page (a command-line client, a test)
    return origin.toLowerCase() === `http://${(req.headers.host ?? '').toLowerCase()}`;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!hostOk(req)) throw new HttpError('AuthError', `Requests must be addressed to 127.0.0.1:${port}.`);
    const isApi = path.startsWith(ROUTES.api) || path.startsWith(ROUTES.data) || path === ROUTES.events;
    if (isApi) {
      if (!originOk(req)) throw new HttpError(ERROR_NAMES.accessDenied, `Requests from the page ${req.headers.origin} are refused: only seglens's own page may call it.`);
      if (!sameToken(presentedToken(req, url).bearer, token)) throw unauthorised();
    }
    if (path === ROUTES.events) throw new HttpError(ERROR_NAMES.validation, 'The event stream is a WebSocket: connect with ws://.../events?token=...');
    if (path.startsWith(ROUTES.api)) return handleApi(req, res, path.slice(ROUTES.api.length));
    if (path.startsWith(ROUTES.data)) return handleData(req, res, path.slice(ROUTES.data.length), url);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError('MethodNotAllowed', `${req.method} is not allowed on ${path}.`);
    if (path === ROUTES.computeWorker) return serveComputeWorker(res, req.method === 'HEAD');
    await serveStatic(res, path, { dir: rendererDir, host: `${req.headers.host}` }, req.method === 'HEAD');
  }

  function method(name: string, kinds: string[]): string {
    if (!isMethodName(name) || !kinds.includes(METHODS[name].kind)) {
      throw badRequest('method', `"${name.slice(0, 100)}" is not a ${kinds.join('/')} method of the contract`);
    }
    return name;
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (req.method !== 'POST') throw new HttpError('MethodNotAllowed', 'Contract calls are POST requests with a JSON body.');
    const m = method(name, ['json']) as JsonMethod;
    const body = await readBody(req, JSON_BODY_LIMIT);
    let params: unknown = {};
    if (body.length > 0) {
      try {
        params = JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw badRequest('(body)', `not JSON (${(e as Error).message})`);
      }
    }
    sendJson(res, 200, { ok: true, result: await dispatchJson(engine, m, params) });
  }

  async function handleData(req: IncomingMessage, res: ServerResponse, name: string, url: URL): Promise<void> {
    if (req.method === 'GET') {
      const m = method(name, ['download']) as DownloadMethod;
      const params: Record<string, string> = {};
      for (const [k, v] of url.searchParams) {
        if (k === 'token') continue;
        if (k in params) throw badRequest(k, 'given twice');
        params[k] = v;
      }
      return sendBinary(res, await dispatchDownload(engine, m, params));
    }
    if (req.method === 'POST') {
      const m = method(name, ['upload']) as UploadMethod;
      const body = await readBody(req, UPLOAD_LIMIT);
      return sendJson(res, 200, { ok: true, result: await dispatchUpload(engine, m, body) });
    }
    throw new HttpError('MethodNotAllowed', `${req.method} is not allowed on ${ROUTES.data}${name}.`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      // A request refused before its body was read: consume the body, so that the connection's
      // next request is parsed from where this one ends.
      req.resume();
      sendError(res, e);
    });
  });
  // Requests must not hang the engine: headers within 30 s, whole requests within 10 minutes.
  server.headersTimeout = 30_000;
  server.requestTimeout = 600_000;
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if ((url.pathname !== ROUTES.events && url.pathname !== ROUTES.computeSocket) || !hostOk(req)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // WebSockets are not bound by the same-origin policy: any page may open one, so its Origin is checked.
    if (!originOk(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const t = presentedToken(req, url);
    const authorised = sameToken(t.bearer, token) || sameToken(t.query, token);
    if (url.pathname === ROUTES.computeSocket) computeSockets.upgrade(req, socket, head, authorised);
    else hub.upgrade(req, socket, head, authorised);
  });
  // Unparseable HTTP: answer 400 when the socket still can, and close it.
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${shownHost}:${port}`;
  return {
    engine,
    token,
    host,
    port,
    origin,
    url: `${origin}/?${ROUTES.tokenParam}=${token}`,
    exposed,
    async close() {
      // Every step runs even when one before it fails: the engine's close releases the project's
      // edit lock and ends the job processes, which must happen however the sockets went.
      const steps: (() => Promise<unknown>)[] = [
        () => hub.close(),
        () => computeSockets.close(),
        async () => {
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
        async () => engine.close?.(),
      ];
      const failed: unknown[] = [];
      for (const step of steps) await step().catch((e: unknown) => failed.push(e));
      if (failed.length) throw failed[0];
    },
  };
}
