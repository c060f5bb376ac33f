// Runtime validation with zod, turned into errors that name the file and the bad field's path.
import type { z } from 'zod';
import { ConfigError } from './errors.ts';

/** One line per problem; an unknown key is named by its own path (`classes.1.valeus`), as a typo is. */
function describeIssue(i: z.core.$ZodIssue): string[] {
  const at = (path: PropertyKey[]) => (path.length ? path.map(String).join('.') : '(top level)');
  if (i.code === 'unrecognized_keys') return i.keys.map((k) => `${at([...i.path, k])}: unknown key (a typo?); it is not part of the format`);
  return [`${at(i.path)}: ${i.message}`];
}

export function parseOrThrow<T extends z.ZodType>(schema: T, data: unknown, source: string): z.infer<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap(describeIssue);
  throw new ConfigError(`${source} is not valid:\n  - ${problems.join('\n  - ')}`, { source, problems });
}
