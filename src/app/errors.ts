// The contract's typed errors as the workspace raises them (names in src/api/errors.ts).
import { ContractError, ERROR_NAMES } from '../api/index.ts';

export function notFound(what: string, value: string, hint: string): ContractError {
  return new ContractError(ERROR_NAMES.notFound, `There is no ${what} "${value}" in the open project. ${hint}`, { what, value });
}

export function noProject(): ContractError {
  return new ContractError(ERROR_NAMES.noProject, 'No project is open. Open a project folder or the demo first.', {});
}

export function notImplemented(what: string, issue: number): ContractError {
  return new ContractError(ERROR_NAMES.notImplemented, `${what} is not implemented yet: issue ${issue}.`, { issue });
}

export function busy(message: string, details: Record<string, unknown> = {}): ContractError {
  return new ContractError(ERROR_NAMES.busy, message, details);
}

export function invalid(where: string, path: string, message: string): ContractError {
  return new ContractError(ERROR_NAMES.validation, `Invalid ${where}: ${path}: ${message}.`, { where, issues: [{ path, message }] });
}

export interface ConflictDetails {
  name: string;
  /** The mask file that changed, relative to the project folder. */
  file: string | null;
  expectedVersion: string | null;
  actualVersion: string | null;
}

export function conflict(d: ConflictDetails): ContractError {
  const what = d.file ? `${d.file} changed on disk` : `the mask of ${d.name} changed on disk`;
  return new ContractError(
    ERROR_NAMES.conflict,
    `Not saved: ${what} since it was opened (another program or window wrote it). Reload it to see that version, or save again choosing to overwrite it.`,
    { ...d },
  );
}
