// Runtime validation with zod, turned into errors that name the file and the bad field's path.
import type { z } from 'zod';
import { ConfigError } from './errors.ts';

export function parseOrThrow<T extends z.ZodType>(schema: T, data: unknown, source: string): z.infer<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
  throw new ConfigError(`${source} is not valid:\n  - ${problems.join('\n  - ')}`, { source, problems });
}
