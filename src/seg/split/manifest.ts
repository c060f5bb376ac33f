// The split manifest: the file the trainer reads to know which image is train, val or test. Versioned
// JSON (`version: 1`), written atomically, validated on read. Its format:
//   { version: 1, seed, fractions: {val, test}, groupPattern, created (ISO 8601),
//     classNames, background, train: [names], val: [names], test: [names],
//     stats: {all, train, val, test}   (per-split SplitStats: images, pixels, fractions, presence),
//     duplicates: [{a, b, kind, distance, correlation}], warnings: [Problem] }
// The requested fractions sit under `fractions` because `val` and `test` hold the image lists.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError, ShapeError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import { StoredProblemSchema, isBlocking } from '../problems.ts';
import { parseOrThrow } from '../validate.ts';
import type { WriteGate } from '../write-gate.ts';
import { cmp, findDuplicates } from './duplicates.ts';
import type { DuplicateOptions } from './duplicates.ts';
import type { GroupKeys } from './group-keys.ts';
import type { SplitResult } from './make-split.ts';
import { sideOf, splitReport } from './report.ts';
import type { SplitReport } from './report.ts';
import type { SplitItem, SplitName } from './types.ts';
import { SPLIT_NAMES } from './types.ts';

export const MANIFEST_VERSION = 1;

const count = z.number().int().nonnegative();
const fraction = z.number().min(0).max(1);
const StatsSchema = z.object({
  images: count,
  pixels: z.array(count),
  fractions: z.array(fraction.nullable()),
  presence: z.array(count),
  meanForeground: fraction.nullable(),
});
const DuplicateSchema = z.object({
  a: z.string().min(1),
  b: z.string().min(1),
  kind: z.enum(['exact', 'near', 'aligned']),
  distance: z.number().int().min(0).max(256),
  correlation: z.number().min(-1).max(1),
  transform: z.string().optional(),
  shift: z.tuple([z.number(), z.number()]).optional(),
});
const names = z.array(z.string().min(1));

export const ManifestSchema = z
  .object({
    version: z.literal(MANIFEST_VERSION),
    seed: z.union([z.number(), z.string()]),
    fractions: z.object({ val: fraction.lt(1), test: fraction.lt(1) }),
    groupPattern: z.string().nullable(),
    created: z.iso.datetime({ offset: true }),
    classNames: z.array(z.string().min(1)).min(1),
    background: count,
    train: names.min(1, 'a split needs at least one training image'),
    val: names,
    test: names,
    stats: z.object({ all: StatsSchema, train: StatsSchema, val: StatsSchema, test: StatsSchema }),
    duplicates: z.array(DuplicateSchema),
    warnings: z.array(StoredProblemSchema),
  })
  .superRefine((m, ctx) => {
    if (m.background >= m.classNames.length) {
      ctx.addIssue({ code: 'custom', path: ['background'], message: `class id ${m.background} is not one of the ${m.classNames.length} classes` });
    }
    const where = new Map<string, SplitName>();
    for (const s of SPLIT_NAMES) {
      m[s].forEach((n, i) => {
        const prev = where.get(n);
        if (prev) ctx.addIssue({ code: 'custom', path: [s, i], message: `"${n}" is already in ${prev}: an image belongs to exactly one split` });
        else where.set(n, s);
      });
    }
  });

export type SplitManifest = z.infer<typeof ManifestSchema>;

export function toManifest(result: SplitResult, created: string = new Date().toISOString()): SplitManifest {
  const r = result.report;
  return {
    version: MANIFEST_VERSION,
    seed: result.settings.seed,
    fractions: { val: result.settings.val, test: result.settings.test },
    groupPattern: result.settings.groupPattern,
    created,
    classNames: r.classNames,
    background: r.background,
    train: result.train,
    val: result.val,
    test: result.test,
    stats: { all: r.all, ...r.splits },
    duplicates: result.duplicates,
    warnings: r.warnings,
  };
}

export async function writeManifest(gate: WriteGate, file: string, m: SplitManifest): Promise<void> {
  await gate.writeJson(file, parseOrThrow(ManifestSchema, m, file));
}

export async function readManifest(file: string): Promise<SplitManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read the split manifest ${file}: ${(e as Error).message}. Make one with \`seglens split\`.`, { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not JSON (${(e as Error).message}); it is not a split manifest or it was damaged. Make a new one with \`seglens split\`.`, {
      file,
    });
  }
  const v = (json as { version?: unknown } | null)?.version;
  if (typeof v === 'number' && v > MANIFEST_VERSION) {
    throw new ConfigError(`${file} is a version ${v} split manifest; this seglens reads version ${MANIFEST_VERSION}. Update seglens.`, { file, version: v });
  }
  return parseOrThrow(ManifestSchema, json, file);
}

export interface ManifestCheck {
  /** False when a problem blocks training with this manifest. */
  ok: boolean;
  problems: Problem[];
  /** The manifest's split as the project is now (pixel counts of today's masks). */
  report: SplitReport;
}

export interface CheckOptions {
  /** File the problems name (default "split manifest"). */
  source?: string;
  duplicates?: DuplicateOptions;
  /** The keys of the manifest's group pattern over its names (groupKeysOf), when it has one. */
  groups?: GroupKeys;
}

/**
 * Is a saved manifest safe to train with on the project as it is now? Errors (blocking): images of
 * the project in no split, names in the manifest that the project no longer has, a group of the
 * manifest's pattern cut across splits, duplicates (by today's fingerprints) on different sides.
 * Warnings: classes missing from a split and pixel-share imbalance, as for a new split.
 */
export function checkManifest(m: SplitManifest, items: readonly SplitItem[], opts: CheckOptions = {}): ManifestCheck {
  const source = opts.source ?? 'split manifest';
  const side = sideOf(m);
  const known = new Set(items.map((i) => i.name));
  const problems: Problem[] = [];
  const mismatch = (message: string, hint: string, details: Record<string, unknown>): Problem => ({
    code: 'split-manifest-mismatch',
    severity: 'error',
    file: source,
    message,
    hint,
    details,
  });
  const unassigned = items.map((i) => i.name).filter((n) => !side.has(n)).sort(cmp);
  if (unassigned.length) {
    problems.push(
      mismatch(
        `${unassigned.length} image(s) of the project are in no split: ${list(unassigned)}.`,
        'Images were added after the split was made: run `seglens split` again (same --seed to keep it reproducible).',
        { names: unassigned },
      ),
    );
  }
  const unknown = [...side.keys()].filter((n) => !known.has(n)).sort(cmp);
  if (unknown.length) {
    problems.push(
      mismatch(
        `${unknown.length} image(s) named in the manifest are not in the project: ${list(unknown)}.`,
        'Images were removed or renamed after the split was made: run `seglens split` again.',
        { names: unknown },
      ),
    );
  }
  if (m.groupPattern !== null) {
    if (opts.groups?.pattern !== m.groupPattern) throw new ShapeError(`The manifest groups by ${JSON.stringify(m.groupPattern)}: compute its keys with groupKeysOf first.`, { pattern: m.groupPattern });
    problems.push(...cutGroups(m, side, source, opts.groups));
  }

  const present = items.filter((i) => side.has(i.name));
  const report = splitReport(present, m, {
    classNames: m.classNames,
    background: m.background,
    duplicates: findDuplicates(present, opts.duplicates),
    source,
    withTest: m.fractions.test > 0,
    mode: 'check',
  });
  problems.push(...report.warnings);
  return { ok: !problems.some(isBlocking), problems, report: { ...report, warnings: problems } };
}

function cutGroups(m: SplitManifest, side: Map<string, SplitName>, source: string, keys: GroupKeys): Problem[] {
  const sidesByKey = new Map<string, Map<SplitName, string[]>>();
  for (const [n, s] of side) {
    const k = keys.keyOf(n);
    if (k === undefined) continue;
    const bySide = sidesByKey.get(k) ?? new Map<SplitName, string[]>();
    bySide.set(s, [...(bySide.get(s) ?? []), n]);
    sidesByKey.set(k, bySide);
  }
  const out: Problem[] = [];
  for (const [k, bySide] of [...sidesByKey].sort((a, b) => cmp(a[0], b[0]))) {
    if (bySide.size < 2) continue;
    const parts = [...bySide].map(([s, ns]) => `${s}: ${list(ns.sort(cmp))}`).join('; ');
    out.push({
      code: 'split-leakage',
      severity: 'error',
      file: source,
      message: `Group "${k}" (pattern ${m.groupPattern}) is cut across splits (${parts}).`,
      hint: 'Images of one group must stay on one side: make a new split with `seglens split --group`, or fix the manifest by hand.',
      details: { group: k, splits: Object.fromEntries(bySide) },
    });
  }
  return out;
}

function list(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
