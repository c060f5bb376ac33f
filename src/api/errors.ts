// Errors as they cross the contract: {name, message, details}. `name` is a stable identifier the UI
// branches on (a ConflictError opens the "mask changed on disk" choice, a ValidationError names the
// bad field); `message` is a sentence for the user: which file, what is wrong, what to do.
// This file has no imports of ours: src/api is bundled into the browser.
import { z } from 'zod';

export const WireErrorSchema = z.object({
  name: z.string().min(1),
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type WireError = z.infer<typeof WireErrorSchema>;

/**
 * Names every side of the contract knows. Engine errors from src/seg (ConfigError, FileError,
 * ShapeError, SeglensError) keep their own names; these are the ones the contract itself adds.
 */
export const ERROR_NAMES = {
  /** A payload failed its schema; details.issues lists {path, message}. */
  validation: 'ValidationError',
  /** The mask on disk is not the one the editor opened; details: name, file, expectedVersion, actualVersion. */
  conflict: 'ConflictError',
  /** An image, run or job the request names does not exist; details: what, value. */
  notFound: 'NotFoundError',
  /** The method exists in the contract but its engine side is not built yet; details: issue. */
  notImplemented: 'NotImplementedError',
  /** Something is already running that this request would collide with (a second training). */
  busy: 'BusyError',
  /** A file the request leads to lies outside the open project (e.g. a symbolic link out of it). */
  accessDenied: 'AccessDeniedError',
  /** No project is open. */
  noProject: 'NoProjectError',
  /** Training refused: the data has blocking findings; details.blockers lists each (InspectResult's findings that block). */
  blocked: 'BlockedError',
  /** The transport failed (network, HTTP status, closed socket); details: status when known. */
  transport: 'TransportError',
} as const;

export class ContractError extends Error {
  readonly details: Record<string, unknown>;
  constructor(name: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = name;
    this.details = details;
  }
  toWire(): WireError {
    return { name: this.name, message: this.message, details: this.details };
  }
  static fromWire(w: WireError): ContractError {
    return new ContractError(w.name, w.message, w.details);
  }
}

/** Any thrown value as a WireError; typed errors (with details) keep them. */
export function errorToWire(err: unknown): WireError {
  if (err instanceof Error) {
    const details = (err as { details?: unknown }).details;
    const d = details && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>) : {};
    return { name: err.name || 'Error', message: err.message, details: d };
  }
  return { name: 'Error', message: String(err), details: {} };
}

export interface ValidationIssue {
  /** Field path as a reader writes it: `classes[0].name`, `(top level)` for the payload itself. */
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/**
 * Parse `data` with `schema`, or throw a ValidationError naming every bad field's path. `where`
 * says which message it was ("params of saveMask", "result of listImages", "event training.epoch").
 */
export function parseWith<T extends z.ZodType>(schema: T, data: unknown, where: string): z.output<T> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues: ValidationIssue[] = r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
  throw new ContractError(ERROR_NAMES.validation, `Invalid ${where}: ${list}.`, { where, issues });
}
