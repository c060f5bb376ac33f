// Per-class binary masks of a project whose classes overlap (`"overlapping": true`): every file
// is kept as its own binary target (overlap-bits.ts), so a pixel that is nucleus AND nucleolus is
// both, not a conflict. Compare mask-sources.ts, where classes partition the image and an overlap
// is reported and left unlabelled. Any non-zero pixel of a class's file belongs to that class; a
// pixel claimed by no file is background.
import { lossyMaskProblem } from './audit/mask-damage.ts';
import { backgroundId, type ClassTable } from './classes.ts';
import { ConfigError } from './errors.ts';
import { fileError } from './image-errors.ts';
import { imageInfo, readRawMask, type ReadOptions } from './image-io.ts';
import type { ClassMaskFile } from './mask-sources.ts';
import { cooccurrencePixels, encodeMultiLabel, flattenMultiLabel, type MultiLabelMap } from './overlap-bits.ts';
import type { Problem } from './problems.ts';
import type { LabelMap } from './types.ts';

export interface OverlappingMasks {
  /** The K binary targets (bit per class). */
  multi: MultiLabelMap;
  /** Class-id view for stratification, pairing checks and display (flattenMultiLabel). */
  labels: LabelMap;
  /** K x K pixel co-occurrence of this image (diagonal: pixels per class). */
  cooccurrence: number[][];
  problems: Problem[];
}

export async function readOverlappingMasks(files: ClassMaskFile[], table: ClassTable, opts: ReadOptions = {}): Promise<OverlappingMasks> {
  if (files.length === 0) throw new ConfigError('readOverlappingMasks needs at least one class mask file.');
  const K = table.classes.length;
  const planes: (Uint8Array | null)[] = new Array(K).fill(null);
  const problems: Problem[] = [];
  let width = 0;
  let height = 0;
  for (const [f, { file, className }] of files.entries()) {
    const id = table.classes.findIndex((c) => c.name === className);
    if (id < 0) throw new ConfigError(`Per-class mask for "${className}", which is not a class in the class table.`, { className });
    const raw = await readRawMask(file, opts);
    if (f === 0) ({ width, height } = raw);
    else if (raw.width !== width || raw.height !== height) {
      throw fileError(
        file,
        'size-mismatch',
        `${file} is ${raw.width} x ${raw.height}, but ${files[0].file} (class "${files[0].className}") is ${width} x ${height}.`,
        'All per-class masks of one image must have the size of the image: re-export them at the same size.',
        { width: raw.width, height: raw.height, expected: { width, height } },
      );
    }
    const plane = (planes[id] ??= new Uint8Array(width * height));
    const values = new Set<number>();
    for (let i = 0; i < raw.data.length; i++) {
      const v = raw.data[i];
      if (values.size < 3) values.add(v);
      if (v !== 0) plane[i] = 1;
    }
    if (raw.format === 'jpeg') problems.push(lossyMaskProblem(file, { damaged: 0, total: raw.data.length }));
    else if (values.size > 2) {
      problems.push({
        code: 'not-a-label-image',
        severity: 'warning',
        file,
        message: `The mask of class "${className}" has more than two values; every non-zero pixel was taken as "${className}".`,
        hint: 'Save per-class masks with two values (0 and 255, or 0 and 1) and resize them only with nearest-neighbour resampling.',
        details: { className },
      });
    }
  }
  const multi = encodeMultiLabel(planes, width, height, backgroundId(table));
  return { multi, labels: flattenMultiLabel(multi, K), cooccurrence: cooccurrencePixels(multi, K), problems };
}

/**
 * One file per image holding a binary mask per class (maskFormat `class-pages`): page k of a
 * multi-page TIFF, or channel k (red, green, blue) of an RGB file, is class `classes[k]`; any
 * non-zero sample belongs to the class. A grey file read for channels has the same mask in every
 * channel.
 */
export async function readClassPages(file: string, classes: readonly string[], layout: 'pages' | 'channels', table: ClassTable, opts: ReadOptions = {}): Promise<OverlappingMasks> {
  const K = table.classes.length;
  const ids = classes.map((name) => {
    const id = table.classes.findIndex((c) => c.name === name);
    if (id < 0) throw new ConfigError(`Class pages name "${name}", which is not a class in the class table.`, { className: name });
    return id;
  });
  const planes: (Uint8Array | null)[] = new Array(K).fill(null);
  const problems: Problem[] = [];
  let width = 0;
  let height = 0;
  if (layout === 'pages') {
    const { pages } = await imageInfo(file, opts);
    if (pages < classes.length) {
      throw fileError(file, 'not-a-label-image', `${file} has ${pages} page(s) but the project names ${classes.length} class pages (${classes.join(', ')}).`, 'Save one page per class, in the order of "classes" in maskFormat.', { pages, classes: classes.length });
    }
    for (const [k, id] of ids.entries()) {
      const raw = await readRawMask(file, { ...opts, page: k });
      if (k === 0) ({ width, height } = raw);
      else if (raw.width !== width || raw.height !== height) {
        throw fileError(file, 'size-mismatch', `Page ${k} of ${file} is ${raw.width} x ${raw.height}, page 0 is ${width} x ${height}.`, 'All pages must have the size of the image.', { page: k });
      }
      const plane = (planes[id] = new Uint8Array(width * height));
      for (let i = 0; i < plane.length; i++) plane[i] = raw.data[i] !== 0 ? 1 : 0;
    }
  } else {
    const raw = await readRawMask(file, opts);
    ({ width, height } = raw);
    for (const [k, id] of ids.entries()) {
      const plane = (planes[id] = new Uint8Array(width * height));
      const shift = 16 - 8 * k;
      for (let i = 0; i < plane.length; i++) plane[i] = (raw.channels === 1 ? raw.data[i] : (raw.data[i] >> shift) & 0xff) !== 0 ? 1 : 0;
    }
    if (raw.format === 'jpeg') problems.push(lossyMaskProblem(file, { damaged: 0, total: raw.data.length }));
  }
  const multi = encodeMultiLabel(planes, width, height, backgroundId(table));
  return { multi, labels: flattenMultiLabel(multi, K), cooccurrence: cooccurrencePixels(multi, K), problems };
}
