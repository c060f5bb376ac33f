// The desktop app's GPU: a hidden window whose page (dist/compute/page.html) runs the compute
// worker on WebGPU or WebGL. WebGPU exists only in renderer processes, not in the engine's utility
// process, and the Node package `webgpu` cannot load inside Electron (it uses external buffers).
// Main connects the window's page and the engine with a MessageChannelMain: one port to the page
// through its preload (compute-preload.ts), the other to the engine (engine-main.ts lends it to
// training jobs). When the window's renderer dies, the engine's port closes (a job training on it
// stops with the reason and can resume on the CPU) and the window is made again; when the engine
// restarts, the page gets a fresh port. Electron-free: main.ts passes the constructors.
import { COMPUTE_PORT_CHANNEL } from './compute-channel.ts';
import { appWebPreferences } from './policy.ts';
import { APP_ORIGIN, COMPUTE_PREFIX } from './protocol.ts';

export { COMPUTE_PORT_CHANNEL };
export const COMPUTE_PAGE_URL = `${APP_ORIGIN}${COMPUTE_PREFIX}page.html`;

interface PortLike {
  close(): void;
}
interface ContentsLike {
  postMessage(channel: string, message: unknown, transfer?: PortLike[]): void;
  on(event: 'did-finish-load', listener: () => void): unknown;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
  isDestroyed(): boolean;
}
interface WindowLike {
  readonly webContents: ContentsLike;
  loadURL(url: string): Promise<void>;
  isDestroyed(): boolean;
  destroy(): void;
}

export interface ComputeWindowOptions<W extends WindowLike, P extends PortLike> {
  /** Makes the hidden window (main.ts: new BrowserWindow with computeWindowOptions()). */
  createWindow: () => W;
  /** A new pair of connected ports (main.ts: new MessageChannelMain()). */
  channel: () => { port1: P; port2: P };
  /** Hands the engine its end (EngineHost.sendComputePort). False when no engine runs now. */
  toEngine: (port: P) => boolean;
  log: (message: string) => void;
  /** Windows made again after a crash within 10 minutes before giving up (default 3). */
  maxRestarts?: number;
}

/** The hidden window's settings: as sandboxed as the app window, never throttled when hidden. */
export function computeWindowOptions(preload: string) {
  return {
    show: false,
    width: 320,
    height: 240,
    title: 'seglens compute',
    webPreferences: {
      ...appWebPreferences(preload, false),
      // A hidden window's timers and workers are slowed down by default: training would crawl.
      backgroundThrottling: false,
    },
  } as const;
}

export class ComputeWindow<W extends WindowLike, P extends PortLike> {
  private win: W | null = null;
  private loaded = false;
  private crashes: number[] = [];
  private stopped = false;

  constructor(private readonly o: ComputeWindowOptions<W, P>) {}

  start(): void {
    if (this.stopped || this.win) return;
    const win = this.o.createWindow();
    this.win = win;
    this.loaded = false;
    win.webContents.on('did-finish-load', () => {
      this.loaded = true;
      this.connect();
    });
    win.webContents.on('render-process-gone', (_e, d) => this.gone(win, `${d.reason}, exit code ${d.exitCode}`));
    void win.loadURL(COMPUTE_PAGE_URL).catch((e: unknown) => this.o.log(`seglens: the compute window did not load: ${(e as Error).message}`));
  }

  /** A fresh channel between the page and the engine (after load, and after an engine restart). */
  connect(): void {
    const win = this.win;
    if (!win || !this.loaded || win.isDestroyed() || win.webContents.isDestroyed()) return;
    const { port1, port2 } = this.o.channel();
    if (!this.o.toEngine(port2)) {
      port1.close();
      port2.close();
      return;
    }
    win.webContents.postMessage(COMPUTE_PORT_CHANNEL, null, [port1]);
  }

  private gone(win: W, why: string): void {
    if (this.win !== win) return;
    this.o.log(`seglens: the GPU compute window stopped (${why}); a training on it stops and can be resumed.`);
    this.win = null;
    if (!win.isDestroyed()) win.destroy();
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < 600_000), now];
    if (this.crashes.length > (this.o.maxRestarts ?? 3)) {
      this.o.log('seglens: the GPU compute window failed too often; training uses the CPU until the app restarts.');
      return;
    }
    this.start();
  }

  stop(): void {
    this.stopped = true;
    const win = this.win;
    this.win = null;
    if (win && !win.isDestroyed()) win.destroy();
  }
}
