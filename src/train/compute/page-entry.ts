// The page of the desktop app's hidden compute window (dist/compute/page.html): it waits for the
// MessagePort the main process sends through the window's preload, and starts the compute worker
// (worker-entry.ts) on it. A later port (the engine restarted) replaces the worker. Browser code.
// electron/compute-channel.ts spells it too (the preload posts it; layers cannot share the constant).
const CHANNEL = 'seglens:compute-port';

let worker: Worker | null = null;

window.addEventListener('message', (e: MessageEvent) => {
  if (e.data !== CHANNEL || e.source !== window || !e.ports[0]) return;
  worker?.terminate();
  worker = new Worker('worker.js');
  worker.addEventListener('error', (err) => console.error(`seglens compute worker: ${err.message}`));
  const port = e.ports[0];
  worker.postMessage({ type: 'connect', port }, [port]);
});

// Main waits for this before it sends a port.
document.title = 'seglens compute';
