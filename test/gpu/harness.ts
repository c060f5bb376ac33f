// What the GPU tests share: Chromium started with SwiftShader's WebGPU and WebGL adapters (software:
// the tests check correctness, never speed), page code bundled for the browser by esbuild, and a
// local HTTP server that serves it and accepts the compute worker's WebSocket.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { CHROMIUM } from '../e2e/harness.ts';
import { REPO } from '../helpers/paths.ts';

export { HAVE_CHROMIUM, skipWithoutChromium } from '../e2e/harness.ts';

/** The flags of issue 10: SwiftShader gives Chromium a WebGPU and a WebGL adapter without a GPU. */
export function launchGpuChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Bundles a browser entry (TypeScript of this repo) into one script. */
export async function bundle(entry: string): Promise<string> {
  const r = await build({ absWorkingDir: REPO, entryPoints: [entry], bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', write: false, logLevel: 'warning' });
  return r.outputFiles[0].text;
}

export interface TestServer {
  url: string;
  server: Server;
  /** Resolves with the next WebSocket a page opens on /compute. */
  nextSocket(): Promise<WebSocket>;
  close(): Promise<void>;
}

/** Serves `files` (path -> [content type, body]) and accepts WebSockets on /compute. */
export async function serveFiles(files: Record<string, [string, string]>): Promise<TestServer> {
  const server = createServer((req, res) => {
    const f = files[(req.url ?? '/').split('?')[0]];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f[0] }).end(f[1]);
  });
  const wss = new WebSocketServer({ server, path: '/compute' });
  const waiting: Array<(ws: WebSocket) => void> = [];
  const ready: WebSocket[] = [];
  wss.on('connection', (ws) => {
    const w = waiting.shift();
    if (w) w(ws);
    else ready.push(ws);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    nextSocket: () => new Promise((r) => (ready.length ? r(ready.shift()!) : waiting.push(r))),
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => r());
      }),
  };
}
