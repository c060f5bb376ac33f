// Small HTTP helpers: JSON envelopes, status codes for the contract's error names, bounded bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_NAMES, errorToWire } from '../api/index.ts';
import type { WireError } from '../api/index.ts';

/** Headers on every response: nothing cached, nothing sniffed, no referrer (page URLs carry the token). */
export const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

const STATUS: Record<string, number> = {
  [ERROR_NAMES.validation]: 400,
  AuthError: 401,
  [ERROR_NAMES.accessDenied]: 403,
  [ERROR_NAMES.notFound]: 404,
  MethodNotAllowed: 405,
  [ERROR_NAMES.conflict]: 409,
  [ERROR_NAMES.busy]: 409,
  [ERROR_NAMES.noProject]: 409,
  PayloadTooLarge: 413,
  ConfigError: 422,
  FileError: 422,
  /** Another seglens holds the project's edit lock (or the run's): the request conflicts with it. */
  LockedError: 409,
  /** The write gate refused a path (outside the project, through a link out, among the inputs). */
  WriteRefusedError: 403,
  [ERROR_NAMES.notImplemented]: 501,
};

export function statusOf(e: WireError): number {
  return STATUS[e.name] ?? 500;
}

/** An error raised by the server itself (not the workspace), with its status. */
export class HttpError extends Error {
  readonly details: Record<string, unknown>;
  constructor(name: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = name;
    this.details = details;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, ...extra, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const w = errorToWire(err);
  // An unexpected error's stack stays in the server log; the page gets its message.
  if (statusOf(w) === 500) console.error('seglens serve:', err);
  // After a refused body the rest of it may still be arriving: close the connection after answering.
  const extra: Record<string, string> = w.name === 'PayloadTooLarge' ? { Connection: 'close' } : {};
  if (!res.headersSent) sendJson(res, statusOf(w), { ok: false, error: w }, extra);
  else res.destroy();
}

export function sendBinary(res: ServerResponse, data: Uint8Array): void {
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'application/octet-stream', 'Content-Length': data.byteLength });
  res.end(data);
}

/**
 * The request body, refused with 413 as soon as it passes `limit` bytes (the declared
 * Content-Length is checked first, so an honest client is refused before it sends anything).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new HttpError('PayloadTooLarge', `The request body is larger than ${limit} bytes, the limit for this route.`, { limit });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(tooLarge());
        req.resume(); // drain the rest so the connection can answer
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks, size));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}
