// `seglens eval`: ground-truth masks against predicted masks, both in the class table's encoding,
// through the one metrics module. Pairs are read a few at a time (sharp decodes on the libuv
// thread pool) and counted in order, so the result does not depend on timing.
import { join } from 'node:path';
import type { ClassTable } from '../classes.ts';
import { problemFromError } from '../image-errors.ts';
import { readRawMask } from '../image-io.ts';
import { labelsFromRaw, unknownValuesProblem } from '../masks.ts';
import { Accumulator, type EvalResult } from '../metrics/index.ts';
import type { Problem } from '../problems.ts';
import { listFolder, naturalCompare, stemOf } from '../project/files.ts';
import type { LabelMap } from '../types.ts';

export interface EvalFoldersOptions {
  gtDir: string;
  predDir: string;
  table: ClassTable;
  pair: 'stem' | 'sorted';
  onProgress?: (done: number, total: number) => void;
  /** Pairs decoded ahead of the one being counted. */
  readAhead?: number;
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
  const gt = await listFolder(o.gtDir, o.gtDir, 'ground-truth folder');
  const pred = await listFolder(o.predDir, o.predDir, 'prediction folder');
  const { pairs, problems } = pairMaskFolders(gt.files, pred.files, o.pair);
  const acc = new Accumulator(o.table);
  const used: EvalFoldersResult['pairs'] = [];

  const load = async ([g, p]: [string, string]) => {
    const gf = join(o.gtDir, g);
    const pf = join(o.predDir, p);
    const own: Problem[] = [];
    try {
      const [graw, praw] = await Promise.all([readRawMask(gf), readRawMask(pf)]);
      const gm = labelsFromRaw(graw, o.table, gf);
      const pm = labelsFromRaw(praw, o.table, pf);
      const gu = unknownValuesProblem(gf, gm.unknown, graw.width * graw.height);
      if (gu) own.push(gu);
      if (pm.unknown.length || pm.labels.data.includes(255)) {
        // A prediction must say a class for every pixel: an unmapped or ignore value would let a
        // model skip its hard pixels and score better for it.
        own.push({ ...unknownValuesProblem(pf, pm.unknown, praw.width * praw.height)!, hint: 'Predictions must use only the class values of the table; this pair is not evaluated.' });
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
