// Every job process's messages (a training, a prediction, a report) are checked against their
// protocol's schema before the engine acts on them. The channel (structured clone) keeps NaN and
// Infinity, so a message first makes the JSON round trip a JSON channel would make (NaN -> null),
// then is validated; a malformed message is a bug in the job, reported with the issues.
import type { z } from 'zod';
import { ERROR_NAMES, formatPath } from '../../api/index.ts';
import type { WireError } from '../../api/index.ts';

export type Checked<T> = { ok: true; message: T } | { ok: false; error: WireError };

/** `raw` checked against `schema`; `what` names the process in the error ("training process"). */
export function checkJobMessage<S extends z.ZodType>(schema: S, raw: unknown, what: string, consequence: string): Checked<z.infer<S>> {
  const parsed = schema.safeParse(JSON.parse(JSON.stringify(raw) ?? 'null'));
  if (parsed.success) return { ok: true, message: parsed.data };
  const issues = parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  return {
    ok: false,
    error: {
      name: ERROR_NAMES.validation,
      message: `The ${what} sent an invalid message (${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}); ${consequence}.`,
      details: { where: `${what} message`, issues },
    },
  };
}
