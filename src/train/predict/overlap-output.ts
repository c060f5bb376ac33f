// Predictions of a model trained on overlapping classes: each class's sigmoid output cut at that
// class's stored threshold (the one rule of src/seg/metrics/thresholds.ts), giving one binary mask
// per foreground class, written as `<class>/<stem>.png` (0/255), the layout a per-class project
// reads. The background is "no foreground class" and gets no file.
import { join } from 'node:path';
import { encodePng } from '../../seg/image-encode.ts';
import { backgroundId } from '../../seg/classes.ts';
import { ConfigError } from '../../seg/errors.ts';
import { thresholdBin, binOf } from '../../seg/metrics/index.ts';
import { flattenMultiLabel, multiLabelMap } from '../../seg/overlap-bits.ts';
import type { MultiLabelMap } from '../../seg/overlap-bits.ts';
import type { LabelMap } from '../../seg/types.ts';
import type { WriteGate } from '../../seg/write-gate.ts';
import type { ModelMeta } from '../model/config.ts';

/** The model's per-class thresholds, or why it has none. */
export function modelThresholds(meta: ModelMeta, source: string): number[] {
  if (!meta.thresholds) {
    throw new ConfigError(`${source} was trained on overlapping classes but holds no thresholds (no validation finished before it was saved). Train at least one epoch.`, { source });
  }
  return [...meta.thresholds.values];
}

/** Class bits of every pixel at the thresholds (all K outputs, background included). */
export function thresholdProbs(probs: Float32Array, width: number, height: number, thresholds: readonly number[]): MultiLabelMap {
  const K = thresholds.length;
  const tb = thresholds.map((t) => thresholdBin(t));
  const data = new Uint8Array(width * height);
  for (let p = 0; p < data.length; p++) {
    let v = 0;
    for (let k = 0; k < K; k++) if (binOf(probs[p * K + k]) >= tb[k]) v |= 1 << k;
    data[p] = v;
  }
  return multiLabelMap(width, height, data);
}

/** Folder-safe class names of the foreground classes, with their ids. */
export function classMaskFolders(meta: ModelMeta): { id: number; folder: string }[] {
  const bg = backgroundId(meta.classTable);
  return meta.classTable.classes.flatMap((c, id) => (id === bg ? [] : [{ id, folder: c.name.replace(/[^A-Za-z0-9._-]+/g, '_') }]));
}

/** Writes `<outDir>/<class>/<stem>.png` for every foreground class; returns the files. */
export async function writeClassMasks(gate: WriteGate, outDir: string, stem: string, meta: ModelMeta, bits: MultiLabelMap): Promise<string[]> {
  const files: string[] = [];
  for (const { id, folder } of classMaskFolders(meta)) {
    const px = new Uint8Array(bits.data.length);
    for (let i = 0; i < px.length; i++) px[i] = (bits.data[i] >> id) & 1 ? 255 : 0;
    const file = join(outDir, folder, `${stem}.png`);
    await gate.mkdir(join(outDir, folder));
    await gate.writeFile(file, await encodePng({ data: px, width: bits.width, height: bits.height, channels: 1 }));
    files.push(file);
  }
  return files;
}

/** The class-id view of thresholded predictions (the last class claiming a pixel; none = background). */
export function predictedClassView(bits: MultiLabelMap, meta: Pick<ModelMeta, 'classTable'>): LabelMap {
  const bg = backgroundId(meta.classTable);
  const K = meta.classTable.classes.length;
  const flat = flattenMultiLabel(bits, K);
  // A pixel no output claims (every probability under its threshold) is shown as background.
  for (let i = 0; i < flat.data.length; i++) if (flat.data[i] === 255) flat.data[i] = bg;
  return flat;
}
