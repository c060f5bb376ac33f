// A compute worker: a Web Worker (in the app's page in browser mode, in Electron's hidden compute
// window) that runs the network on WebGPU or WebGL for the trainer in the engine. It is told where
// its trainer is by one message: {type: 'connect', port} with a MessagePort (Electron), or
// {type: 'connect', url} with the engine's compute WebSocket (browser mode). Bundled for the
// browser by build/compute.mjs; imports no Node module.
import { LocalCompute } from './local.ts';
import { probeBrowserGpus, selectBrowserBackend } from './browser-backend.ts';
import { fromFramedSocket, fromMessagePort, serveCompute } from './rpc.ts';
import type { ComputePort } from './rpc.ts';

interface Connect {
  type: 'connect';
  port?: MessagePort;
  url?: string;
}

function socketPort(url: string): ComputePort {
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  const queue: Uint8Array[] = [];
  ws.addEventListener('open', () => queue.splice(0).forEach((f) => ws.send(f)));
  return fromFramedSocket({
    send: (f) => (ws.readyState === WebSocket.OPEN ? ws.send(f) : queue.push(f)),
    onFrame: (l) => {
      const h = (e: MessageEvent) => {
        if (e.data instanceof ArrayBuffer) l(e.data);
      };
      ws.addEventListener('message', h);
      return () => ws.removeEventListener('message', h);
    },
    onClose: (l) => ws.addEventListener('close', (e) => l(`socket closed (${e.code})`)),
    close: () => ws.close(),
  });
}

const scope = globalThis as unknown as {
  addEventListener(type: 'message', l: (e: MessageEvent<Connect>) => void): void;
  postMessage(m: unknown): void;
};

scope.addEventListener('message', (e) => {
  if (e.data?.type !== 'connect') return;
  const port = e.data.port ? fromMessagePort(e.data.port) : e.data.url ? socketPort(e.data.url) : null;
  if (!port) return;
  const compute = new LocalCompute((pref) => selectBrowserBackend(pref, (reason) => port.post({ kind: 'lost', reason })));
  serveCompute(port, compute);
  void probeBrowserGpus().then((offers) => port.post({ kind: 'hello', offers }));
  scope.postMessage({ type: 'connected' });
});
