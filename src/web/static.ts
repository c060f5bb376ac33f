// The built renderer (dist/renderer, made by vite) served as files, confined to that folder;
// unknown paths without an extension fall back to index.html (client-side routes). These files are
// the app's public code and hold no secret: the token is not in them (the page takes it from its
// URL once, see src/api/transports/web.ts), so they are served without it. Source maps are not
// served (content-types.ts).
import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, relative, isAbsolute, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_HEADERS } from './http.ts';
import { HTML_TYPE, contentType, isServedAsset } from '../app/content-types.ts';


/** The page's content security policy: own scripts only, wasm allowed (tfjs-wasm, if the UI uses it). */
export function pageCsp(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://${host}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function notBuiltPage(dir: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>seglens</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>The seglens interface is not built</h1>
<p>The engine is running and its API answers, but there is no built renderer in <code>${escapeAttr(dir)}</code>.</p>
<p>Build it once with <code>npx vite build</code> in the seglens folder (it writes <code>dist/renderer</code>), then reload this page.</p>
</body></html>`;
}

function inside(root: string, file: string): boolean {
  const rel = relative(root, file);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

export interface StaticOptions {
  dir: string;
  /** host:port as the browser reaches it (for the CSP's WebSocket source). */
  host: string;
}

export async function serveStatic(res: ServerResponse, pathname: string, o: StaticOptions, headOnly: boolean): Promise<void> {
  const send = (status: number, type: string, body: Buffer | string, extra: Record<string, string> = {}) => {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...BASE_HEADERS, ...extra, 'Content-Type': type, 'Content-Length': buf.length });
    res.end(headOnly ? undefined : buf);
  };
  const index = join(o.dir, 'index.html');
  if (!existsSync(index)) return send(200, HTML_TYPE, notBuiltPage(o.dir));
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return send(400, 'text/plain', 'Bad path.');
  }
  if (decoded.includes('\0')) return send(400, 'text/plain', 'Bad path.');
  if (!isServedAsset(decoded)) return send(404, 'text/plain', 'Not found.');
  const root = await realpath(o.dir);
  let file = join(root, normalize(decoded));
  let real = await realpath(file).catch(() => null);
  if (real && (await stat(real)).isDirectory()) real = null;
  if (!real) {
    if (extname(decoded) !== '') return send(404, 'text/plain', 'Not found.');
    file = join(root, 'index.html');
    real = await realpath(file);
  }
  if (!inside(root, real)) return send(404, 'text/plain', 'Not found.');
  const type = contentType(real);
  if (real === join(root, 'index.html')) return send(200, type, await readFile(real), { 'Content-Security-Policy': pageCsp(o.host) });
  return send(200, type, await readFile(real));
}

// Two folders up: from src/web/ in the sources, from out/node/ in the bundle (tools/bundle.mjs).
export const DEFAULT_COMPUTE_WORKER = fileURLToPath(new URL('../../dist/compute/worker.js', import.meta.url));

/** The GPU compute worker's script; a clear 404 when it was not built. */
export async function serveComputeWorker(res: ServerResponse, headOnly: boolean, file = DEFAULT_COMPUTE_WORKER): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    const msg = `// The GPU compute worker is not built: run npm run build:compute (it writes ${file}).`;
    res.writeHead(404, { ...BASE_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': Buffer.byteLength(msg) });
    res.end(headOnly ? undefined : msg);
    return;
  }
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': body.length });
  res.end(headOnly ? undefined : body);
}
