// Pixel payloads of the contract: the original image with its own bit depth, the current mask as
// class ids (with its version, for saveMask's conflict check), and a run's predictions as class ids.
import { existsSync } from 'node:fs';
import type { ClassPredictionPixels, IGNORE as CONTRACT_IGNORE, ImagePixels, MaskPixels, PredictionPixels } from '../api/index.ts';
import { readPairLabels } from '../seg/dataset/index.ts';
import { ConfigError } from '../seg/errors.ts';
import { classMaskFolders, modelThresholds } from '../train/predict/overlap-output.ts';
import { inspectModel } from '../train/predict/model-files.ts';
import { PROB_SCALE, probFileNames } from '../train/predict/prob-files.ts';
import { readImage, readRawMask } from '../seg/image-io.ts';
import { labelsFromRaw } from '../seg/masks.ts';
import { IGNORE } from '../seg/types.ts';
import type { Same } from './same-type.ts';
import { intensityHistogram, rangeFromHistogram } from '../seg/normalize.ts';
import { confined } from './confine.ts';
import { notFound } from './errors.ts';
import { readCurrentLabels, shownPath } from './mask-source.ts';
import type { ImageRecord, OpenProject } from './open-project.ts';
import { classMaskFile, classProbFile, predictedStems, predictionFile, predictionStem, readPredictionIndex, readPreview } from '../train/trainer/run-outputs.ts';
import { runDir } from './run-files.ts';

// The class-id arrays cross the contract as they are: the unlabelled value the engine writes
// (src/seg IGNORE) must be the contract's (src/api IGNORE). One value, checked here at compile time.
const sameIgnore: Same<typeof IGNORE, typeof CONTRACT_IGNORE> = true;
void sameIgnore;

/** The smallest and largest value counted in `hist` (0 and 0 when it counts none). */
function extremes(hist: Uint32Array): { min: number; max: number } {
  let min = 0;
  while (min < hist.length && hist[min] === 0) min++;
  if (min === hist.length) return { min: 0, max: 0 };
  let max = hist.length - 1;
  while (hist[max] === 0) max--;
  return { min, max };
}

export async function imagePixels(p: OpenProject, rec: ImageRecord): Promise<ImagePixels> {
  const file = await confined(rec.image, p.roots, shownPath(p, rec.image));
  const project = p.ds.project;
  const img = await readImage(file, { page: project.imagePage, ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}) });
  // Dataset-scope normalisation needs every image; for display the image's own range is enough.
  const n = project.normalization.scope === 'dataset' && project.normalization.kind !== 'fixed' ? { ...project.normalization, scope: 'image' as const } : project.normalization;
  // One pass over the pixels (issue 14: a 4096 x 4096 image is on the way to its first draw): the
  // histogram gives the display range (as normalizationRange would) and the extremes.
  const hist = intensityHistogram(img);
  const display = rangeFromHistogram(hist, n);
  return {
    kind: 'image',
    name: rec.name,
    width: img.width,
    height: img.height,
    channels: img.channels,
    bitDepth: img.bitDepth,
    dtype: img.bitDepth === 16 ? 'uint16' : 'uint8',
    ...extremes(hist),
    display,
    data: img.data,
  };
}

export async function maskPixels(p: OpenProject, rec: ImageRecord): Promise<MaskPixels> {
  const { mask, labels } = await readCurrentLabels(p, rec);
  return {
    kind: 'mask',
    name: rec.name,
    width: labels.width,
    height: labels.height,
    dtype: 'uint8',
    source: mask.source,
    file: mask.shown,
    version: mask.version,
    data: labels.data,
  };
}

async function readPredictionLabels(p: OpenProject, file: string) {
  const shown = shownPath(p, file);
  const raw = await readRawMask(await confined(file, p.roots, shown));
  return labelsFromRaw(raw, p.ds.project.classes, shown).labels;
}

export async function predictionPixels(p: OpenProject, runId: string, rec: ImageRecord): Promise<PredictionPixels> {
  const dir = runDir(p, runId);
  const file = predictionFile(dir, rec.image);
  if (!existsSync(file) || !(await predictedStems(dir)).has(predictionStem(rec.image))) {
    throw notFound('prediction of image', rec.name, `Run ${runId} holds no current prediction of it: predict it (predictRun, the Predict button of the metrics and image views).`);
  }
  const labels = await readPredictionLabels(p, file);
  const epoch = (await readPredictionIndex(dir))?.epoch ?? null;
  return { kind: 'prediction', name: rec.name, runId, width: labels.width, height: labels.height, dtype: 'uint8', epoch, data: labels.data };
}

export async function previewPixels(p: OpenProject, runId: string): Promise<PredictionPixels> {
  const dir = runDir(p, runId);
  const preview = await readPreview(dir);
  if (!preview) throw notFound('preview of run', runId, 'A preview is written after each epoch of a training run started in the app.');
  const { file, info } = preview;
  const raw = await readRawMask(await confined(file, p.roots, shownPath(p, file)));
  return { kind: 'prediction', name: info.name, runId, width: raw.width, height: raw.height, dtype: 'uint8', epoch: info.epoch, data: raw.data as Uint8Array };
}

/**
 * Overlapping classes: for one image, each foreground class's probability (the 16-bit maps kept in
 * the run folder), its stored mask (at the thresholds the model applied) as one bit per class, and
 * the ground truth's bits from the project's per-class masks: the image view's per-class layers.
 */
export async function classPredictionPixels(p: OpenProject, runId: string, rec: ImageRecord): Promise<ClassPredictionPixels> {
  const dir = runDir(p, runId);
  const { meta } = await inspectModel(dir);
  if (!meta.overlapping || !p.ds.project.overlapping) {
    throw new ConfigError(`Run ${runId} was not trained on overlapping classes: its prediction has one class per pixel (getPredictionPixels).`, { runId });
  }
  const thresholds = modelThresholds(meta, `Run ${runId}`);
  const probNames = probFileNames(meta);
  const classes = classMaskFolders(meta).map((c) => ({ ...c, prob: classProbFile(dir, probNames[c.id], rec.image), mask: classMaskFile(dir, c.folder, rec.image) }));
  const current = (await predictedStems(dir)).has(predictionStem(rec.image));
  if (!current || classes.some((c) => !existsSync(c.prob) || !existsSync(c.mask))) {
    throw notFound('per-class prediction of image', rec.name, `Run ${runId} holds no current per-class prediction with probabilities of it: predict it (the Predict button of the metrics and image views).`);
  }
  const read = async (file: string) => {
    const shown = shownPath(p, file);
    const raw = await readRawMask(await confined(file, p.roots, shown));
    if (raw.channels !== 1) throw new ConfigError(`${shown} is not a grey image: the run folder was changed by another program. Predict the image again.`, { file: shown });
    return raw;
  };
  const F = classes.length;
  let width = 0;
  let height = 0;
  let data = new Uint16Array(0);
  for (let k = 0; k < F; k++) {
    const prob = await read(classes[k].prob);
    const mask = await read(classes[k].mask);
    if (k === 0) {
      width = prob.width;
      height = prob.height;
      data = new Uint16Array(width * height * (F + 2));
    }
    const n = width * height;
    if (prob.bitDepth !== 16 || prob.width !== width || prob.height !== height || mask.width !== width || mask.height !== height) {
      throw new ConfigError(`The stored prediction of ${rec.name} in run ${runId} has maps of different sizes or depths: predict it again.`, { name: rec.name });
    }
    data.set(prob.data as Uint16Array, k * n);
    const bit = 1 << classes[k].id;
    for (let i = 0; i < n; i++) if (mask.data[i] !== 0) data[F * n + i] |= bit;
  }
  const n = width * height;
  const truth = data.subarray((F + 1) * n);
  let annotated = false;
  if (rec.pair) {
    const multi = (await readPairLabels(p.ds.project, rec.pair, (f) => shownPath(p, f))).overlap?.multi;
    if (multi && multi.width === width && multi.height === height) {
      truth.set(multi.data);
      annotated = true;
    }
  }
  if (!annotated) truth.fill(IGNORE);
  const epoch = (await readPredictionIndex(dir))?.epoch ?? null;
  return {
    kind: 'class-prediction',
    name: rec.name,
    runId,
    width,
    height,
    dtype: 'uint16',
    planes: F + 2,
    probScale: PROB_SCALE,
    epoch,
    classes: classes.map((c) => ({ id: c.id, name: meta.classTable.classes[c.id].name, threshold: thresholds[c.id] })),
    annotated,
    data,
  };
}
