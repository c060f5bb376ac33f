// A Problem is one thing wrong with the user's data, reported with the file it concerns and what to
// do. Readers collect problems and carry on with the next file; only `blocking` problems stop
// training (and make `seglens inspect` exit non-zero).
import { z } from 'zod';
import type { ProblemId } from './checks.ts';

/** A problem's id: a file fault, or a check the audit shares (one catalogue: checks.ts). */
export type ProblemCode = ProblemId;

export interface Problem {
  code: ProblemCode;
  /** `error` blocks training; `warning` is shown but does not. */
  severity: 'error' | 'warning';
  /** The file concerned (path as the user gave it, relative to the project when possible). */
  file: string;
  /** One sentence: what is wrong, with numbers. */
  message: string;
  /** What to do about it. */
  hint: string;
  details?: Record<string, unknown>;
}

/**
 * A Problem as files store it (split.json's warnings): any code, so a file written by another
 * version still reads. The one schema of a stored problem; the contract's ProblemSchema (src/api)
 * is checked against Problem in src/app/open-project.ts.
 */
export const StoredProblemSchema = z.object({
  code: z.string().min(1),
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  message: z.string(),
  hint: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
// Checked at compile time: every Problem can be stored as it is, with the same fields.
type Stored = z.infer<typeof StoredProblemSchema>;
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const storable: [Problem] extends [Stored] ? SameKeys<Problem, Stored> : false = true;
void storable;

export function isBlocking(p: Problem): boolean {
  return p.severity === 'error';
}

export function formatProblem(p: Problem): string {
  return `${p.severity.toUpperCase()} [${p.code}] ${p.file}: ${p.message}\n    -> ${p.hint}`;
}
