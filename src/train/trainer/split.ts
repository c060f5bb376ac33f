// Which images train and which validate: the project's split manifest (from `seglens split`),
// checked against the project as it is today, or a stratified split made for this run with the
// run's split seed. Either way the manifest is copied into the run folder.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backgroundId } from '../../seg/classes.ts';
import { splitItems } from '../../seg/dataset/index.ts';
import type { Dataset } from '../../seg/dataset/index.ts';
import { ConfigError } from '../../seg/errors.ts';
import { formatProblem, isBlocking } from '../../seg/problems.ts';
import type { Problem } from '../../seg/problems.ts';
import { projectPath } from '../../seg/project/index.ts';
import { checkManifest, groupKeysOf, makeSplit, readManifest, toManifest } from '../../seg/split/index.ts';
import type { SplitManifest } from '../../seg/split/index.ts';
import type { SplitSummary } from './events.ts';

export interface ResolveSplitOptions {
  /** A manifest to use; default: the project's (seglens.json "split", else DIR/split.json). */
  file?: string;
  /** An already chosen manifest (a resumed run's copy): only checked. */
  manifest?: SplitManifest;
  /**
   * Fine-tuning: the split of the run it starts from (`file` is that run's split.json). Its
   * validation and test images stay where they were, so the figures of both runs are comparable;
   * images annotated since join the training side; images gone from the project are dropped.
   */
  inherit?: { manifest: SplitManifest; file: string; runId: string };
  /** For a split made on the fly. */
  val: number;
  seed: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ResolvedSplit {
  manifest: SplitManifest;
  summary: SplitSummary;
}

/** The project's own manifest file, if it has one. */
export function projectManifestFile(ds: Dataset): string | undefined {
  if (ds.project.split) return projectPath(ds.dir, ds.project.split);
  const guess = join(ds.dir, 'split.json');
  return existsSync(guess) ? guess : undefined;
}

function refuse(what: string, problems: Problem[]): never {
  const blocking = problems.filter(isBlocking);
  throw new ConfigError(`${what}:\n${blocking.map((p) => '  ' + formatProblem(p)).join('\n')}`, { problems: blocking });
}

export async function resolveSplit(ds: Dataset, opts: ResolveSplitOptions): Promise<ResolvedSplit> {
  const { items, problems } = await splitItems(ds, opts.onProgress);
  if (problems.some(isBlocking)) refuse('Some pairs cannot be read, so no split can be trusted', problems);
  const table = ds.project.classes;
  const classNames = table.classes.map((c) => c.name);
  const file = opts.manifest ? undefined : (opts.file ?? (opts.inherit ? undefined : projectManifestFile(ds)));
  let manifest: SplitManifest;
  let source: SplitSummary['source'];
  let warnings: Problem[];
  const excludedNow: string[] = [];
  if (opts.inherit && !opts.manifest && !opts.file) {
    const parent = opts.inherit.manifest;
    const names = new Set(items.map((i) => i.name));
    const placed = new Set([...parent.train, ...parent.val, ...parent.test]);
    const added = items.map((i) => i.name).filter((n) => !placed.has(n));
    const keep = (list: readonly string[]) => list.filter((n) => (ds.excluded.has(n) ? (excludedNow.push(n), false) : names.has(n)));
    const derived: SplitManifest = {
      ...parent,
      created: new Date().toISOString(),
      classNames,
      background: backgroundId(table),
      train: [...keep(parent.train), ...added],
      val: keep(parent.val),
      test: keep(parent.test),
    };
    const src = opts.inherit.file;
    const groups = derived.groupPattern !== null ? await groupKeysOf([...names], derived.groupPattern) : undefined;
    const check = checkManifest(derived, items, { source: src, ...(groups ? { groups } : {}) });
    if (!check.ok) refuse(`The split of run ${opts.inherit.runId} (${src}) cannot be kept for fine-tuning`, check.problems);
    manifest = { ...derived, stats: { all: check.report.all, ...check.report.splits } };
    warnings = check.problems;
    if (added.length) {
      warnings = [
        { code: 'split-manifest-mismatch', severity: 'warning', file: src, message: `${added.length} image(s) annotated since run ${opts.inherit.runId} join the training split: ${added.slice(0, 8).join(', ')}${added.length > 8 ? ', ...' : ''}.`, hint: 'Validation stays as in that run, so the figures of both runs compare.' },
        ...warnings,
      ];
    }
    source = 'project-manifest';
    if (manifest.val.length === 0) throw new ConfigError(`No validation image of run ${opts.inherit.runId} is left in the project: fine-tune with a new split (--split FILE, from seglens split).`, {});
    const excludedNote = excludedNow.length ? [`${excludedNow.length} image(s) of run ${opts.inherit.runId}'s split are excluded in the project file and left out: ${excludedNow.join(', ')}`] : [];
    return {
      manifest,
      summary: { source, file: src, seed: manifest.seed, train: manifest.train.length, val: manifest.val.length, test: manifest.test.length, warnings: [...excludedNote, ...[...problems, ...warnings].map((p) => `${p.file}: ${p.message}`)], excluded: [...ds.excluded].map(([image, reason]) => ({ image, reason })) },
    };
  }
  if (opts.manifest || file) {
    manifest = opts.manifest ?? (await readManifest(file!));
    const source_ = file ?? 'the run\'s split.json';
    // Images excluded after the manifest was made leave it here (the file itself is not rewritten).
    if (!opts.manifest && ds.excluded.size) {
      const keep = (names: string[]) => names.filter((n) => (ds.excluded.has(n) ? (excludedNow.push(n), false) : true));
      manifest = { ...manifest, train: keep(manifest.train), val: keep(manifest.val), test: keep(manifest.test) };
    }
    if (manifest.classNames.join('\u0000') !== classNames.join('\u0000')) {
      throw new ConfigError(
        `The split manifest ${source_} was made for the classes [${manifest.classNames.join(', ')}] but the project now has [${classNames.join(', ')}]. Run \`seglens split\` again.`,
        { file: source_ },
      );
    }
    const names = [...new Set([...manifest.train, ...manifest.val, ...manifest.test, ...items.map((i) => i.name)])];
    const groups = manifest.groupPattern !== null ? await groupKeysOf(names, manifest.groupPattern) : undefined;
    const check = checkManifest(manifest, items, { source: source_, ...(groups ? { groups } : {}) });
    if (!check.ok) refuse(`The split manifest ${source_} does not fit the project any more`, check.problems);
    warnings = check.problems;
    source = 'project-manifest';
  } else {
    const result = makeSplit(items, { val: opts.val, seed: opts.seed, classNames, background: backgroundId(table), source: 'split' });
    manifest = toManifest(result);
    warnings = result.report.warnings;
    source = 'made-for-run';
  }
  if (manifest.val.length === 0) {
    throw new ConfigError('The split has no validation image: early stopping and the per-epoch figures need some. Make a split with `seglens split --val 0.2`.', {});
  }
  if (problems.length) warnings = [...problems, ...warnings];
  const excludedNote = excludedNow.length ? [`${excludedNow.length} image(s) of the split manifest are excluded in the project file and left out: ${excludedNow.join(', ')}`] : [];
  return {
    manifest,
    summary: {
      source,
      ...(file ? { file } : {}),
      seed: manifest.seed,
      train: manifest.train.length,
      val: manifest.val.length,
      test: manifest.test.length,
      warnings: [...excludedNote, ...warnings.map((p) => `${p.file}: ${p.message}`)],
      excluded: [...ds.excluded].map(([image, reason]) => ({ image, reason })),
    },
  };
}
