// Browser mode: the page starts the GPU compute worker (src/train/compute/worker-entry.ts, built
// into dist/compute/worker.js and served by `seglens serve`), which connects back to the engine on
// its own WebSocket and lends the page's WebGPU or WebGL to training jobs. In Electron the hidden
// compute window does this instead, so a page with the Electron bridge starts nothing.
// Browser-safe: Worker and WebSocket only.
import { ROUTES } from '../routes.ts';
import { findBridge } from './ipc.ts';
import { thisPageToken } from './page-token.ts';

/**
 * Held for the page's lifetime: a Worker object nothing refers to may be collected, and Chromium
 * then ends the worker in the middle of a training step (seen: its socket closed with 1001).
 */
let started: Worker | null = null;

export function startComputeWorker(scope: object = globalThis): Worker | null {
  if (started) return started;
  const g = scope as { Worker?: typeof Worker; location?: Location; document?: Document };
  if (findBridge(scope) || typeof g.Worker !== 'function' || !g.location || !g.document) return null;
  // The page transport has read the token already (and taken it out of the address bar).
  const token = thisPageToken();
  if (!token) return null;
  const q = `${ROUTES.tokenParam}=${encodeURIComponent(token)}`;
  // The script is public like every asset of the page; the socket needs the token.
  const worker = new g.Worker(ROUTES.computeWorker);
  const url = `${g.location.origin.replace(/^http/, 'ws')}${ROUTES.computeSocket}?${q}`;
  worker.addEventListener('error', (e) => console.error(`seglens compute worker: ${e.message}`));
  worker.postMessage({ type: 'connect', url });
  started = worker;
  return worker;
}
