// The desktop app's GPU compute window (electron/compute-window.ts) with stand-ins for Electron's
// BrowserWindow and MessageChannelMain: a hidden, sandboxed, unthrottled window; after it loads,
// one end of a fresh channel goes to its page and the other to the engine; a crashed renderer is
// replaced (a bounded number of times); an engine restart reconnects; the engine's end of the port
// becomes a ComputePort (src/app/compute-ports.ts) and the engine routes a compute-port message
// to it (electron/engine.ts).
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { COMPUTE_PAGE_URL, COMPUTE_PORT_CHANNEL, ComputeWindow, computeWindowOptions } from '../../electron/compute-window.ts';
import { serveEngine } from '../../electron/engine.ts';
import { fromMainPort } from '../../src/app/compute-ports.ts';

class FakePort extends EventEmitter {
  closed = false;
  started = false;
  sent: unknown[] = [];
  other: FakePort | null = null;
  postMessage(m: unknown) {
    this.sent.push(m);
    this.other?.emit('message', { data: m, ports: [] });
  }
  start() {
    this.started = true;
  }
  close() {
    this.closed = true;
    this.other?.emit('close');
  }
}

class FakeContents extends EventEmitter {
  posted: Array<{ channel: string; ports: unknown[] }> = [];
  destroyed = false;
  postMessage(channel: string, _m: unknown, ports: unknown[] = []) {
    this.posted.push({ channel, ports });
  }
  isDestroyed() {
    return this.destroyed;
  }
}

class FakeWindow {
  readonly webContents = new FakeContents();
  url = '';
  destroyed = false;
  async loadURL(url: string) {
    this.url = url;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
}

function setup(engineUp = true) {
  const windows: FakeWindow[] = [];
  const toEngine: FakePort[] = [];
  const log: string[] = [];
  const cw = new ComputeWindow({
    createWindow: () => {
      const w = new FakeWindow();
      windows.push(w);
      return w;
    },
    channel: () => {
      const port1 = new FakePort();
      const port2 = new FakePort();
      port1.other = port2;
      port2.other = port1;
      return { port1, port2 };
    },
    toEngine: (p) => (engineUp ? (toEngine.push(p), true) : false),
    log: (m) => log.push(m),
    maxRestarts: 2,
  });
  return { cw, windows, toEngine, log };
}

describe('the GPU compute window', () => {
  it('is hidden, sandboxed, context-isolated, without Node, and never throttled', () => {
    const o = computeWindowOptions('/x/compute-preload.cjs');
    expect(o.show).toBe(false);
    expect(o.webPreferences).toMatchObject({ preload: '/x/compute-preload.cjs', sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInWorker: false, backgroundThrottling: false, devTools: false });
  });

  it('loads the compute page and, once loaded, hands one end of a channel to the page and the other to the engine', () => {
    const { cw, windows, toEngine } = setup();
    cw.start();
    expect(windows).toHaveLength(1);
    expect(windows[0].url).toBe(COMPUTE_PAGE_URL);
    expect(COMPUTE_PAGE_URL).toBe('seglens://app/compute/page.html');
    expect(toEngine).toHaveLength(0); // not before the page can take its port
    windows[0].webContents.emit('did-finish-load');
    expect(toEngine).toHaveLength(1);
    expect(windows[0].webContents.posted).toEqual([{ channel: COMPUTE_PORT_CHANNEL, ports: [toEngine[0].other] }]);
    // An engine restart: a fresh channel, the page gets its new end.
    cw.connect();
    expect(toEngine).toHaveLength(2);
    expect(windows[0].webContents.posted).toHaveLength(2);
  });

  it('with no engine running, closes the channel instead of handing the page a dead port', () => {
    const { cw, windows, toEngine } = setup(false);
    cw.start();
    windows[0].webContents.emit('did-finish-load');
    expect(toEngine).toHaveLength(0);
    expect(windows[0].webContents.posted).toHaveLength(0);
  });

  it('replaces a crashed window a bounded number of times, saying so', () => {
    const { cw, windows, log } = setup();
    cw.start();
    for (let i = 0; i < 3; i++) windows.at(-1)!.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(windows.map((w) => w.destroyed)).toEqual([true, true, true]);
    expect(windows).toHaveLength(3); // the first and two replacements; the third crash gives up
    expect(log.filter((l) => /compute window stopped \(crashed, exit code 139\)/.test(l))).toHaveLength(3);
    expect(log.at(-1)).toMatch(/failed too often; training uses the CPU/);
    cw.stop();
  });

  it("the engine's end works as a ComputePort: started on listen, closed when the page's end goes", () => {
    const a = new FakePort();
    const b = new FakePort();
    a.other = b;
    b.other = a;
    const port = fromMainPort(a);
    const got: unknown[] = [];
    let closedWhy = '';
    port.listen((m) => got.push(m));
    port.onClose((r) => (closedWhy = r));
    expect(a.started).toBe(true);
    b.postMessage({ kind: 'hello', offers: [] });
    expect(got).toEqual([{ kind: 'hello', offers: [] }]);
    const atPage: unknown[] = [];
    b.on('message', (e: { data: unknown }) => atPage.push(e.data));
    port.post({ kind: 'lost', reason: 'x' });
    expect(atPage).toEqual([{ kind: 'lost', reason: 'x' }]);
    b.close();
    expect(closedWhy).toMatch(/compute window closed its port/);
  });

  it('the engine hands a compute-port message to its callback with the port, and refuses one without', () => {
    const parent = new EventEmitter() as EventEmitter & { postMessage(m: unknown): void };
    parent.postMessage = () => undefined;
    const ports: unknown[] = [];
    serveEngine(parent as never, {} as never, () => undefined, () => undefined, (p) => ports.push(p));
    const port = new FakePort();
    parent.emit('message', { data: { kind: 'compute-port' }, ports: [port] });
    parent.emit('message', { data: { kind: 'compute-port' }, ports: [] });
    expect(ports).toEqual([port]);
  });
});
