// `seglens inspect`: read every pair once, fully (a truncated file only shows itself on decode),
// and report sizes, bit depths, class pixel fractions, per-image class presence and every problem.
// One bad file is one problem; the others are still read.
import { relative } from 'node:path';
import { IgnoredShare, PairingCheck, checkIgnoredShare, pairingFindings, problemFindings, sortFindings } from '../audit/index.ts';
import type { Finding, IgnoredShareResult } from '../audit/index.ts';
import { PROBLEM_TITLES } from '../checks.ts';
import { backgroundId } from '../classes.ts';
import { problemFromError } from '../image-errors.ts';
import { imageInfo, readImage } from '../image-io.ts';
import { normalizationRange } from '../normalize.ts';
import { isBlocking, type Problem } from '../problems.ts';
import type { Dataset } from './open.ts';
import { classPixelCounts, readPairLabels } from './labels.ts';

export interface InspectedPair {
  name: string;
  image: string;
  mask: string;
  width: number;
  height: number;
  format: string;
  channels: number;
  bitDepth: number;
  pages: number;
  maskBitDepth: number;
  /** Intensity range the project's normalisation maps to 0..1 for this image. */
  intensity: { lo: number; hi: number };
  /** Labelled pixels per class (IGNORE excluded), in class table order. */
  classPixels: number[];
  ignoredPixels: number;
  /** The pair is usable for training (no blocking problem). */
  ok: boolean;
}

export interface InspectReport {
  dir: string;
  projectFile?: string;
  pairing: string;
  classes: { name: string; color: string; isBackground: boolean; pixels: number; fraction: number; images: number }[];
  pairs: InspectedPair[];
  /** Pairs that could not be read at all (their problems say why). */
  unreadable: string[];
  /**
   * Everything found, one list, the most serious first: every data problem as a finding about its
   * file (an unreadable image, a size mismatch; mask damage grouped per kind), the findings judged
   * from the pixels across pairs (`pairing-suspect`, `ignored-share`), and `no-pairs` when nothing
   * can be trained on. `blocking`: the finding refuses training (critical, and about images the
   * project does not exclude, or about none in particular).
   */
  findings: InspectFinding[];
  /** Unlabelled / ignored pixels per image and along which classes (always printed by inspect). */
  ignored: IgnoredShareResult;
  /** True when a finding blocks: `seglens inspect` then exits non-zero, training is refused. */
  blocking: boolean;
  /** Images the project file excludes from training (still read and reported above). */
  excluded: { name: string; reason: string | null }[];
  /**
   * Overlapping projects only: how classes co-occur, in class table order. `pixels[a][b]`: pixels
   * that are both a and b (diagonal: all pixels of a, overlaps included, where `classes[].pixels`
   * counts the class-id view); `images[a][b]`: images where at least one pixel is both.
   */
  cooccurrence?: { classes: string[]; pixels: number[][]; images: number[][] };
}

/** A finding of the inspection, and whether it refuses training. */
export type InspectFinding = Finding & { blocking: boolean };

/** The findings that refuse training (the same for the app and the command line). */
export function blockers(r: Pick<InspectReport, 'findings'>): InspectFinding[] {
  return r.findings.filter((f) => f.blocking);
}

/** What to do about blockers that name images: fix the data, or exclude the images. */
export function excludeHint(project: string, r: Pick<InspectReport, 'findings' | 'excluded'>): string | null {
  const excluded = new Set(r.excluded.map((e) => e.name));
  const names = [...new Set(blockers(r).flatMap((f) => f.images.filter((n) => !excluded.has(n))))];
  if (!names.length) return null;
  return `Fix the files named above, or leave those images out of training: seglens exclude ${project} ${names.join(' ')} --reason "..." (undo with --include).`;
}

/** Problems that say a mask's edges were damaged after annotation. */
const DAMAGE = new Set(['mask-interpolated', 'lossy-mask']);

export interface InspectOptions {
  onProgress?: (done: number, total: number, name: string) => void;
}

export async function inspectDataset(ds: Dataset, opts: InspectOptions = {}): Promise<InspectReport> {
  const { project } = ds;
  const table = project.classes;
  const K = table.classes.length;
  const shown = (f: string) => relative(ds.dir, f) || f;
  const problems: Problem[] = [...ds.problems];
  const pairs: InspectedPair[] = [];
  const unreadable: string[] = [];
  const pairing = new PairingCheck({ normalization: project.normalization });
  const ignored = new IgnoredShare(table);
  const K2 = () => Array.from({ length: K }, () => new Array<number>(K).fill(0));
  const co = project.overlapping ? { pixels: K2(), images: K2() } : undefined;
  const readOpts = { page: project.imagePage, ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}) };

  for (let i = 0; i < ds.pairs.length; i++) {
    const pair = ds.pairs[i];
    opts.onProgress?.(i, ds.pairs.length, pair.name);
    const own: Problem[] = [];
    let img: Awaited<ReturnType<typeof readImage>> | undefined;
    let info: Awaited<ReturnType<typeof imageInfo>> | undefined;
    try {
      info = await imageInfo(pair.image, readOpts);
      img = await readImage(pair.image, readOpts);
    } catch (e) {
      own.push(withShownFile(problemFromError(e, pair.image), shown));
    }
    let lab: Awaited<ReturnType<typeof readPairLabels>> | undefined;
    try {
      lab = await readPairLabels(project, pair, shown);
      own.push(...lab.problems);
    } catch (e) {
      own.push(withShownFile(problemFromError(e, pair.mask), shown));
    }
    if (img && isConstant(img)) own.push(constantProblem(shown(pair.image), img.data[0]));
    if (img && lab && (img.width !== lab.labels.width || img.height !== lab.labels.height)) {
      own.push({
        code: 'size-mismatch',
        severity: 'error',
        file: shown(pair.mask),
        message: `The mask is ${lab.labels.width} x ${lab.labels.height} but its image ${shown(pair.image)} is ${img.width} x ${img.height}.`,
        hint: 'Check the pairing (is this the right mask for this image?), or re-export the mask at the image size with nearest-neighbour resampling.',
        details: { image: shown(pair.image), imageSize: [img.width, img.height], maskSize: [lab.labels.width, lab.labels.height] },
      });
    }
    problems.push(...own);
    if (!img || !lab || !info) {
      unreadable.push(pair.name);
      continue;
    }
    // A damaged mask's edges are not where the annotator put them: judging its pairing from them
    // would name the wrong cause (its own problem already says what is wrong).
    if (!lab.problems.some((p) => DAMAGE.has(p.code) && p.severity === 'error')) pairing.add(pair.name, img, lab.labels);
    ignored.add(pair.name, lab.labels);
    if (co && lab.overlap) {
      lab.overlap.cooccurrence.forEach((row, a) =>
        row.forEach((n, b) => {
          co.pixels[a][b] += n;
          co.images[a][b] += n > 0 ? 1 : 0;
        }),
      );
    }
    const classPixels = classPixelCounts(lab.labels, K);
    const labelled = classPixels.reduce((a, b) => a + b, 0);
    pairs.push({
      name: pair.name,
      image: shown(pair.image),
      mask: shown(pair.mask),
      width: img.width,
      height: img.height,
      format: info.format,
      channels: img.channels,
      bitDepth: img.bitDepth,
      pages: info.pages,
      maskBitDepth: lab.bitDepth,
      intensity: normalizationRange(img, project.normalization),
      classPixels,
      ignoredPixels: lab.labels.width * lab.labels.height - labelled,
      ok: !own.some(isBlocking),
    });
  }
  opts.onProgress?.(ds.pairs.length, ds.pairs.length, '');

  const bg = backgroundId(table);
  const totals = new Array<number>(K).fill(0);
  const images = new Array<number>(K).fill(0);
  for (const p of pairs) p.classPixels.forEach((n, k) => ((totals[k] += n), (images[k] += n > 0 ? 1 : 0)));
  const all = totals.reduce((a, b) => a + b, 0);
  const ignoredResult = ignored.result();
  const findings = inspectFindings(ds, pairs, unreadable, problems, [...pairingFindings(pairing.result()), ...checkIgnoredShare(ignoredResult)], shown);
  return {
    dir: ds.dir,
    projectFile: ds.projectFile,
    pairing: project.pairing.rule,
    classes: table.classes.map((c, k) => ({
      name: c.name,
      color: c.color,
      isBackground: k === bg,
      pixels: totals[k],
      fraction: all > 0 ? totals[k] / all : NaN,
      images: images[k],
    })),
    pairs,
    unreadable,
    findings,
    ignored: ignoredResult,
    blocking: findings.some((f) => f.blocking),
    excluded: [...ds.excluded].map(([name, reason]) => ({ name, reason })),
    ...(co ? { cooccurrence: { classes: table.classes.map((c) => c.name), ...co } } : {}),
  };
}

/**
 * One list: problems as findings (problem-findings.ts), the pixel findings, and `no-pairs` when
 * nothing can be trained on; each marked blocking when it is critical and concerns an image the
 * project does not exclude (or none in particular). Sorted, the most serious first.
 */
function inspectFindings(ds: Dataset, pairs: readonly InspectedPair[], unreadable: readonly string[], problems: readonly Problem[], pixelFindings: readonly Finding[], shown: (f: string) => string): InspectFinding[] {
  // A problem names a file; the pair that file belongs to is the image to fix or exclude.
  const pairOfFile = new Map<string, string>();
  for (const p of ds.pairs) {
    pairOfFile.set(shown(p.image), p.name);
    pairOfFile.set(shown(p.mask), p.name);
    for (const f of Object.values(p.classMasks ?? {})) pairOfFile.set(shown(f), p.name);
  }
  const all = [...problemFindings(problems, pairs, unreadable, (f) => pairOfFile.get(f) ?? null), ...pixelFindings];
  const usable = ds.pairs.filter((p) => !ds.excluded.has(p.name)).length;
  if (pairs.length === 0 || usable === 0) {
    all.push({
      id: 'no-pairs',
      severity: 'critical',
      title: PROBLEM_TITLES['no-pairs'],
      message: ds.pairs.length === 0 ? 'No image/mask pair was found.' : usable === 0 ? 'Every image/mask pair is excluded in the project file.' : 'No image/mask pair could be read (see the findings above).',
      evidence: { pairs: ds.pairs.length, readable: pairs.length, excluded: ds.excluded.size },
      images: [],
      action: ds.pairs.length === 0 ? 'Check the image and mask folders and the pairing rule (seglens inspect), or bring excluded images back.' : usable === 0 ? 'Bring some images back: seglens exclude PROJECT --include NAME.' : 'Fix the files named above (seglens inspect says what is wrong with each).',
    });
  }
  return sortFindings(all).map((f) => ({ ...f, blocking: f.severity === 'critical' && (f.images.length === 0 || f.images.some((n) => !ds.excluded.has(n))) }));
}

/** Every sample the same (all channels): a blank or failed export, not an image. */
function isConstant(img: { data: ArrayLike<number> }): boolean {
  const d = img.data;
  for (let i = 1; i < d.length; i++) if (d[i] !== d[0]) return false;
  return true;
}

function constantProblem(file: string, value: number): Problem {
  return {
    code: 'constant-image',
    severity: 'error',
    file,
    message: `${file} is constant: every pixel is ${value}. There is nothing in it to learn from or to segment (a blank frame or a failed export?).`,
    hint: 'Export the image again from the microscope software, or move it and its mask out of the project.',
    details: { value },
  };
}

function withShownFile(p: Problem, shown: (f: string) => string): Problem {
  return { ...p, file: shown(p.file), message: p.message.split(p.file).join(shown(p.file)) };
}
