// A Problem is one thing wrong with the user's data, reported with the file it concerns and what to
// do. Readers collect problems and carry on with the next file; only `blocking` problems stop
// training (and make `seglens inspect` exit non-zero).

export type ProblemCode =
  | 'missing-partner'
  | 'duplicate-stem'
  | 'size-mismatch'
  | 'mask-unknown-values'
  | 'mask-interpolated'
  | 'lossy-mask'
  | 'corrupt-file'
  | 'empty-file'
  | 'unsupported-format'
  | 'image-too-large'
  | 'constant-image'
  | 'mask-overlap'
  | 'not-a-label-image'
  | 'class-missing-in-split'
  | 'split-leakage'
  | 'split-imbalance'
  | 'split-manifest-mismatch'
  | 'split-share-unmet';

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

export function isBlocking(p: Problem): boolean {
  return p.severity === 'error';
}

export function formatProblem(p: Problem): string {
  return `${p.severity.toUpperCase()} [${p.code}] ${p.file}: ${p.message}\n    -> ${p.hint}`;
}
