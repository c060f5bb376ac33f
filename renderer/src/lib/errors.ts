// Errors as the user sees them: the engine's {name, message} as it sent them, plus what to do
// about that kind of error. The message already names the file when there is one.

export interface ShownError {
  name: string;
  message: string;
  /** What to do next, one sentence. */
  todo: string;
  /** Field paths of a ValidationError, "path: message". */
  issues: string[];
  /** What the UI was doing ("Opening the demo"). */
  during: string | null;
}

const TODO: Record<string, string> = {
  TransportError: 'Check that `seglens serve` (or the app) is still running, then reload this page.',
  AuthError: 'Open the URL that `seglens serve` printed: it carries this session\'s token.',
  NoProjectError: 'Open a project folder or the demo in the Project view first.',
  NotFoundError: 'The list may be out of date: refresh the project (it may have changed on disk).',
  NotImplementedError: 'This part of the engine is not built yet; nothing was changed. The message says which issue tracks it.',
  BusyError: 'Wait for the running training to finish, or stop it in the Training view.',
  ConflictError: 'The mask changed on disk since it was opened: reload it, or choose to overwrite it.',
  ValidationError: 'A value is out of range or of the wrong kind: correct the field named below.',
  AccessDeniedError: 'Only files inside the open project folder can be read; move the file into it.',
  FileError: 'Check the file named in the message: it may be missing, unreadable or not an image.',
  ConfigError: 'Correct the setting named in the message (project file or training options).',
  ShapeError: 'The image and its mask (or prediction) differ in size: check that they belong together.',
  LockedError: 'Another seglens is editing this project (or training this run): close it there, then save again. Your edits stay in this window meanwhile.',
  WriteRefusedError: 'seglens writes only inside the project (or the folder you named) and never among its images and masks: choose another place, or replace the link named in the message by a real folder.',
};

const FALLBACK = 'If this keeps happening, note the message and restart seglens.';

export function todoFor(name: string): string {
  return TODO[name] ?? FALLBACK;
}

export function describeError(err: unknown, during: string | null = null): ShownError {
  const e = err as { name?: unknown; message?: unknown; details?: { issues?: unknown } } | null;
  const name = typeof e?.name === 'string' && e.name ? e.name : 'Error';
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  const raw = e?.details?.issues;
  const issues = Array.isArray(raw)
    ? raw.map((i) => {
        const it = i as { path?: unknown; message?: unknown };
        return `${String(it.path ?? '')}: ${String(it.message ?? '')}`;
      })
    : [];
  return { name, message, todo: todoFor(name), issues, during };
}
