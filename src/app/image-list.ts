// The image list of the project view: per image, its size, class presence (labelled pixels per
// class in the current mask), split side, exclusion, annotation status, which runs predicted it and
// how many problems name it. Reading every mask is the slow part, so counts are cached by mask
// version.
import { basename, join } from 'node:path';
import type { ImageEntry, SplitName } from '../api/index.ts';
import { classPixelCounts } from '../seg/dataset/index.ts';
import { imageInfo } from '../seg/image-io.ts';
import { stemOf } from '../seg/project/index.ts';
import { currentMask, readCurrentLabels, shownPath } from './mask-source.ts';
import type { ImageRecord, OpenProject } from './open-project.ts';
import { predictedStems } from '../train/trainer/run-outputs.ts';
import { listRunIds } from './runs.ts';
import { runsDir } from './run-files.ts';

interface Cached {
  version: string | null;
  width: number | null;
  height: number | null;
  classPixels: number[] | null;
}

export class ImageListCache {
  private readonly byName = new Map<string, Cached>();

  async entry(p: OpenProject, rec: ImageRecord, o: { predictedBy: string[]; problemCount: number; split: SplitName | null }): Promise<ImageEntry> {
    const K = p.classes.length;
    let c: Cached;
    try {
      const { mask, labels } = await readCurrentLabelsCached(this.byName.get(rec.name), p, rec);
      c = labels ? { version: mask.version, width: labels.width, height: labels.height, classPixels: mask.source === 'none' ? null : classPixelCounts(labels, K) } : this.byName.get(rec.name)!;
    } catch {
      // An unreadable mask is a problem inspectProject reports with its file; the list shows no counts.
      const info = await imageInfo(rec.image, { page: p.ds.project.imagePage }).catch(() => null);
      c = { version: null, width: info?.width ?? null, height: info?.height ?? null, classPixels: null };
    }
    this.byName.set(rec.name, c);
    const source = p.edits.fileOf(rec.name) ? 'edited' : rec.pair ? 'imported' : 'none';
    const maskFile = source === 'edited' ? shownPath(p, p.edits.fileOf(rec.name)!) : rec.pair ? shownPath(p, rec.pair.mask) : null;
    return {
      name: rec.name,
      imageFile: shownPath(p, rec.image),
      maskFile,
      width: c.width,
      height: c.height,
      classPixels: c.classPixels,
      split: o.split,
      excluded: p.ds.excluded.has(rec.name) ? { reason: p.ds.excluded.get(rec.name) ?? null } : null,
      annotation: source,
      predictions: o.predictedBy,
      problemCount: o.problemCount,
    };
  }

  forget(name: string): void {
    this.byName.delete(name);
  }
}

/** Reads the mask only when its version differs from the cached one (labels null = cache valid). */
async function readCurrentLabelsCached(cached: Cached | undefined, p: OpenProject, rec: ImageRecord) {
  const mask = await currentMask(p, rec);
  if (cached && cached.version !== null && cached.version === mask.version) return { mask, labels: null };
  const r = await readCurrentLabels(p, rec);
  return { mask: r.mask, labels: r.labels };
}

/**
 * The entries of every image. `sides`: the split side of each image (the project's manifest, or a
 * run's split when the project has none).
 */
export async function listImageEntries(p: OpenProject, cache: ImageListCache, sides: ReadonlyMap<string, SplitName>, onProgress?: (done: number, total: number, name: string) => void): Promise<ImageEntry[]> {
  const runs = await listRunIds(p);
  const predicted = new Map<string, Set<string>>();
  for (const id of runs) predicted.set(id, await predictedStems(join(runsDir(p), id)));
  // The findings of the last inspection (data problems among them) name images, files or both;
  // before any inspection, the pairing problems found on open name files.
  const findings = p.inspected?.findings ?? p.ds.problems.map((pr) => ({ images: [], files: [pr.file] }));
  const problemFiles = new Map<string, number>();
  const findingImages = new Map<string, number>();
  for (const f of findings) {
    for (const n of f.images) findingImages.set(n, (findingImages.get(n) ?? 0) + 1);
    // A file finding about a known image is counted once, by its image.
    if (f.images.length === 0) for (const file of f.files ?? []) problemFiles.set(file, (problemFiles.get(file) ?? 0) + 1);
  }
  const out: ImageEntry[] = [];
  for (let i = 0; i < p.images.length; i++) {
    const rec = p.images[i];
    onProgress?.(i, p.images.length, rec.name);
    const stem = stemOf(basename(rec.image));
    const by = runs.filter((id) => predicted.get(id)!.has(stem));
    const files = [rec.image, ...(rec.pair ? [rec.pair.mask] : [])].map((f) => shownPath(p, f));
    const problems = files.reduce((s, f) => s + (problemFiles.get(f) ?? 0), 0) + (findingImages.get(rec.name) ?? 0);
    out.push(await cache.entry(p, rec, { predictedBy: by, problemCount: problems, split: sides.get(rec.name) ?? null }));
  }
  onProgress?.(p.images.length, p.images.length, '');
  return out;
}
