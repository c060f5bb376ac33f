// The main process's checks on every IPC request from a renderer, before anything reaches the
// engine: who sent it (VS Code's src/vs/base/parts/ipc/electron-main/ipcMain.ts checks the sender
// frame the same way) and what it carries (the contract's zod schemas, size limits). A refusal is
// an error envelope, never an exception: IPC errors lose their name and details on the way.
import { METHODS, isMethodName } from '../src/api/contract.ts';
import { decodeSaveMask } from '../src/api/codec.ts';
import { ContractError, ERROR_NAMES, errorToWire } from '../src/api/errors.ts';
import { JSON_BODY_LIMIT, UPLOAD_LIMIT, parseParams } from '../src/api/wire.ts';
import type { RequestKind } from './channels.ts';
import type { EngineResponse } from './engine-wire.ts';
import type { RequestInput } from './engine-host.ts';

/** What the guard needs to know about the frame that sent a message (Electron's WebFrameMain). */
export interface SenderFrame {
  url: string;
  /** True for the top frame of its page (WebFrameMain.parent === null). */
  isMainFrame: boolean;
}

/**
 * True when `frame` is the top frame of a page served by the app's own origin (e.g.
 * `seglens://app`). Null (a frame that navigated away or was destroyed), sub-frames, other
 * schemes and look-alike hosts (`seglens://app.evil`, `seglens://app@evil`) are refused.
 */
export function isTrustedFrame(frame: SenderFrame | null | undefined, origin: string): boolean {
  if (!frame || !frame.isMainFrame) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  return `${url.protocol}//${url.host}` === origin && url.username === '' && url.password === '';
}

function refused(kind: string, method: unknown, why: string, path = 'method'): ContractError {
  return new ContractError(ERROR_NAMES.validation, `Refused a ${kind} request${typeof method === 'string' ? ` for "${method.slice(0, 64)}"` : ''}: ${why}.`, {
    where: `ipc ${kind}`,
    issues: [{ path, message: why }],
  });
}

/** Rough size of a structured-cloned value as JSON; Infinity when it cannot be serialised. */
function jsonSize(v: unknown): number {
  try {
    return (JSON.stringify(v) ?? '').length;
  } catch {
    return Infinity;
  }
}

/**
 * Checks one request from a renderer and returns what to send to the engine, or throws a
 * ContractError (ValidationError) naming the bad field. `payload` is params (call, download) or
 * the frame (upload).
 */
export function validateRequest(kind: RequestKind, method: unknown, payload: unknown): RequestInput {
  if (typeof method !== 'string' || !isMethodName(method)) throw refused(kind, method, 'not a method of the contract');
  const want = kind === 'call' ? 'json' : kind;
  if (METHODS[method].kind !== want) throw refused(kind, method, `a ${METHODS[method].kind} method cannot be used as ${kind}`);
  switch (kind) {
    case 'call': {
      if (jsonSize(payload ?? {}) > JSON_BODY_LIMIT) throw refused(kind, method, `params larger than ${JSON_BODY_LIMIT} bytes`, 'params');
      return { kind, method, params: parseParams(method, payload ?? {}) };
    }
    case 'download': {
      if (jsonSize(payload ?? {}) > JSON_BODY_LIMIT) throw refused(kind, method, `params larger than ${JSON_BODY_LIMIT} bytes`, 'params');
      const params = parseParams(method, payload ?? {}) as Record<string, unknown>;
      // Download params travel as flat strings (a URL query on the web transport); keep it so here.
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(params)) {
        if (typeof v !== 'string') throw refused(kind, method, 'download params are strings', `params.${k}`);
        flat[k] = v;
      }
      return { kind, method, params: flat };
    }
    case 'upload': {
      if (!(payload instanceof Uint8Array)) throw refused(kind, method, 'the upload is not a byte array', 'frame');
      if (payload.byteLength > UPLOAD_LIMIT) throw refused(kind, method, `the upload is ${payload.byteLength} bytes, more than ${UPLOAD_LIMIT}`, 'frame');
      decodeSaveMask(payload); // header against the schema, data length against width x height
      return { kind, method, frame: payload };
    }
  }
}

/** validateRequest as an envelope: the request for the engine, or the refusal to answer with. */
export function checkRequest(kind: RequestKind, method: unknown, payload: unknown): { ok: true; request: RequestInput } | { ok: false; response: EngineResponse } {
  try {
    return { ok: true, request: validateRequest(kind, method, payload) };
  } catch (e) {
    return { ok: false, response: { ok: false, error: errorToWire(e) } };
  }
}

export function untrustedSender(kind: string): EngineResponse {
  return {
    ok: false,
    error: new ContractError(ERROR_NAMES.accessDenied, `Refused a ${kind} request from a frame that is not the seglens window.`, { where: `ipc ${kind}` }).toWire(),
  };
}
