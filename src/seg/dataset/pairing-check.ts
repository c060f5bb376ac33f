// The image/mask pairing check over a whole dataset: images and masks read once, reduced, compared
// (the judgement itself is src/seg/audit/pairing.ts; this only reads the files for it).
import { relative } from 'node:path';
import { PairingCheck } from '../audit/index.ts';
import type { PairingFit, PairingOptions } from '../audit/index.ts';
import { readImage } from '../image-io.ts';
import { readPairLabels } from './labels.ts';
import type { Dataset } from './open.ts';

export interface DatasetPairingOptions extends PairingOptions {
  onProgress?: (done: number, total: number, name: string) => void;
}

/**
 * Reads every pair of the dataset (image and labels) and checks the pairing. Pairs that cannot be
 * read are skipped (inspect reports them). Uses the project's normalisation.
 */
export async function checkDatasetPairing(ds: Dataset, opts: DatasetPairingOptions = {}): Promise<PairingFit[]> {
  const project = ds.project;
  const check = new PairingCheck({ normalization: project.normalization, ...opts });
  const readOpts = { page: project.imagePage, ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}) };
  const shown = (f: string) => relative(ds.dir, f) || f;
  for (let i = 0; i < ds.pairs.length; i++) {
    const pair = ds.pairs[i];
    opts.onProgress?.(i, ds.pairs.length, pair.name);
    try {
      const [image, labels] = await Promise.all([readImage(pair.image, readOpts), readPairLabels(project, pair, shown)]);
      check.add(pair.name, image, labels.labels);
    } catch {
      // unreadable pairs are inspect's to report
    }
  }
  opts.onProgress?.(ds.pairs.length, ds.pairs.length, '');
  return check.result();
}
