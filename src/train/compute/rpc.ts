// The compute protocol over a port: RemoteCompute (the trainer's side) turns each Compute call
// into a message and waits for its answer; serveCompute (the compute's side) runs the calls on a
// LocalCompute one at a time, in order. A port is anything that carries structured-clone messages
// (a MessagePort, a Worker, Electron's MessagePortMain) or, wrapped by fromFramedSocket, binary
// frames (a WebSocket, a Node IPC channel).
import type { BatchArrays } from '../data/batch.ts';
import type { SerializedWeights } from '../model/weights.ts';
import type { PredictInput } from '../predict/tiled.ts';
import type { LabelMap } from '../../seg/types.ts';
import { METHODS, ComputeLostError, ComputeMessageSchema, check } from './protocol.ts';
import type { ComputeMessage, ComputeMethod } from './protocol.ts';
import type { BackendReport, Compute, ComputeInit, ComputePrediction, Tiling } from './types.ts';
import { decodeMessage, encodeMessage } from './wire.ts';

export interface ComputePort {
  post(message: ComputeMessage, transfer?: ArrayBuffer[]): void;
  /** Subscribes to messages; returns the unsubscribe function. */
  listen(onMessage: (message: unknown) => void): () => void;
  /** Called once when the other side goes away (closed, crashed). */
  onClose(handler: (reason: string) => void): void;
  close(): void;
}

// SEGLENS_COMPUTE_DEBUG=1 traces calls and answers on stderr (the trainer's side).
const DEBUG = typeof process !== 'undefined' && Boolean(process.env?.SEGLENS_COMPUTE_DEBUG);

function describe(raw: unknown): string {
  const m = raw as { kind?: string; id?: number; method?: string; error?: { message?: string }; reason?: string };
  return `${m?.kind} #${m?.id ?? '-'} ${m?.method ?? ''}${m?.error ? ` error ${m.error.message}` : ''}${m?.reason ? ` ${m.reason}` : ''}`;
}

/** A port over something with postMessage/addEventListener('message') (MessagePort, Worker, self). */
export function fromMessagePort(p: {
  postMessage(m: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', l: (e: { data: unknown }) => void): void;
  removeEventListener(type: 'message', l: (e: { data: unknown }) => void): void;
  start?: () => void;
  close?: () => void;
}): ComputePort {
  const closers: Array<(r: string) => void> = [];
  return {
    post: (m, transfer = []) => p.postMessage(m, transfer),
    listen: (on) => {
      const l = (e: { data: unknown }) => on(e.data);
      p.addEventListener('message', l);
      p.start?.();
      return () => p.removeEventListener('message', l);
    },
    onClose: (h) => closers.push(h),
    close: () => {
      p.close?.();
      closers.splice(0).forEach((h) => h('the port was closed'));
    },
  };
}

/** A port over a byte-message channel: messages travel as encodeMessage frames. */
export function fromFramedSocket(s: {
  send(frame: Uint8Array): void;
  onFrame(l: (frame: ArrayBuffer | Uint8Array) => void): () => void;
  onClose(l: (reason: string) => void): void;
  close(): void;
}): ComputePort {
  return {
    post: (m) => s.send(encodeMessage(m)),
    listen: (on) =>
      s.onFrame((f) => {
        let m: unknown;
        try {
          m = decodeMessage(f);
        } catch (e) {
          m = { kind: 'invalid', error: (e as Error).message };
        }
        on(m);
      }),
    onClose: (h) => s.onClose(h),
    close: () => s.close(),
  };
}

/** Buffers a message owns whole (transferable without copying what others still use). */
function transferables(values: unknown[]): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const v of values) {
    if (ArrayBuffer.isView(v) && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer) out.push(v.buffer);
  }
  return out;
}

/** The trainer's side: a Compute whose work happens at the other end of `port`. */
export class RemoteCompute implements Compute {
  private nextId = 0;
  private readonly pending = new Map<number, { method: ComputeMethod; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private lost: string | null = null;
  private readonly stop: () => void;

  constructor(private readonly port: ComputePort) {
    this.stop = port.listen((raw) => this.receive(raw));
    port.onClose((reason) => this.fail(`the compute went away: ${reason}`));
  }

  /** Why the compute is gone, or null while it works. */
  get lostReason(): string | null {
    return this.lost;
  }

  private fail(reason: string): void {
    if (this.lost) return;
    this.lost = reason;
    for (const p of this.pending.values()) p.reject(new ComputeLostError(reason));
    this.pending.clear();
  }

  private receive(raw: unknown): void {
    if (DEBUG) console.error(`[compute] <- ${describe(raw)}`);
    let m: ComputeMessage;
    try {
      m = check(ComputeMessageSchema, raw, 'message from the compute');
    } catch (e) {
      this.fail((e as Error).message);
      return;
    }
    if (m.kind === 'lost') return this.fail(m.reason);
    if (m.kind === 'call' || m.kind === 'hello') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.kind === 'error') {
      const e = new Error(m.error.message);
      e.name = m.error.name;
      p.reject(e);
      return;
    }
    try {
      p.resolve(check(METHODS[p.method].result as never, m.value, `result of ${p.method}`));
    } catch (e) {
      p.reject(e as Error);
    }
  }

  private call<T>(method: ComputeMethod, args: unknown[], transfer = false): Promise<T> {
    if (this.lost) return Promise.reject(new ComputeLostError(this.lost));
    const id = this.nextId++;
    if (DEBUG) console.error(`[compute] -> ${method} #${id}`);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      try {
        this.port.post({ kind: 'call', id, method, args }, transfer ? transferables(args.flatMap((a) => (a && typeof a === 'object' ? Object.values(a) : []))) : []);
      } catch (e) {
        this.pending.delete(id);
        reject(e as Error);
      }
    });
  }

  init(init: ComputeInit): Promise<BackendReport> {
    return this.call('init', [init]);
  }
  step(batch: BatchArrays): Promise<number> {
    // The batch is made afresh for each step: its buffers can move instead of being copied.
    return this.call('step', [batch], true);
  }
  setLearningRate(lr: number): Promise<void> {
    return this.call('setLearningRate', [lr]);
  }
  predict(image: PredictInput, tiling: Tiling, labels?: LabelMap): Promise<ComputePrediction> {
    return this.call('predict', labels ? [image, tiling, labels] : [image, tiling]);
  }
  snapshot(): Promise<{ weights: SerializedWeights; optimizer: { iterations: number; moments: SerializedWeights } }> {
    return this.call('snapshot', []);
  }
  setWeights(weights: SerializedWeights): Promise<void> {
    return this.call('setWeights', [weights]);
  }
  async dispose(): Promise<void> {
    if (!this.lost) await this.call('dispose', []).catch(() => undefined);
    this.stop();
    this.port.close();
  }
}

/**
 * The compute's side: answers calls from `port` with `compute`, one at a time in arrival order
 * (a step must not overlap a snapshot). Returns a function that stops serving.
 */
export function serveCompute(port: ComputePort, compute: Compute): () => void {
  let queue = Promise.resolve();
  const handle = async (raw: unknown) => {
    let m: ComputeMessage;
    try {
      m = check(ComputeMessageSchema, raw, 'message to the compute');
    } catch (e) {
      port.post({ kind: 'lost', reason: (e as Error).message });
      return;
    }
    if (m.kind !== 'call') return;
    try {
      const args = check(METHODS[m.method].args as never, m.args, `arguments of ${m.method}`) as unknown[];
      const fn = (compute[m.method] as (...a: unknown[]) => Promise<unknown>).bind(compute);
      const value = await fn(...args);
      port.post({ kind: 'result', id: m.id, value }, m.method === 'predict' || m.method === 'snapshot' ? transferables(Object.values(value as object)) : []);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      port.post({ kind: 'error', id: m.id, error: { name: err.name, message: err.message } });
    }
  };
  return port.listen((raw) => {
    queue = queue.then(() => handle(raw));
  });
}
