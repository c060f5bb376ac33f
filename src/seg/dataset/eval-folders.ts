// `seglens eval`: ground-truth masks against predicted masks through the one metrics module. Each
// side is read in its mask format (--mask-format): label images in the class table's encoding,
// instance label images, or a folder per image with one binary mask per object; instance formats
// become the table's background and object class. Pairs are read a few at a time (sharp decodes on
// the libuv thread pool) and counted in order, so the result does not depend on timing.
import { join } from 'node:path';
import { backgroundId } from '../classes.ts';
import type { ClassTable } from '../classes.ts';
import { ConfigError } from '../errors.ts';
import { problemFromError } from '../image-errors.ts';
import { readRawMask } from '../image-io.ts';
import { labelsFromInstances, labelsFromRaw, unknownValuesProblem } from '../masks.ts';
import type { UnknownValue } from '../masks.ts';
import { Accumulator, type EvalResult } from '../metrics/index.ts';
import { readObjectMasks } from '../object-masks.ts';
import type { Problem } from '../problems.ts';
import { listFolder, naturalCompare, stemOf } from '../project/files.ts';
import { IGNORE, type LabelMap } from '../types.ts';
import { instanceProblems, labelProblems } from './labels.ts';

/** How the masks of one folder are stored. */
export const EVAL_MASK_FORMATS = ['label', 'instance', 'objects'] as const;
export type EvalMaskFormat = (typeof EVAL_MASK_FORMATS)[number];

export interface EvalFoldersOptions {
  gtDir: string;
  predDir: string;
  table: ClassTable;
  pair: 'stem' | 'sorted';
  /** Format of the ground truth and of the predictions (default label). */
  gtFormat?: EvalMaskFormat;
  predFormat?: EvalMaskFormat;
  /** Class of the objects of instance formats (default: the table's only foreground class). */
  objectClass?: string;
  onProgress?: (done: number, total: number) => void;
  /** Pairs decoded ahead of the one being counted. */
  readAhead?: number;
}

export interface ReadMask {
  labels: LabelMap;
  problems: Problem[];
  /** Stored values in no class (label format only). */
  unknown: UnknownValue[];
}

/** The class id objects of instance formats become, with a ConfigError that says how to choose. */
function objectClassId(table: ClassTable, objectClass: string | undefined): number {
  const bg = backgroundId(table);
  if (objectClass !== undefined) {
    const id = table.classes.findIndex((c) => c.name === objectClass);
    if (id < 0) throw new ConfigError(`--object-class "${objectClass}" is not a class of the class table (${table.classes.map((c) => c.name).join(', ')}).`, { objectClass });
    return id;
  }
  const fg = table.classes.map((_, i) => i).filter((i) => i !== bg);
  if (fg.length !== 1) {
    throw new ConfigError(
      `Instance masks become one object class, but the class table has ${fg.length} foreground classes (${fg.map((i) => table.classes[i].name).join(', ')}): name it with --object-class.`,
      {},
    );
  }
  return fg[0];
}

/**
 * Reads one mask (a file, or for `objects` a folder) of a folder in `format` as class ids.
 * `role` decides what overlapping objects become: unlabelled in the ground truth, the object class
 * in a prediction (which must say a class for every pixel).
 */
export function maskReader(format: EvalMaskFormat, table: ClassTable, role: 'gt' | 'pred', objectClass?: string): (path: string) => Promise<ReadMask> {
  if (format === 'label') {
    return async (file) => {
      const raw = await readRawMask(file);
      const m = labelsFromRaw(raw, table, file);
      return { labels: m.labels, unknown: m.unknown, problems: role === 'gt' ? labelProblems(file, raw, table, m.unknown, m.labels) : [] };
    };
  }
  const mapping = { foregroundId: objectClassId(table, objectClass), backgroundId: backgroundId(table) };
  if (format === 'instance') {
    return async (file) => {
      const raw = await readRawMask(file);
      return { labels: labelsFromInstances(raw, mapping), unknown: [], problems: instanceProblems(file, raw) };
    };
  }
  return async (folder) => {
    const listing = await listFolder(folder, folder, 'folder of object masks');
    const merged = await readObjectMasks(
      folder,
      listing.files.map((f) => join(folder, f)),
    );
    const labels = labelsFromInstances(merged.instances, mapping);
    if (role === 'gt') for (let i = 0; i < merged.overlap.length; i++) if (merged.overlap[i]) labels.data[i] = IGNORE;
    return { labels, unknown: [], problems: merged.problems };
  };
}

/** The entries of a folder that hold masks: files, or sub-folders for `objects`. */
async function maskEntries(dir: string, format: EvalMaskFormat, what: string): Promise<string[]> {
  const l = await listFolder(dir, dir, what);
  if (format === 'objects') {
    if (l.subfolders.length === 0) throw new ConfigError(`The ${what} ${dir} has no sub-folders, but --mask-format objects expects one folder per image holding one binary mask per object.`, { dir });
    return l.subfolders;
  }
  if (l.files.length === 0 && l.subfolders.length > 0) {
    throw new ConfigError(`The ${what} ${dir} holds sub-folders (${l.subfolders.slice(0, 3).join(', ')}) but no mask files: for one folder per image with one binary mask per object, use --mask-format objects.`, { dir });
  }
  return l.files;
}

export interface EvalFoldersResult {
  result: EvalResult;
  pairs: { name: string; gt: string; pred: string }[];
  problems: Problem[];
}

export function pairMaskFolders(gtFiles: string[], predFiles: string[], rule: 'stem' | 'sorted'): { pairs: [string, string][]; problems: Problem[] } {
  const problems: Problem[] = [];
  if (rule === 'sorted') {
    const g = [...gtFiles].sort(naturalCompare);
    const p = [...predFiles].sort(naturalCompare);
    if (g.length !== p.length) {
      problems.push({
        code: 'missing-partner',
        severity: 'error',
        file: '(prediction folder)',
        message: `Sorted pairing needs as many predictions as ground-truth masks: ${g.length} ground-truth masks, ${p.length} predictions.`,
        hint: 'Predict every ground-truth image, or pair by file stem with --pair stem.',
      });
      return { pairs: [], problems };
    }
    return { pairs: g.map((f, i) => [f, p[i]]), problems };
  }
  const byStem = new Map(predFiles.map((f) => [stemOf(f), f]));
  const pairs: [string, string][] = [];
  for (const g of [...gtFiles].sort(naturalCompare)) {
    const p = byStem.get(stemOf(g));
    if (p) {
      pairs.push([g, p]);
      byStem.delete(stemOf(g));
    } else
      problems.push({
        code: 'missing-partner',
        severity: 'error',
        file: g,
        message: `No prediction named ${stemOf(g)}.* for this ground-truth mask.`,
        hint: 'Predict this image too, or remove it from the ground-truth folder; with names that differ, use --pair sorted.',
      });
  }
  for (const p of byStem.values())
    problems.push({ code: 'missing-partner', severity: 'warning', file: p, message: 'A prediction without a ground-truth mask of the same name; it is not evaluated.', hint: 'Check the file names, or use --pair sorted.' });
  return { pairs, problems };
}

export async function evaluateFolders(o: EvalFoldersOptions): Promise<EvalFoldersResult> {
  const readGt = maskReader(o.gtFormat ?? 'label', o.table, 'gt', o.objectClass);
  const readPred = maskReader(o.predFormat ?? 'label', o.table, 'pred', o.objectClass);
  const gtEntries = await maskEntries(o.gtDir, o.gtFormat ?? 'label', 'ground-truth folder');
  const predEntries = await maskEntries(o.predDir, o.predFormat ?? 'label', 'prediction folder');
  const { pairs, problems } = pairMaskFolders(gtEntries, predEntries, o.pair);
  const acc = new Accumulator(o.table);
  const used: EvalFoldersResult['pairs'] = [];

  const load = async ([g, p]: [string, string]) => {
    const gf = join(o.gtDir, g);
    const pf = join(o.predDir, p);
    const own: Problem[] = [];
    try {
      const [gm, pm] = await Promise.all([readGt(gf), readPred(pf)]);
      own.push(...gm.problems, ...pm.problems);
      if (pm.unknown.length || pm.labels.data.includes(IGNORE)) {
        // A prediction must say a class for every pixel: an unmapped or ignore value would let a
        // model skip its hard pixels and score better for it.
        const n = pm.labels.width * pm.labels.height;
        const p = unknownValuesProblem(pf, pm.unknown, n) ?? {
          code: 'mask-unknown-values' as const,
          severity: 'error' as const,
          file: pf,
          message: 'The prediction leaves pixels without a class.',
          hint: '',
          details: {},
        };
        own.push({ ...p, hint: 'Predictions must use only the class values of the table; this pair is not evaluated.' });
        return { own, gt: undefined, pred: undefined };
      }
      if (gm.labels.width !== pm.labels.width || gm.labels.height !== pm.labels.height) {
        own.push({
          code: 'size-mismatch',
          severity: 'error',
          file: pf,
          message: `The prediction is ${pm.labels.width} x ${pm.labels.height} but the ground truth ${gf} is ${gm.labels.width} x ${gm.labels.height}; this pair is not evaluated.`,
          hint: 'Predict at the size of the original image (seglens predict does), or check the pairing.',
        });
        return { own, gt: undefined, pred: undefined };
      }
      return { own, gt: gm.labels, pred: pm.labels };
    } catch (e) {
      own.push(problemFromError(e));
      return { own, gt: undefined, pred: undefined };
    }
  };

  const ahead = Math.max(1, o.readAhead ?? 8);
  const pending: Promise<{ own: Problem[]; gt?: LabelMap; pred?: LabelMap }>[] = [];
  for (let i = 0; i < Math.min(ahead, pairs.length); i++) pending.push(load(pairs[i]));
  for (let i = 0; i < pairs.length; i++) {
    o.onProgress?.(i, pairs.length);
    const r = await pending[i];
    if (i + ahead < pairs.length) pending.push(load(pairs[i + ahead]));
    problems.push(...r.own);
    if (r.gt && r.pred) {
      const name = stemOf(pairs[i][0]);
      acc.add(name, r.gt, r.pred);
      used.push({ name, gt: join(o.gtDir, pairs[i][0]), pred: join(o.predDir, pairs[i][1]) });
    }
    pending[i] = undefined as never; // let the decoded masks go
  }
  o.onProgress?.(pairs.length, pairs.length);
  return { result: acc.result(), pairs: used, problems };
}
