// What the split needs from each pair: class pixel counts of its mask and a fingerprint of its
// image (for duplicate detection). Unreadable pairs are left out and reported; pairs the project
// excludes are left out silently (the exclusion list says why).
import { relative } from 'node:path';
import { problemFromError } from '../image-errors.ts';
import type { Problem } from '../problems.ts';
import { fingerprintFile } from '../split/index.ts';
import type { SplitItem } from '../split/index.ts';
import { classPixelCounts, readPairLabels } from './labels.ts';
import { trainingPairs } from './open.ts';
import type { Dataset } from './open.ts';

export async function splitItems(
  ds: Dataset,
  onProgress?: (done: number, total: number) => void,
): Promise<{ items: SplitItem[]; problems: Problem[] }> {
  const items: SplitItem[] = [];
  const problems: Problem[] = [];
  const K = ds.project.classes.classes.length;
  const shown = (f: string) => relative(ds.dir, f) || f;
  const pairs = trainingPairs(ds);
  for (let i = 0; i < pairs.length; i++) {
    onProgress?.(i, pairs.length);
    const pair = pairs[i];
    try {
      const { labels } = await readPairLabels(ds.project, pair, shown);
      const fp = await fingerprintFile(pair.image, ds.project.imagePage);
      items.push({ name: pair.name, classPixels: classPixelCounts(labels, K), fingerprint: fp });
    } catch (e) {
      const p = problemFromError(e);
      problems.push({ ...p, file: shown(p.file) });
    }
  }
  onProgress?.(pairs.length, pairs.length);
  return { items, problems };
}
