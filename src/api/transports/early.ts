// Calls a page makes before the contract's code has loaded (its schemas are most of the page's
// script, and building them takes a while), so that the engine works while the rest of the page
// loads (issue 14, launch to first image): the engine's info, and a page opened at an image asks
// the engine to start reading it (prefetchImage). An answer kept here is taken by the page
// transport's first call with the same URL and body (web.ts), once; a call that failed is made
// again there, and its error reported then.
// Browser mode only: a page with the Electron bridge, or without a token, sends nothing.
// Browser-safe, and light on purpose: nothing here may import the contract's schemas.
import type { Contract, JsonMethod } from '../contract.ts';
import { ROUTES } from '../routes.ts';
import { BRIDGE_KEY } from './ipc-bridge.ts';
import { authHeader, thisPageToken } from './page-token.ts';

/** Answers kept for the transport, by URL and body, with when they were asked for. */
const kept = new Map<string, { answer: Promise<Response>; at: number }>();
const keyOf = (url: string, body: string) => `${url}\n${body}`;
/** An answer older than this is not handed out (the page took that long to load: it asks afresh). */
const MAX_AGE_MS = 10_000;

export interface EarlyOptions {
  /** Keep the answer for the transport's first identical call (default), or drop it (a call made for its effect). */
  answer?: 'keep' | 'drop';
  /** Where the page's fetch, location and bridge are looked up (tests). */
  scope?: object;
}

/** Makes a JSON call now, if this is a browser-mode page with a token (see the top of this file). */
export function earlyCall<M extends JsonMethod>(method: M, params: Parameters<Contract[M]>[0], opts: EarlyOptions = {}): void {
  const scope = opts.scope ?? globalThis;
  const g = scope as { fetch?: typeof fetch; location?: Pick<Location, 'origin'> };
  if (BRIDGE_KEY in scope || typeof g.fetch !== 'function' || !g.location) return;
  const token = thisPageToken();
  if (!token) return;
  const url = `${g.location.origin}${ROUTES.api}${method}`;
  const body = JSON.stringify(params ?? {});
  const answer = g.fetch(url, { method: 'POST', headers: { ...authHeader(token), 'Content-Type': 'application/json' }, body });
  if (opts.answer === 'drop') {
    answer.then((r) => r.body?.cancel()).catch(() => {});
    return;
  }
  answer.catch(() => {}); // the transport makes the call again and reports its failure
  kept.set(keyOf(url, body), { answer, at: Date.now() });
}

/** The kept answer to a call with this URL and body, handed out once; null when there is none. */
export function takeEarly(url: string, body: string): Promise<Response> | null {
  const k = keyOf(url, body);
  const e = kept.get(k);
  kept.delete(k);
  return e && Date.now() - e.at <= MAX_AGE_MS ? e.answer : null;
}
