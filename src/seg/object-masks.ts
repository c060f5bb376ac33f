// Masks that come as one binary file per object (a folder per image: the layout of the Kaggle Data
// Science Bowl 2018 nuclei set and of many annotation exports), merged into one instance map:
// object k of the folder (in file-name order) gets id k + 1, background 0. Any non-zero pixel of a
// file belongs to its object.
//
// Rules, stated because they decide what is trained on:
// - A pixel claimed by two objects is an overlap: it is reported ('mask-overlap', with the number
//   of pixels and of object pairs) and returned in `overlap` so the caller leaves it unlabelled.
//   Giving it to either object would invent a border the annotator did not draw.
// - A file with more than two values is not a binary mask (resized with interpolation, or grey):
//   reported ('not-a-label-image'); a JPEG file is lossy ('lossy-mask'). Its non-zero pixels still
//   count as the object.
// - An empty folder is an image without objects: all background.
import { lossyMaskProblem } from './audit/mask-damage.ts';
import { fileError } from './image-errors.ts';
import { readRawMask, type ReadOptions } from './image-io.ts';
import type { Problem } from './problems.ts';
import type { RawMask } from './types.ts';

export interface ObjectMasks {
  /** Instance map: 0 background, k + 1 for the k-th file; overlapping pixels keep the first object's id. */
  instances: RawMask;
  /** 1 where two or more objects claim the pixel. */
  overlap: Uint8Array;
  overlapPixels: number;
  objects: number;
  problems: Problem[];
}

/**
 * Merges the binary masks of one image's objects. `size` is used when the folder is empty (an image
 * without objects); otherwise every file must have the size of the first.
 */
export async function readObjectMasks(folder: string, files: readonly string[], opts: ReadOptions & { size?: { width: number; height: number } } = {}): Promise<ObjectMasks> {
  const problems: Problem[] = [];
  let width = opts.size?.width ?? 0;
  let height = opts.size?.height ?? 0;
  let ids: Uint32Array | undefined;
  let overlap: Uint8Array | undefined;
  let overlapPixels = 0;
  const pairs = new Set<number>();
  for (let k = 0; k < files.length; k++) {
    const file = files[k];
    const raw = await readRawMask(file, opts);
    if (!ids) {
      ({ width, height } = raw);
      ids = new Uint32Array(width * height);
      overlap = new Uint8Array(width * height);
    } else if (raw.width !== width || raw.height !== height) {
      throw fileError(
        file,
        'size-mismatch',
        `${file} is ${raw.width} x ${raw.height}, but ${files[0]} (the first object mask in ${folder}) is ${width} x ${height}.`,
        'Every object mask of one image must have the size of the image: re-export them at the same size.',
        { width: raw.width, height: raw.height, expected: { width, height } },
      );
    }
    const id = k + 1;
    const d = raw.data;
    let a = -1;
    let b = -1;
    let extra = 0;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v !== a && v !== b) {
        if (a < 0) a = v;
        else if (b < 0) b = v;
        else extra++;
      }
      if (v === 0) continue;
      const o = ids[i];
      if (o === 0) ids[i] = id;
      else {
        if (!overlap![i]) overlapPixels++;
        overlap![i] = 1;
        pairs.add(o * 65536 + id);
      }
    }
    if (raw.format === 'jpeg') problems.push(lossyMaskProblem(file, { damaged: extra, total: d.length }));
    else if (extra > 0) {
      problems.push({
        code: 'not-a-label-image',
        severity: 'warning',
        file,
        message: `The object mask has more than two values (${extra} pixels beyond the first two values); every non-zero pixel was taken as the object.`,
        hint: 'Save object masks with two values (0 and 255, or 0 and 1) and resize them only with nearest-neighbour resampling.',
        details: { object: id },
      });
    }
  }
  if (!ids) {
    if (!width || !height) throw fileError(folder, 'empty-file', `${folder} holds no object mask, and the size of its image is unknown.`, 'Add the object masks, or remove the folder.');
    ids = new Uint32Array(width * height);
    overlap = new Uint8Array(width * height);
  }
  if (overlapPixels > 0) {
    problems.push({
      code: 'mask-overlap',
      severity: 'warning',
      file: folder,
      message: `${overlapPixels} pixels (${((100 * overlapPixels) / ids.length).toFixed(2)} %) are claimed by two or more of the ${files.length} objects (${pairs.size} pair(s) of objects overlap); they are left unlabelled in training and metrics.`,
      hint: 'Edit the object masks so that objects do not overlap, or accept that these pixels are ignored.',
      details: { overlapPixels, objectPairs: pairs.size, objects: files.length },
    });
  }
  return { instances: { width, height, channels: 1, bitDepth: 16, data: ids }, overlap: overlap!, overlapPixels, objects: files.length, problems };
}
