// Masks that come as one binary file per class (a folder per class, or name suffixes), merged
// into one LabelMap. Any non-zero pixel of a class's file belongs to that class.
//
// Rules, stated because they decide what is trained on:
// - A pixel claimed by two different classes is set to IGNORE (excluded from loss and metrics)
//   and reported as a 'mask-overlap' warning with counts per pair of classes. Letting one class
//   win would invent an answer the annotator did not give; ignoring is the honest choice.
// - A pixel claimed by no file is background, unless the background class has files of its own:
//   then nobody labelled it and it is IGNORE as well.
// - Several files for one class are united (no overlap between a class and itself).
import { lossyMaskProblem } from './audit/mask-damage.ts';
import { backgroundId, type ClassTable } from './classes.ts';
import { ConfigError } from './errors.ts';
import { fileError } from './image-errors.ts';
import { readRawMask, type ReadOptions } from './image-io.ts';
import type { Problem } from './problems.ts';
import { IGNORE, type LabelMap } from './types.ts';

export interface ClassMaskFile {
  className: string;
  file: string;
}

export interface MergedMask {
  labels: LabelMap;
  /** Warnings: overlaps between classes, files that are not binary. */
  problems: Problem[];
  /** Pixels claimed by two or more classes (now IGNORE). */
  overlapPixels: number;
}

const NONE = 0xffff;

export async function readPerClassMasks(files: ClassMaskFile[], table: ClassTable, opts: ReadOptions = {}): Promise<MergedMask> {
  if (files.length === 0) throw new ConfigError('readPerClassMasks needs at least one class mask file.');
  const ids = files.map(({ className }) => {
    const id = table.classes.findIndex((c) => c.name === className);
    if (id < 0) {
      throw new ConfigError(`Per-class mask for "${className}", which is not a class in the class table (${table.classes.map((c) => c.name).join(', ')}).`, {
        className,
      });
    }
    return id;
  });
  const problems: Problem[] = [];
  let width = 0;
  let height = 0;
  let owner = new Uint16Array(0);
  // Pairs of classes fighting over pixels: key a * 256 + b (a < b) -> pixel count.
  const pairCounts = new Map<number, number>();
  for (let f = 0; f < files.length; f++) {
    const { file } = files[f];
    const raw = await readRawMask(file, opts);
    if (f === 0) {
      ({ width, height } = raw);
      owner = new Uint16Array(width * height).fill(NONE);
    } else if (raw.width !== width || raw.height !== height) {
      throw fileError(
        file,
        'size-mismatch',
        `${file} is ${raw.width} x ${raw.height}, but ${files[0].file} (class "${files[0].className}") is ${width} x ${height}.`,
        'All per-class masks of one image must have the size of the image: re-export them at the same size.',
        { width: raw.width, height: raw.height, expected: { width, height } },
      );
    }
    const id = ids[f];
    const d = raw.data;
    // Values seen, to notice a "binary" mask that is not (resized with interpolation, or grey).
    let a = -1;
    let b = -1;
    let extraValues = 0;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v !== a && v !== b) {
        if (a < 0) a = v;
        else if (b < 0) b = v;
        else extraValues++;
      }
      if (v === 0) continue;
      const o = owner[i];
      if (o === NONE) owner[i] = id;
      else if ((o & 0xff) !== id) {
        // Keep the first owner in the low byte and mark the pixel contested in the high byte.
        owner[i] = o | 0x100;
        const lo = Math.min(o & 0xff, id);
        const hi = Math.max(o & 0xff, id);
        const key = lo * 256 + hi;
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + 1);
      }
    }
    if (raw.format === 'jpeg') problems.push(lossyMaskProblem(file, { damaged: extraValues, total: d.length }));
    else if (extraValues > 0) {
      problems.push({
        code: 'not-a-label-image',
        severity: 'warning',
        file,
        message: `The mask of class "${files[f].className}" has more than two values (${extraValues} pixels beyond the first two values); every non-zero pixel was taken as "${files[f].className}".`,
        hint: 'Save per-class masks with two values (0 and 255, or 0 and 1) and resize them only with nearest-neighbour resampling.',
        details: { className: files[f].className },
      });
    }
  }
  const bgId = backgroundId(table);
  const bgHasFiles = ids.includes(bgId);
  const out = new Uint8Array(width * height);
  let overlapPixels = 0;
  for (let i = 0; i < out.length; i++) {
    const o = owner[i];
    if (o === NONE) out[i] = bgHasFiles ? IGNORE : bgId;
    else if (o & 0x100) {
      out[i] = IGNORE;
      overlapPixels++;
    } else out[i] = o;
  }
  if (overlapPixels > 0) {
    const name = (id: number) => table.classes[id].name;
    const pairs = [...pairCounts]
      .sort((x, y) => y[1] - x[1])
      .map(([key, count]) => ({ classes: [name(key >> 8), name(key & 0xff)], count }));
    const involved = new Set(pairs.flatMap((p) => p.classes));
    const overlapFiles = files.filter((f) => involved.has(f.className)).map((f) => f.file);
    problems.push({
      code: 'mask-overlap',
      severity: 'warning',
      file: overlapFiles.join(' + '),
      message: `${overlapPixels} pixels (${((100 * overlapPixels) / out.length).toFixed(2)} %) are claimed by more than one class (${pairs
        .map((p) => `${p.classes.join(' & ')}: ${p.count} px`)
        .join(', ')}); they are ignored in training and metrics.`,
      hint: 'Edit the per-class masks so that each pixel belongs to one class, or accept that these pixels are ignored.',
      details: { overlapPixels, pairs, files: overlapFiles },
    });
  }
  return { labels: { width, height, data: out }, problems, overlapPixels };
}
