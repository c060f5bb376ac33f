// The engine process of the desktop app: an Electron utility process (started by engine-host.ts,
// engine-main.ts bundled to out/node/engine.js) that hosts the workspace service, so that reading images and training
// never block the window. It speaks engine-wire.ts over process.parentPort: every request is parsed,
// then dispatched through src/api/dispatch.ts (which validates params and results against the
// contract); every event is checked against its schema before it leaves.
import { dispatchDownload, dispatchJson, dispatchUpload, errorToWire, isMethodName, METHODS, parseEvent } from '../src/api/index.ts';
import type { Contract, ContractEvent, DownloadMethod, JsonMethod, UploadMethod } from '../src/api/index.ts';
import { ContractError, ERROR_NAMES } from '../src/api/errors.ts';
import { ToEngineSchema } from './engine-wire.ts';
import type { EngineRequest, EngineResponse, FromEngine, JobFromMain } from './engine-wire.ts';

/** Electron's process.parentPort, or a stand-in in tests. */
export interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports?: unknown[] }) => void): unknown;
  postMessage(message: unknown): void;
}

function unknownMethod(kind: string, method: string): ContractError {
  return new ContractError(ERROR_NAMES.validation, `"${method}" is not a ${kind} method of the contract.`, {
    where: 'engine request',
    issues: [{ path: 'method', message: `not a ${kind} method` }],
  });
}

async function run(impl: Contract, req: EngineRequest): Promise<unknown> {
  const m = req.method;
  if (!isMethodName(m)) throw unknownMethod(req.kind === 'call' ? 'json' : req.kind, m);
  const kind = METHODS[m].kind;
  switch (req.kind) {
    case 'call':
      if (kind !== 'json') throw unknownMethod('json', m);
      return dispatchJson(impl, m as JsonMethod, req.params);
    case 'download':
      if (kind !== 'download') throw unknownMethod('download', m);
      return dispatchDownload(impl, m as DownloadMethod, req.params);
    case 'upload':
      if (kind !== 'upload') throw unknownMethod('upload', m);
      return dispatchUpload(impl, m as UploadMethod, req.frame);
  }
}

/** The id of a request, if it has a usable one (so that even a malformed request gets its answer). */
function idOf(data: unknown): number | null {
  const id = (data as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 ? id : null;
}

/**
 * Serves `impl` on `port`: answers each request with a reply carrying the same id. A malformed
 * request is answered with a ValidationError, or logged and dropped when it has no id to answer;
 * the engine keeps running.
 */
export function serveEngine(
  port: ParentPortLike,
  impl: Contract,
  onShutdown: () => void = () => {},
  onJob: (m: JobFromMain) => void = () => {},
  onComputePort: (port: unknown) => void = () => {},
): void {
  const post = (m: FromEngine) => port.postMessage(m);
  port.on('message', (e) => {
    const parsed = ToEngineSchema.safeParse(e?.data);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
      const id = idOf(e?.data);
      if (id === null) console.error(`seglens engine: dropped a malformed request (${why})`);
      else post({ kind: 'reply', id, response: { ok: false, error: errorToWire(new ContractError(ERROR_NAMES.validation, `Malformed engine request: ${why}.`, { where: 'engine request' })) } });
      return;
    }
    const req = parsed.data;
    if (req.kind === 'shutdown') return onShutdown();
    if (req.kind === 'job-message' || req.kind === 'job-exit') return onJob(req);
    if (req.kind === 'compute-port') {
      if (e.ports?.[0]) onComputePort(e.ports[0]);
      else console.error('seglens engine: a compute-port message came without its port');
      return;
    }
    run(impl, req).then(
      (result): void => post({ kind: 'reply', id: req.id, response: { ok: true, result } }),
      (err: unknown): void => post({ kind: 'reply', id: req.id, response: { ok: false, error: errorToWire(err) } satisfies EngineResponse }),
    );
  });
  post({ kind: 'ready' });
}

/** The workspace's event sink for `port`: only events that pass their schema leave. */
export function eventSender(port: ParentPortLike): (event: ContractEvent) => void {
  return (event) => {
    try {
      port.postMessage({ kind: 'event', event: parseEvent(event) } satisfies FromEngine);
    } catch (e) {
      console.error(`seglens engine: dropped an invalid ${event.type} event: ${(e as Error).message}`);
    }
  };
}

/** Process.parentPort exists only inside an Electron utility process. */
export function parentPortOf(proc: NodeJS.Process): ParentPortLike | null {
  const p = (proc as unknown as { parentPort?: ParentPortLike }).parentPort;
  return p && typeof p.postMessage === 'function' ? p : null;
}
