// The per-launch token: 32 random bytes, required on every API request and on the event socket.
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

export interface Presented {
  bearer: string | null;
  query: string | null;
}

/**
 * The token a request presents: the `Authorization: Bearer` header (every HTTP call of the page),
 * or `?token=` (only the event socket takes it: a browser cannot set headers on a WebSocket). No
 * cookie: cookies ignore ports, so every other server on 127.0.0.1 would receive it.
 */
export function presentedToken(req: IncomingMessage, url: URL): Presented {
  const auth = req.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  return { bearer: m ? m[1] : null, query: url.searchParams.get(ROUTES.tokenParam) };
}
