// The HTTP layout of browser mode, apart from wire.ts so that code which must run before the
// contract's schemas have loaded (transports/early.ts) can reach the engine. No imports.

/** HTTP layout of the web transport (src/web/server.ts serves it, transports/web.ts calls it). */
export const ROUTES = {
  api: '/api/',
  data: '/data/',
  events: '/events',
  /** The GPU compute worker script (dist/compute/worker.js) and its WebSocket to the engine. */
  computeWorker: '/compute/worker.js',
  computeSocket: '/compute/socket',
  /** Query parameter carrying the token where a header cannot be set (page URL, WebSocket). */
  tokenParam: 'token',
} as const;
