// Main-process side of the engine: starts the utility process, matches replies to requests by
// id, parses everything the engine sends (engine-wire.ts, contract event schemas), and restarts
// the engine when it dies (a crash in sharp or tfjs must not leave the window without an engine).
// Electron-free: main.ts passes a `fork` that calls utilityProcess.fork; tests pass a stand-in.
import { ContractError, ERROR_NAMES, errorToWire } from '../src/api/errors.ts';
import type { ContractEvent } from '../src/api/contract.ts';
import { parseEvent } from '../src/api/wire.ts';
import { FromEngineSchema } from './engine-wire.ts';
import type { EngineRequest, EngineResponse, ToEngine } from './engine-wire.ts';
import { JobRelay } from './job-relay.ts';

/** The part of Electron's UtilityProcess the host uses. */
export interface UtilityProcessLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface EngineHostOptions {
  fork: () => UtilityProcessLike;
  /** Starts a job process (a training, a report) for the engine: job-relay.ts. */
  forkJob?: () => UtilityProcessLike;
  /** Grace time of a job when the engine went away, ms (job-relay.ts). */
  jobStopGraceMs?: number;
  onEvent: (event: ContractEvent) => void;
  /**
   * Called after the engine was restarted, e.g. to reopen the project that was open, with a `send`
   * that goes straight to the new engine. Other requests wait until the returned promise settles,
   * so that none of them sees the fresh engine before it is back in its old state.
   */
  onRestart?: (send: (input: RequestInput) => Promise<EngineResponse>) => Promise<unknown> | void;
  /** Restarts allowed within `restartWindowMs` before the host gives up (default 3 per 60 s). */
  maxRestarts?: number;
  restartWindowMs?: number;
  log?: (message: string) => void;
}

type Pending = { resolve: (r: EngineResponse) => void; kind: EngineRequest['kind']; method: string };
export type RequestInput = EngineRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

function failure(name: string, message: string, details: Record<string, unknown> = {}): EngineResponse {
  return { ok: false, error: new ContractError(name, message, details).toWire() };
}

export class EngineHost {
  private child: UtilityProcessLike | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private restarts: number[] = [];
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  /** Set while onRestart runs after a restart. */
  private gate: Promise<void> | null = null;
  private readonly o: Required<Omit<EngineHostOptions, 'onRestart' | 'forkJob' | 'jobStopGraceMs'>> & Pick<EngineHostOptions, 'onRestart' | 'forkJob' | 'jobStopGraceMs'>;
  private readonly jobs: JobRelay | null;

  constructor(opts: EngineHostOptions) {
    this.o = { maxRestarts: 3, restartWindowMs: 60_000, log: (m) => console.error(m), ...opts };
    const forkJob = opts.forkJob;
    this.jobs = forkJob
      ? new JobRelay({
          forkJob,
          toEngine: (m) => this.child?.postMessage(m satisfies ToEngine),
          ...(opts.jobStopGraceMs !== undefined ? { stopGraceMs: opts.jobStopGraceMs } : {}),
          log: this.o.log,
        })
      : null;
  }

  /** Job processes the engine has running (trainings, reports). */
  get jobCount(): number {
    return this.jobs?.count ?? 0;
  }

  start(): void {
    const child = this.o.fork();
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        resolve();
        this.onExit(child, code);
      });
    });
    child.on('message', (m) => this.onMessage(m));
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Sends a request; resolves with the engine's envelope, or an error envelope. Never rejects. */
  request(input: RequestInput): Promise<EngineResponse> {
    return this.gate ? this.gate.then(() => this.send(input)) : this.send(input);
  }

  private send(input: RequestInput): Promise<EngineResponse> {
    const child = this.child;
    if (!child) return Promise.resolve(failure(ERROR_NAMES.transport, 'The seglens engine is not running (it stopped after repeated crashes). Restart seglens.'));
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, kind: input.kind, method: input.method });
      try {
        child.postMessage({ ...input, id } as ToEngine);
      } catch (e) {
        this.pending.delete(id);
        resolve({ ok: false, error: errorToWire(e) });
      }
    });
  }

  /** Asks the engine to stop (it saves training checkpoints); kills it after `graceMs`. */
  /**
   * Hands the running engine one end of the GPU compute window's channel (compute-window.ts);
   * false when no engine runs now (the window is connected again after the restart).
   */
  sendComputePort(port: unknown): boolean {
    if (!this.child || this.stopping) return false;
    this.child.postMessage({ kind: 'compute-port' } satisfies ToEngine, [port]);
    return true;
  }

  async shutdown(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    try {
      child.postMessage({ kind: 'shutdown' } satisfies ToEngine);
    } catch {
      /* already gone */
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    if ((await Promise.race([this.exited.then(() => 'exited' as const), timeout])) === 'timeout') child.kill();
    clearTimeout(timer);
  }

  private onMessage(raw: unknown): void {
    const parsed = FromEngineSchema.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? 'invalid';
      this.o.log(`seglens: dropped a malformed message from the engine (${why}).`);
      // A reply that names a waiting request still ends it, so that the page does not wait forever.
      const id = (raw as { kind?: unknown; id?: unknown } | null)?.id;
      const p = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (p && typeof id === 'number') {
        this.pending.delete(id);
        p.resolve(failure(ERROR_NAMES.transport, `The engine sent a malformed answer to ${p.method} (${why}).`));
      }
      return;
    }
    const m = parsed.data;
    if (m.kind === 'ready') return;
    if (m.kind === 'job-start' || m.kind === 'job-send' || m.kind === 'job-kill') {
      if (this.jobs) this.jobs.handle(m);
      else this.o.log('seglens: the engine asked for a job process, but this host starts none.');
      return;
    }
    if (m.kind === 'event') {
      let ev: ContractEvent;
      try {
        ev = parseEvent(m.event);
      } catch (e) {
        this.o.log(`seglens: dropped an invalid event from the engine: ${(e as Error).message}`);
        return;
      }
      this.o.onEvent(ev);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (p.kind === 'download' && m.response.ok && !(m.response.result instanceof Uint8Array)) {
      p.resolve(failure(ERROR_NAMES.transport, `The engine answered ${p.method} without pixel data.`));
      return;
    }
    p.resolve(m.response);
  }

  private onExit(child: UtilityProcessLike, code: number): void {
    if (this.child !== child) return;
    this.child = null;
    this.jobs?.engineGone();
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve(failure(ERROR_NAMES.transport, `The seglens engine stopped (exit code ${code}) while answering ${p.method}.${this.stopping ? '' : ' It is being restarted; try again.'}`, { code }));
    }
    if (this.stopping) return;
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < this.o.restartWindowMs);
    if (this.restarts.length >= this.o.maxRestarts) {
      this.o.log(`seglens: the engine stopped ${this.restarts.length + 1} times within ${this.o.restartWindowMs / 1000} s (last exit code ${code}); not restarting it.`);
      return;
    }
    this.restarts.push(now);
    this.o.log(`seglens: the engine stopped (exit code ${code}); restarting it.`);
    this.start();
    const restore = this.o.onRestart;
    if (!restore) return;
    const gate: Promise<void> = Promise.resolve()
      .then(() => restore((input) => this.send(input)))
      .then(
        () => undefined,
        (e: unknown) => this.o.log(`seglens: restoring the restarted engine failed: ${errorToWire(e).message}`),
      )
      .finally(() => {
        if (this.gate === gate) this.gate = null;
      });
    this.gate = gate;
  }
}
