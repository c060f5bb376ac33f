// Reading the ground truth of one pair as class ids, whatever the project's mask format.
import { backgroundId } from '../classes.ts';
import type { ClassTable } from '../classes.ts';
import type { ReadOptions } from '../image-io.ts';
import { imageInfo, readRawMask } from '../image-io.ts';
import { readObjectMasks } from '../object-masks.ts';
import { detectInstanceDamage, detectInterpolation, instanceDamageProblem, interpolationProblem, lossyMaskProblem } from '../audit/index.ts';
import { readPerClassMasks } from '../mask-sources.ts';
import type { MultiLabelMap } from '../overlap-bits.ts';
import { readClassPages, readOverlappingMasks } from '../overlap-masks.ts';
import { cooccurrencePixels } from '../overlap-bits.ts';
import { fileError } from '../image-errors.ts';
import { UNLABELLED_KEY } from '../project/schema.ts';
import { readCocoLabels, readGeoJsonLabels } from '../vector/read.ts';
import { labelsFromInstances, labelsFromRaw, unknownValuesProblem } from '../masks.ts';
import type { UnknownValue } from '../masks.ts';
import type { Pair, Project } from '../project/index.ts';
import type { Problem } from '../problems.ts';
import { IGNORE, type LabelMap, type RawMask } from '../types.ts';

export interface PairLabels {
  labels: LabelMap;
  /**
   * Warnings and errors about this mask (unknown values, interpolation, overlaps). A label or
   * instance mask read with `checks: false` is not examined for damage: none are listed then.
   */
  problems: Problem[];
  /** Bit depth of the stored mask (for inspect). */
  bitDepth: number;
  /**
   * Overlapping projects only: the K binary targets (src/seg/overlap-bits.ts) that training and
   * scores use, and this image's K x K pixel co-occurrence. `labels` is then the class-id view.
   */
  overlap?: { multi: MultiLabelMap; cooccurrence: number[][] };
}

export interface ReadPairOptions {
  /**
   * Whether a label or instance mask is examined for damage (interpolation, JPEG, unknown values
   * as problems): true by default; false where only its class ids are wanted (the viewer: a
   * 4096 x 4096 mask's examination is about 40 ms of the way to its first draw, issue 14).
   */
  checks?: boolean;
}

export async function readPairLabels(project: Project, pair: Pair, shown: (f: string) => string = (f) => f, read: ReadPairOptions = {}): Promise<PairLabels> {
  const checks = read.checks ?? true;
  const opts: ReadOptions = project.maxPixels ? { maxPixels: project.maxPixels } : {};
  const table = project.classes;
  const f = project.maskFormat;
  // Per-class masks: the class files, and the unlabelled file when the project has that folder.
  const all = Object.entries(pair.classMasks ?? {}).map(([className, file]) => ({ className, file }));
  const files = all.filter((x) => x.className !== UNLABELLED_KEY);
  const unlabelled = all.find((x) => x.className === UNLABELLED_KEY)?.file;
  if (project.overlapping && f.kind === 'per-class') {
    // The editor saves class-id masks, which cannot hold overlaps: the per-class files decide.
    const r = await readOverlappingMasks(files, table, opts);
    if (unlabelled) await applyUnlabelled(unlabelled, [r.multi, r.labels], opts);
    return { labels: r.labels, problems: r.problems, bitDepth: 8, overlap: { multi: r.multi, cooccurrence: cooccurrencePixels(r.multi, table.classes.length) } };
  }
  if (f.kind === 'class-pages') {
    const r = await readClassPages(pair.mask, f.classes, f.layout, table, opts);
    return { labels: r.labels, problems: r.problems, bitDepth: 8, overlap: { multi: r.multi, cooccurrence: r.cooccurrence } };
  }
  if (pair.edited) return readEditedLabels(pair.mask, table.classes.length, opts, shown);
  if (f.kind === 'per-class') {
    const merged = await readPerClassMasks(files, table, opts);
    if (unlabelled) await applyUnlabelled(unlabelled, [merged.labels], opts);
    return { labels: merged.labels, problems: merged.problems, bitDepth: 8 };
  }
  if (f.kind === 'objects') return readObjectLabels(project, pair, opts, shown);
  if (f.kind === 'geojson' || f.kind === 'coco') {
    // Vector annotations carry no size: the image gives it.
    const size = await imageInfo(pair.image, { page: project.imagePage, ...opts });
    const r =
      f.kind === 'coco'
        ? await readCocoLabels(pair.mask, shown(pair.mask), pair.cocoImage!, size, table)
        : await readGeoJsonLabels(pair.mask, shown(pair.mask), size, table, f.unclassified);
    return { labels: r.labels, problems: r.problems, bitDepth: 8 };
  }
  const raw = await readRawMask(pair.mask, opts);
  if (f.kind === 'instance') {
    const id = (name: string) => table.classes.findIndex((c) => c.name === name);
    const labels = labelsFromInstances(raw, {
      foregroundId: id(f.className),
      backgroundId: backgroundId(table),
      ...(f.boundaryClass ? { boundaryId: id(f.boundaryClass) } : {}),
    });
    return { labels, problems: checks ? instanceProblems(shown(pair.mask), raw, f.boundaryClass) : [], bitDepth: raw.bitDepth };
  }
  const { labels, unknown } = labelsFromRaw(raw, table, shown(pair.mask));
  return { labels, problems: checks ? labelProblems(shown(pair.mask), raw, table, unknown, labels) : [], bitDepth: raw.bitDepth };
}

/** Sets IGNORE wherever the unlabelled mask is non-zero (it must have the maps' size). */
async function applyUnlabelled(file: string, maps: LabelMap[], opts: ReadOptions): Promise<void> {
  const raw = await readRawMask(file, opts);
  const { width, height } = maps[0];
  if (raw.width !== width || raw.height !== height) {
    throw fileError(file, 'size-mismatch', `${file} is ${raw.width} x ${raw.height}, but the class masks of its image are ${width} x ${height}.`, 'Export the unlabelled mask at the size of the image.', {
      width: raw.width,
      height: raw.height,
      expected: { width, height },
    });
  }
  for (let i = 0; i < raw.data.length; i++) if (raw.data[i] !== 0) for (const m of maps) m.data[i] = IGNORE;
}

/** What is wrong with an instance label image: damage (interpolated rims, JPEG noise), or only its lossy format. */
export function instanceProblems(file: string, raw: RawMask, boundaryClass?: string): Problem[] {
  const lossy = raw.format === 'jpeg';
  const damage = instanceDamageProblem(file, detectInstanceDamage(raw), lossy, boundaryClass);
  if (damage) return [damage];
  return lossy ? [lossyMaskProblem(file, { damaged: 0, total: raw.width * raw.height })] : [];
}

/**
 * What is wrong with a label or palette mask, one cause per mask: stored as JPEG (whatever values
 * compression changed), else resized with interpolation (in-between values on edges), else values
 * that the class table lacks.
 */
export function labelProblems(file: string, raw: RawMask, table: ClassTable, unknown: UnknownValue[], labels?: LabelMap): Problem[] {
  const total = raw.width * raw.height;
  if (raw.format === 'jpeg') {
    const damaged = unknown.reduce((s, u) => s + u.count, 0);
    let unlabelled = 0;
    if (labels) for (let i = 0; i < labels.data.length; i++) if (labels.data[i] === IGNORE) unlabelled++;
    const examples = [...unknown].sort((a, b) => b.count - a.count).map((u) => u.value);
    return [lossyMaskProblem(file, { damaged, ignored: unlabelled - damaged, total, examples })];
  }
  // Interpolated edges are also unknown values; the interpolation problem explains them better.
  const interp = interpolationProblem(file, detectInterpolation(raw, table));
  if (interp) return [interp];
  const p = unknownValuesProblem(file, unknown, total);
  return p ? [p] : [];
}

/** One binary mask per object: merged into an instance map, read like an instance mask, overlaps unlabelled. */
async function readObjectLabels(project: Project, pair: Pair, opts: ReadOptions, shown: (f: string) => string): Promise<PairLabels> {
  const f = project.maskFormat;
  if (f.kind !== 'objects') throw new Error('readObjectLabels: not an objects project');
  const table = project.classes;
  const id = (name: string) => table.classes.findIndex((c) => c.name === name);
  const files = pair.objectMasks ?? [];
  // An image without objects needs its size from the image itself.
  const size = files.length === 0 ? await imageInfo(pair.image, { page: project.imagePage, ...opts }) : undefined;
  const merged = await readObjectMasks(pair.mask, files, { ...opts, ...(size ? { size } : {}) });
  const labels = labelsFromInstances(merged.instances, {
    foregroundId: id(f.className),
    backgroundId: backgroundId(table),
    ...(f.boundaryClass ? { boundaryId: id(f.boundaryClass) } : {}),
  });
  for (let i = 0; i < merged.overlap.length; i++) if (merged.overlap[i]) labels.data[i] = IGNORE;
  const problems = merged.problems.map((p) => ({ ...p, file: shown(p.file), message: p.message.split(p.file).join(shown(p.file)) }));
  return { labels, problems, bitDepth: 8 };
}

/** Labelled pixels per class id (IGNORE excluded). */
export function classPixelCounts(labels: LabelMap, numClasses: number): number[] {
  const hist = new Float64Array(256);
  const d = labels.data;
  for (let i = 0; i < d.length; i++) hist[d[i]]++;
  return Array.from(hist.subarray(0, numClasses));
}

/** A mask saved by the editor: pixel value = class id, 255 = unlabelled. */
async function readEditedLabels(file: string, numClasses: number, opts: ReadOptions, shown: (f: string) => string): Promise<PairLabels> {
  const raw = await readRawMask(file, opts);
  const data = new Uint8Array(raw.width * raw.height);
  const unknown = new Map<number, number>();
  for (let i = 0; i < data.length; i++) {
    const v = raw.data[i];
    if (v < numClasses || v === IGNORE) data[i] = v;
    else {
      data[i] = IGNORE;
      unknown.set(v, (unknown.get(v) ?? 0) + 1);
    }
  }
  const problems: Problem[] = [];
  const p = unknownValuesProblem(shown(file), [...unknown].map(([value, count]) => ({ value, count })), data.length);
  if (p) problems.push({ ...p, hint: 'This edited mask holds class ids the class table no longer has (a class was removed?): repaint those pixels in the editor.' });
  return { labels: { width: raw.width, height: raw.height, data }, problems, bitDepth: raw.bitDepth };
}
