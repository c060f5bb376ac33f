// The GPU compute the engine can lend to a training job: the compute worker of the app's page
// (browser mode, over a WebSocket) or of Electron's hidden compute window (over a MessagePort).
// One at a time: a newer connection (a reloaded page, a restarted window) replaces the older.
// A job borrows it through a relay to its child process (jobs.ts); the worker itself chooses
// WebGPU or WebGL when the job's trainer initialises it.
import type { ComputeMessage, GpuOfferInfo } from '../train/compute/protocol.ts';
import type { ComputePort } from '../train/compute/rpc.ts';

interface Attached {
  port: ComputePort;
  source: string;
  closed: boolean;
  /** What the worker said it can offer (its `hello`); empty until it has. */
  offers: GpuOfferInfo[];
}

export class ComputeHub {
  private current: Attached | null = null;
  private borrowed = false;

  /** A compute worker connected (replacing any earlier one). */
  attach(port: ComputePort, source: string): void {
    const prev = this.current;
    const entry: Attached = { port, source, closed: false, offers: [] };
    this.current = entry;
    port.listen((m) => {
      const hello = m as { kind?: string; offers?: GpuOfferInfo[] };
      if (hello?.kind === 'hello' && Array.isArray(hello.offers)) entry.offers = hello.offers;
    });
    port.onClose(() => {
      entry.closed = true;
      if (this.current === entry) this.current = null;
    });
    if (prev && !prev.closed) prev.port.close();
  }

  /** The connected worker and what it offers, for trainingStatus; null when none is connected. */
  status(): { source: string; offers: GpuOfferInfo[] } | null {
    const c = this.current;
    return c && !c.closed ? { source: c.source, offers: c.offers.map((o) => ({ ...o })) } : null;
  }

  /** Where the connected compute lives (for messages), or null when there is none. */
  get source(): string | null {
    return this.current && !this.current.closed ? this.current.source : null;
  }

  /**
   * Lends the compute to one job: `deliver` receives its messages; returns the functions to send
   * to it and to give it back, or null when there is none or it is lent already. When the compute
   * goes away while lent, `deliver` gets a `lost` message.
   */
  borrow(deliver: (m: ComputeMessage) => void): { send(m: ComputeMessage): void; release(): void } | null {
    const c = this.current;
    if (!c || c.closed || this.borrowed) return null;
    this.borrowed = true;
    let active = true;
    const stop = c.port.listen((m) => active && deliver(m as ComputeMessage));
    c.port.onClose((reason) => active && deliver({ kind: 'lost', reason: `the ${c.source} went away (${reason})` }));
    return {
      send: (m) => {
        if (!active) return;
        if (c.closed) deliver({ kind: 'lost', reason: `the ${c.source} went away` });
        else c.port.post(m);
      },
      release: () => {
        if (!active) return;
        active = false;
        stop();
        this.borrowed = false;
      },
    };
  }
}
