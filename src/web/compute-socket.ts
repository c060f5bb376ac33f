// The WebSocket by which the page's GPU compute worker (src/train/compute/worker-entry.ts) offers
// itself to the engine in browser mode. Token-checked like every request; the engine lends it to
// training jobs (src/app/compute-hub.ts). Its frames carry weights and whole-image probabilities,
// hence the large message limit (only an authorised page can connect).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

const MAX_FRAME = 1024 * 1024 * 1024;

export class ComputeSockets {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });

  constructor(private readonly accept: (ws: WebSocket) => void) {}

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, authorised: boolean): void {
    if (!authorised) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      this.accept(ws);
    });
  }

  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'server closing');
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}
