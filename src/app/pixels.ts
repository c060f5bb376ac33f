// Pixel payloads of the contract: the original image with its own bit depth, the current mask as
// class ids (with its version, for saveMask's conflict check), and a run's predictions as class ids.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ImagePixels, MaskPixels, PredictionPixels } from '../api/index.ts';
import { readImage, readRawMask } from '../seg/image-io.ts';
import { labelsFromRaw } from '../seg/masks.ts';
import { normalizationRange } from '../seg/normalize.ts';
import { confined } from './confine.ts';
import { notFound } from './errors.ts';
import { readCurrentLabels, shownPath } from './mask-source.ts';
import type { ImageRecord, OpenProject } from './open-project.ts';
import { PREDICTIONS_FOLDER, PREDICTIONS_INDEX, PREVIEW_IMAGE, PREVIEW_INFO, predictionFile, readJsonOr, runDir } from './run-files.ts';

function minMax(data: Uint8Array | Uint16Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return data.length ? { min, max } : { min: 0, max: 0 };
}

export async function imagePixels(p: OpenProject, rec: ImageRecord): Promise<ImagePixels> {
  const file = await confined(rec.image, p.roots, shownPath(p, rec.image));
  const project = p.ds.project;
  const img = await readImage(file, { page: project.imagePage, ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}) });
  // Dataset-scope normalisation needs every image; for display the image's own range is enough.
  const n = project.normalization.scope === 'dataset' && project.normalization.kind !== 'fixed' ? { ...project.normalization, scope: 'image' as const } : project.normalization;
  const display = normalizationRange(img, n);
  return {
    kind: 'image',
    name: rec.name,
    width: img.width,
    height: img.height,
    channels: img.channels,
    bitDepth: img.bitDepth,
    dtype: img.bitDepth === 16 ? 'uint16' : 'uint8',
    ...minMax(img.data),
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
  const file = predictionFile(dir, rec);
  if (!existsSync(file)) throw notFound('prediction of image', rec.name, `Run ${runId} has no prediction for it yet (predictions are made when a run finishes).`);
  const labels = await readPredictionLabels(p, file);
  const info = (await readJsonOr(join(dir, PREDICTIONS_FOLDER, PREDICTIONS_INDEX), {})) as { epoch?: unknown };
  const epoch = typeof info.epoch === 'number' && Number.isInteger(info.epoch) && info.epoch >= 0 ? info.epoch : null;
  return { kind: 'prediction', name: rec.name, runId, width: labels.width, height: labels.height, dtype: 'uint8', epoch, data: labels.data };
}

export async function previewPixels(p: OpenProject, runId: string): Promise<PredictionPixels> {
  const dir = runDir(p, runId);
  const info = (await readJsonOr(join(dir, PREVIEW_INFO), null)) as { epoch?: unknown; name?: unknown } | null;
  const file = join(dir, PREVIEW_IMAGE);
  if (!info || typeof info.name !== 'string' || !existsSync(file)) throw notFound('preview of run', runId, 'A preview is written after each epoch of a training run.');
  const raw = await readRawMask(await confined(file, p.roots, shownPath(p, file)));
  const epoch = typeof info.epoch === 'number' && Number.isInteger(info.epoch) && info.epoch >= 0 ? info.epoch : null;
  return { kind: 'prediction', name: info.name, runId, width: raw.width, height: raw.height, dtype: 'uint8', epoch, data: raw.data as Uint8Array };
}
