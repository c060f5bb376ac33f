// ComputePorts over Node transports, for the engine's side of a remote compute: a WebSocket of
// the `ws` package (browser mode: the page's compute worker connects to the engine), and a Node
// IPC channel (the training child process talks to the engine, which relays). Node only.
import type { WebSocket } from 'ws';
import { fromFramedSocket } from './rpc.ts';
import type { ComputePort } from './rpc.ts';

export function fromWebSocket(ws: WebSocket): ComputePort {
  return fromFramedSocket({
    send: (frame) => ws.send(frame),
    onFrame: (l) => {
      const h = (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        if (isBinary && !Array.isArray(data)) l(data instanceof ArrayBuffer ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      };
      ws.on('message', h);
      return () => ws.off('message', h);
    },
    onClose: (l) => {
      ws.once('close', (code) => l(`the compute's socket closed (${code})`));
      ws.once('error', (e) => l(`the compute's socket failed: ${e.message}`));
    },
    close: () => ws.close(),
  });
}
