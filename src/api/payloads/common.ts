// Building blocks of every payload. Numbers are finite (zod 4's z.number() already refuses NaN and
// ±Infinity); a metric that is undefined under the metric policy (class absent from both ground
// truth and prediction, see ../shared/GUIDE.md) travels as null, never as NaN, 0 or 1.
import { z } from 'zod';

/** A finite number. */
export const finite = z.number();
/** A metric value: finite, or null when undefined (NaN in src/seg). */
export const metric = z.number().nullable();
export const count = z.number().int().min(0);
/** An image's name as the project knows it (file name or path relative to the images folder). */
export const imageName = z.string().min(1).max(1024);
/** A run id: the folder name under runs/. No separators, so it can never point elsewhere. */
export const runId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a run id is letters, digits, ".", "_" and "-" only');
export const jobId = z.string().min(1).max(128);
export const isoTime = z.string().min(1).max(64);
export const splitName = z.enum(['train', 'val', 'test']);
export type SplitName = z.infer<typeof splitName>;

/** No parameters. */
export const NoParams = z.strictObject({});

export const ClassInfoSchema = z.object({
  /** Class id: the pixel value in label maps and the index in every per-class array. */
  id: z.number().int().min(0).max(253),
  name: z.string().min(1),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  isBackground: z.boolean(),
});
export type ClassInfo = z.infer<typeof ClassInfoSchema>;

/** One thing wrong with the user's data (src/seg/problems.ts), with its file and what to do. */
export const ProblemSchema = z.object({
  code: z.string().min(1),
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  message: z.string(),
  hint: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** A named number of a finding's evidence (NaN travels as null). */
const evidenceValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/**
 * An audit finding (src/seg/audit): a way the data or the numbers can mislead, with what to do; a
 * data problem of one file travels as a finding too (its file in `files`). The renderer shows
 * findings as the audit returns them; it judges nothing itself.
 */
export const FindingSchema = z.object({
  /** The check's id (src/seg/checks.ts: audit findings and file problems, one catalogue). */
  id: z.string().min(1),
  severity: z.enum(['critical', 'warning', 'info']),
  title: z.string(),
  message: z.string(),
  action: z.string(),
  /** Images concerned, worst first. */
  images: z.array(z.string()),
  /** The numbers behind the message, by name. */
  evidence: z.record(z.string(), evidenceValue).optional(),
  /** Per-image numbers, in the order of `images`. */
  perImage: z.array(z.object({ image: z.string(), evidence: z.record(z.string(), evidenceValue) })).optional(),
  /** Files concerned (relative to the project): a data problem's file. */
  files: z.array(z.string()).optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

/** The compute backend a training job runs on, and the sentence saying why that one. */
export const BackendInfoSchema = z.object({
  name: z.string().min(1),
  reason: z.string(),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;
