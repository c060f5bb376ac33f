// Prediction of many image files: read, normalise exactly as in training (the model's metadata),
// predict tiled (tiled.ts), write the label mask and, if asked, one probability map per class.
// One unusable file becomes a Problem naming it and the next file is read; nothing else stops the
// batch except an output folder that cannot be written. Every output goes through the caller's
// write gate, with the input images and their folders added to what it protects; all outputs are
// checked before the first is written, so a refused --out leaves nothing behind.
//
// Outputs, in `outDir`:
//   <stem>.png                 label mask in the class table's own stored values (writeLabelMask),
//                              so it reads like the user's ground-truth masks in any tool
//   probs/<stem>_<class>.png   probability of that class, a 16-bit grey PNG: value = round(p * 65535)
//                              (kept in p's 1/1000 threshold bin: storedProbability). Always
//                              written into a run folder for overlapping classes.
//                              16-bit PNG rather than float TIFF: every viewer (Fiji, napari,
//                              Python's PIL/imageio) opens it, it is lossless, and its step
//                              1/65535 is far below any meaningful probability difference.
//   <class>/<stem>.png         overlapping classes only: one 0/255 mask per foreground class at the
//                              threshold stored with the model (overlap-output.ts); <stem>.png is
//                              then the class-id view (a pixel of two classes shows the later one).
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { encodePng } from '../../seg/image-encode.ts';
import { FileError } from '../../seg/errors.ts';
import { problemFromError } from '../../seg/image-errors.ts';
import { readImage } from '../../seg/image-io.ts';
import { normalize } from '../../seg/normalize.ts';
import type { Problem } from '../../seg/problems.ts';
import { listFolder, stemOf } from '../../seg/project/files.ts';
import { writeLabelMask } from '../../seg/mask-write.ts';
import { binOf } from '../../seg/metrics/index.ts';
import { classMaskFolders, modelThresholds, predictedClassView, thresholdProbs, writeClassMasks } from './overlap-output.ts';
import type { RawImage } from '../../seg/types.ts';
import { WriteGate } from '../../seg/write-gate.ts';
import type { tfl } from '../tf.ts';
import type { ModelMeta } from '../model/config.ts';
import { predictImage } from './tiled.ts';

import { PROBS_FOLDER } from './defaults.ts';
import { PROB_SCALE, probFileNames } from './prob-files.ts';

export { PROBS_FOLDER, PROB_SCALE, probFileNames };

export interface PredictFilesOptions {
  /** Where the caller may write (a run folder, the user's --out); the inputs are added to it here. */
  gate: WriteGate;
  outDir: string;
  /** Also write probs/<stem>_<class>.png per class. */
  writeProbs?: boolean;
  tile?: number;
  overlap?: number;
  batch?: number;
  /** Page of multi-page TIFF images (0-based); default 0. */
  page?: number;
  /** Largest accepted width x height (readImage's limit). */
  maxPixels?: number;
  /** After each file (predicted or reported): files done, total, the file. */
  onProgress?: (done: number, total: number, file: string) => void;
  /** Stops between files; the files done so far are kept and returned. */
  signal?: AbortSignal;
}

export interface PredictedFile {
  /** The image as given. */
  file: string;
  /** The label mask written. */
  mask: string;
  /** Probability maps written, in class order (empty without writeProbs). */
  probs: string[];
  /** Overlapping classes: `<class>/<stem>.png` per foreground class, at the model's thresholds. */
  classMasks?: string[];
  width: number;
  height: number;
  tiles: number;
  /** Share of the image's pixels given to each class, in class order: spots a collapsed model. */
  classFractions: number[];
  seconds: number;
}

export interface PredictFilesResult {
  predicted: PredictedFile[];
  /** One per file that could not be predicted (unreadable, wrong channel count, duplicate name). */
  problems: Problem[];
  /** True when the signal stopped the batch early. */
  aborted: boolean;
  seconds: number;
}

/**
 * A probability as stored in a 16-bit map: round(p x 65535), moved by one step where rounding
 * would cross a 1/1000 bin edge, so the stored value lies in p's threshold bin (the one rule of
 * src/seg/metrics/thresholds.ts): a map cut at a threshold gives exactly the mask cut from p.
 */
export function storedProbability(p: number): number {
  const c = Math.min(1, Math.max(0, p));
  const v = Math.round(c * PROB_SCALE);
  const b = binOf(c);
  const got = binOf(v / PROB_SCALE);
  return got > b ? v - 1 : got < b ? v + 1 : v;
}

/**
 * Image files named on a command line: files as they are (reading reports a bad one), folders by
 * their supported images in natural order. A missing path or a folder without images is an error.
 */
export async function expandImagePaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st) throw new FileError(p, `${p} does not exist. Give image files or folders of images.`);
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const listing = await listFolder(p, p, 'image folder');
    if (listing.files.length === 0) {
      const other = listing.subfolders.length ? ` It has sub-folders (${listing.subfolders.slice(0, 3).join(', ')}): name them instead.` : '';
      throw new FileError(p, `The folder ${p} holds no PNG, JPEG or TIFF image.${other}`, { unsupported: listing.unsupported.slice(0, 10) });
    }
    out.push(...listing.files.map((f) => join(p, f)));
  }
  return out;
}

function channelProblem(file: string, img: RawImage, meta: ModelMeta): Problem {
  const kind = (c: number) => (c === 1 ? 'grey (1 channel)' : `RGB (${c} channels)`);
  return {
    code: 'unsupported-format',
    severity: 'error',
    file,
    message: `${file} is ${kind(img.channels)} but the model was trained on ${kind(meta.inputChannels)} images.`,
    hint:
      meta.inputChannels === 1
        ? 'Convert it to greyscale (Fiji: Image > Type > 8-bit or 16-bit) or use a model trained on RGB images.'
        : 'Convert it to RGB (Fiji: Image > Type > RGB Color) or use a model trained on grey images.',
    details: { imageChannels: img.channels, modelChannels: meta.inputChannels },
  };
}

/** Files whose stem another file already claims would overwrite its outputs: reported, skipped. */
function duplicateStems(files: string[]): { keep: string[]; problems: Problem[] } {
  const owner = new Map<string, string>();
  const keep: string[] = [];
  const problems: Problem[] = [];
  for (const f of files) {
    const stem = stemOf(basename(f));
    const first = owner.get(stem);
    if (first === undefined) {
      owner.set(stem, f);
      keep.push(f);
    } else if (first !== f) {
      problems.push({
        code: 'duplicate-stem',
        severity: 'error',
        file: f,
        message: `${f} has the same name stem "${stem}" as ${first}; its prediction would overwrite that one's.`,
        hint: 'Predict the two folders into different --out folders, or rename one of the files.',
        details: { stem, first },
      });
    }
  }
  return { keep, problems };
}

async function writeProbMaps(gate: WriteGate, dir: string, stem: string, names: string[], probs: Float32Array, width: number, height: number): Promise<string[]> {
  const K = names.length;
  const n = width * height;
  const files: string[] = [];
  for (let k = 0; k < K; k++) {
    const plane = new Uint16Array(n);
    for (let p = 0; p < n; p++) plane[p] = storedProbability(probs[p * K + k]);
    const png = await encodePng({ data: plane, width, height, channels: 1 });
    const file = join(dir, `${stem}_${names[k]}.png`);
    await gate.writeFile(file, png);
    files.push(file);
  }
  return files;
}

/** Every file predictFiles would write, checked by the gate before anything is written. */
async function checkOutputs(gate: WriteGate, files: string[], outDir: string, names: string[], writeProbs: boolean, classFolders: { folder: string }[]): Promise<void> {
  await gate.folder(outDir);
  if (writeProbs) await gate.folder(join(outDir, PROBS_FOLDER));
  for (const f of files) {
    const stem = stemOf(basename(f));
    await gate.target(join(outDir, `${stem}.png`));
    if (writeProbs) for (const n of names) await gate.target(join(outDir, PROBS_FOLDER, `${stem}_${n}.png`));
    for (const c of classFolders) await gate.target(join(outDir, c.folder, `${stem}.png`));
  }
}

type ReadResult = { ok: true; img: RawImage } | { ok: false; error: unknown };

/**
 * Predicts every file into `opts.outDir` (created if needed). The next image is decoded (by
 * sharp's threads) while the current one is predicted.
 */
export async function predictFiles(model: tfl.LayersModel, meta: ModelMeta, files: string[], opts: PredictFilesOptions): Promise<PredictFilesResult> {
  const t0 = performance.now();
  const { keep, problems } = duplicateStems(files);
  const names = probFileNames(meta);
  // The images read are inputs, and so are the folders they are in (a mask written beside an image
  // would be listed as one).
  const gate = await WriteGate.extend(opts.gate, {
    inputFiles: files.map((f) => ({ file: f, what: 'an input image' })),
    inputFolders: [...new Set(files.map((f) => dirname(f)))].map((d) => ({ dir: d, what: 'the folder of input images' })),
  });
  // Overlapping classes: one binary mask per class at its stored threshold (overlap-output.ts).
  const thresholds = meta.overlapping ? modelThresholds(meta, 'The model') : null;
  const classFolders = thresholds ? classMaskFolders(meta) : [];
  await checkOutputs(gate, keep, opts.outDir, names, Boolean(opts.writeProbs), classFolders);
  const probsDir = join(opts.outDir, PROBS_FOLDER);
  await gate.mkdir(opts.writeProbs ? probsDir : opts.outDir);
  const K = meta.config.numClasses;
  const read = (f: string): Promise<ReadResult> =>
    readImage(f, { page: opts.page, maxPixels: opts.maxPixels }).then(
      (img) => ({ ok: true as const, img }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  const predicted: PredictedFile[] = [];
  let aborted = false;
  let next = keep.length ? read(keep[0]) : undefined;
  for (let i = 0; i < keep.length; i++) {
    if (opts.signal?.aborted) {
      aborted = true;
      break;
    }
    const file = keep[i];
    const started = performance.now();
    const r = await next!;
    next = i + 1 < keep.length ? read(keep[i + 1]) : undefined;
    if (!r.ok) problems.push(problemFromError(r.error, file));
    else if (r.img.channels !== meta.inputChannels) problems.push(channelProblem(file, r.img, meta));
    else {
      const { width, height } = r.img;
      const input = normalize(r.img, meta.normalization, meta.datasetRange);
      const out = await predictImage(model, input, { tile: opts.tile, overlap: opts.overlap, batch: opts.batch, head: meta.config.head, numClasses: K });
      const stem = stemOf(basename(file));
      const mask = join(opts.outDir, `${stem}.png`);
      const bits = thresholds ? thresholdProbs(out.probs, width, height, thresholds) : null;
      const labels = bits ? predictedClassView(bits, meta) : out.labels;
      await writeLabelMask(gate, mask, labels, meta.classTable);
      const classMasks = bits ? await writeClassMasks(gate, opts.outDir, stem, meta, bits) : undefined;
      const probs = opts.writeProbs ? await writeProbMaps(gate, probsDir, stem, names, out.probs, width, height) : [];
      const counts = new Array<number>(K).fill(0);
      if (bits) for (let k = 0; k < K; k++) for (const v of bits.data) counts[k] += (v >> k) & 1;
      else for (const l of labels.data) counts[l]++;
      predicted.push({
        file,
        mask,
        probs,
        ...(classMasks ? { classMasks } : {}),
        width,
        height,
        tiles: out.tiles,
        classFractions: counts.map((c) => c / (width * height)),
        seconds: (performance.now() - started) / 1000,
      });
    }
    opts.onProgress?.(i + 1, keep.length, file);
  }
  await next; // a prefetch left behind by an abort settles (it never rejects) before returning
  return { predicted, problems, aborted, seconds: (performance.now() - t0) / 1000 };
}
