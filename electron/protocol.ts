// The app's own URL scheme, served by main.ts through protocol.handle: `seglens://app/...` is the
// built renderer (dist/renderer) and `seglens://app/project-files/...` the open project folder
// (images, masks, run reports). One origin for both, so the page's CSP 'self' covers them and no
// CORS is needed. Everything here is plain Node (Request/Response are Node's fetch classes), so
// the confinement rules are tested without Electron (test/electron/protocol.test.ts).
//
// Confinement, in order: the URL parser has already removed dot segments (also %2e%2e); each
// remaining segment is percent-decoded and refused if it then holds a separator (%2f, %5c), a dot
// segment, a NUL or other control character, or a drive letter; the joined path is resolved with
// realpath (symbolic links followed) and refused unless it lies inside the root's real path.
import { readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isInside } from '../src/app/confine.ts';
import { HTML_TYPE, contentType, isServedAsset } from '../src/app/content-types.ts';

export const SCHEME = 'seglens';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;
/** URL path prefix of the open project's files. */
export const PROJECT_PREFIX = '/project-files/';
/** URL path prefix of the GPU compute window's page and worker (dist/compute). */
export const COMPUTE_PREFIX = '/compute/';

/**
 * The window's content security policy. No 'unsafe-eval' and no 'wasm-unsafe-eval': the renderer
 * runs no WebAssembly (TensorFlow.js runs in the engine process). Inline styles are allowed because
 * Svelte templates carry static style attributes; inline scripts are not.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');


export type Refusal = { ok: false; status: 400 | 403 | 404; reason: string };
export type SegmentsResult = { ok: true; segments: string[] } | Refusal;
export type Resolved = { ok: true; file: string } | Refusal;

/**
 * The decoded path segments of a URL path (as `new URL(...).pathname` gives it), or a refusal.
 * String checks only; see resolveConfined for the file-system side.
 */
export function urlPathSegments(pathname: string): SegmentsResult {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: `malformed percent-encoding in "${raw}"` };
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(seg)) return { ok: false, status: 400, reason: 'control character (e.g. NUL) in the path' };
    if (seg.includes('/') || seg.includes('\\')) return { ok: false, status: 400, reason: `encoded path separator in "${raw}"` };
    if (seg === '.' || seg === '..') return { ok: false, status: 400, reason: 'dot segment in the path' };
    if (/^[A-Za-z]:/.test(seg)) return { ok: false, status: 400, reason: `drive letter in "${raw}"` };
    segments.push(seg);
  }
  return { ok: true, segments };
}

/**
 * The real path of the file a URL path names under `root`, or a refusal: 400 for a path that is
 * not a plain relative path, 403 for one whose real path (links followed) leaves the root, 404 for
 * a missing file or a folder.
 */
export async function resolveConfined(root: string, pathname: string): Promise<Resolved> {
  const segs = urlPathSegments(pathname);
  if (!segs.ok) return segs;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { ok: false, status: 404, reason: 'the folder does not exist' };
  }
  let real: string;
  try {
    real = await realpath(join(realRoot, ...segs.segments));
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  if (!isInside(realRoot, real)) return { ok: false, status: 403, reason: 'the path leads outside the folder (symbolic link?)' };
  try {
    if (!(await stat(real)).isFile()) return { ok: false, status: 404, reason: 'not a file' };
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  return { ok: true, file: real };
}

export interface AppProtocolContext {
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** The built compute page and worker (dist/compute, npm run build:compute). */
  computeDir?: string;
  /** The open project's folder, or null when none is open. */
  projectDir(): string | null;
  log?: (message: string) => void;
}

function headers(type: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'Content-Type': type,
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    ...extra,
  };
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: headers('text/plain; charset=utf-8') });
}

function notBuiltPage(dir: string): Response {
  const safe = dir.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>seglens</title></head><body>
<h1>The seglens interface is not built</h1>
<p>There is no built renderer in <code>${safe}</code>. Build it once with <code>npx vite build</code> in the seglens folder, then reload (Ctrl+R).</p>
</body></html>`;
  return new Response(body, { status: 200, headers: headers(HTML_TYPE) });
}

/** Answers one request to the app's scheme (the protocol.handle handler). */
export async function handleAppRequest(request: Request, ctx: AppProtocolContext): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Only GET.');
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return text(400, 'Bad URL.');
  }
  if (url.protocol !== `${SCHEME}:` || url.host !== APP_HOST) return text(404, 'Not found.');
  let root: string;
  let path: string;
  if (url.pathname.startsWith(COMPUTE_PREFIX) && ctx.computeDir) {
    root = ctx.computeDir;
    path = url.pathname.slice(COMPUTE_PREFIX.length - 1);
  } else if (url.pathname.startsWith(PROJECT_PREFIX)) {
    const dir = ctx.projectDir();
    if (!dir) return text(404, 'No project is open.');
    root = dir;
    path = url.pathname.slice(PROJECT_PREFIX.length);
  } else {
    root = ctx.rendererDir;
    path = url.pathname === '/' ? '/index.html' : url.pathname;
    if (!isServedAsset(path)) return text(404, 'Not found.');
    const index = await resolveConfined(root, '/index.html');
    if (!index.ok) return notBuiltPage(root);
  }
  const r = await resolveConfined(root, path);
  if (!r.ok) {
    if (r.status !== 404) ctx.log?.(`seglens: refused ${request.url}: ${r.reason}`);
    return text(r.status, r.status === 404 ? 'Not found.' : 'Refused.');
  }
  const type = contentType(r.file);
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers: headers(type) });
  return new Response(new Uint8Array(await readFile(r.file)), { status: 200, headers: headers(type) });
}
