// The per-launch token of a page served by `seglens serve`, and how requests carry it. Apart from
// web.ts so that a call made before the contract's code has loaded (early.ts) can use it.
import { ROUTES } from '../routes.ts';

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

let memo: { token: string | null } | null = null;

/**
 * This page's token, read once (pageToken takes it out of the address bar): every later reader (the
 * transport, the compute worker, an early call) gets the same, even where sessionStorage is disabled.
 */
export function thisPageToken(): string | null {
  memo ??= { token: pageToken() };
  return memo.token;
}

/** The header every request of the web transport carries. */
export function authHeader(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}
