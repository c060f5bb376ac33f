// The per-launch token: 32 random bytes, required on every request and on the event socket.
// Compared in constant time (on SHA-256 digests, so unequal lengths cost the same too).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ROUTES } from '../api/index.ts';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Name of the cookie that lets the page's own assets (scripts, styles) load; one per port. */
export function cookieName(port: number): string {
  return `seglens_token_${port}`;
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

export interface Presented {
  bearer: string | null;
  query: string | null;
  cookie: string | null;
}

export function presentedToken(req: IncomingMessage, url: URL, port: number): Presented {
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  return { bearer: m ? m[1] : null, query: url.searchParams.get(ROUTES.tokenParam), cookie: cookie(req, cookieName(port)) };
}
