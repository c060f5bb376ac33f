// The event socket: contract events pushed to every authorised page. Each event is validated
// against its schema before it leaves (a bad payload from the engine is logged, not sent).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { parseEvent } from '../api/index.ts';
import type { ContractEvent } from '../api/index.ts';
import { CLOSE_UNAUTHORIZED } from '../api/transports/web.ts';

/** Pages only listen; anything they send is ignored, and nothing larger than this is accepted. */
const MAX_CLIENT_MESSAGE = 4096;

export class EventHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE });

  /** Accepts an authorised upgrade; refuses an unauthorised one with HTTP 401 before the handshake. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, authorised: boolean): void {
    if (!authorised) {
      const body = 'Missing or wrong seglens token.';
      socket.end(`HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', () => {});
      ws.on('error', () => ws.terminate());
    });
  }

  broadcast(event: ContractEvent): void {
    let text: string;
    try {
      text = JSON.stringify(parseEvent(event));
    } catch (e) {
      console.error(`seglens serve: dropped an invalid ${event.type} event: ${(e as Error).message}`);
      return;
    }
    for (const ws of this.wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  }

  get clients(): number {
    return this.wss.clients.size;
  }

  /** Closes every socket (code 1001 going away) and the server. */
  close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'server closing');
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

export { CLOSE_UNAUTHORIZED };
