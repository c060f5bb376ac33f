// Typed errors. They cross process boundaries as {name, message, details} (see toWire), so a
// name is a stable identifier and a message is a sentence a biologist can act on: which file,
// what is wrong, what to do.

export type ErrorDetails = Record<string, unknown>;

export class SeglensError extends Error {
  override name = 'SeglensError';
  readonly details: ErrorDetails;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message);
    this.details = details;
  }
}

/** A file that cannot be used as it is: corrupt, empty, unsupported, too large... */
export class FileError extends SeglensError {
  override name = 'FileError';
  constructor(
    readonly file: string,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, { file, ...details });
  }
}

/** A class table, project file or option that is not valid. */
export class ConfigError extends SeglensError {
  override name = 'ConfigError';
}

/** Arrays or arguments that do not fit together (sizes, class counts). A programming error. */
export class ShapeError extends SeglensError {
  override name = 'ShapeError';
}

export interface WireError {
  name: string;
  message: string;
  details: ErrorDetails;
}

export function toWire(err: unknown): WireError {
  if (err instanceof SeglensError) return { name: err.name, message: err.message, details: err.details };
  if (err instanceof Error) return { name: err.name, message: err.message, details: {} };
  return { name: 'Error', message: String(err), details: {} };
}
