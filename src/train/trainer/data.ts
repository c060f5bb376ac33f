// The images of a split in memory, normalised exactly as a later prediction will normalise them
// (the project's normalisation; for dataset scope, one range computed over the TRAINING images
// only and stored in the model metadata).
import { readPairLabels } from '../../seg/dataset/index.ts';
import type { Dataset } from '../../seg/dataset/index.ts';
import { ConfigError, ShapeError } from '../../seg/errors.ts';
import { readImage } from '../../seg/image-io.ts';
import { intensityHistogram, normalize, rangeFromHistogram } from '../../seg/normalize.ts';
import type { IntensityRange } from '../../seg/normalize.ts';
import type { Pair } from '../../seg/project/index.ts';
import type { SplitManifest } from '../../seg/split/index.ts';
import type { LabelMap, RawImage } from '../../seg/types.ts';
import type { TrainImage } from '../data/patch.ts';

/** A validation image: normalised pixels (what predictImage takes) and its ground truth. */
export interface ValImage {
  name: string;
  image: { width: number; height: number; channels: 1 | 3; data: Float32Array };
  labels: LabelMap;
}

export interface SplitData {
  train: TrainImage[];
  val: ValImage[];
  channels: 1 | 3;
  /** Set for dataset-scope normalisation. */
  datasetRange?: IntensityRange;
}

interface Loaded {
  pair: Pair;
  raw: RawImage;
  labels: LabelMap;
}

async function load(ds: Dataset, pair: Pair): Promise<Loaded> {
  const { project } = ds;
  const raw = await readImage(pair.image, { page: project.imagePage, ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}) });
  // Overlapping classes train on the K binary targets, not on the class-id view.
  const read = await readPairLabels(project, pair);
  const labels = read.overlap?.multi ?? read.labels;
  if (raw.width !== labels.width || raw.height !== labels.height) {
    throw new ShapeError(`${pair.image} is ${raw.width}x${raw.height} but its mask ${pair.mask} is ${labels.width}x${labels.height}. Run \`seglens inspect\`.`, { image: pair.image });
  }
  return { pair, raw, labels };
}

export async function loadSplitData(ds: Dataset, manifest: SplitManifest, onProgress?: (done: number, total: number) => void): Promise<SplitData> {
  const byName = new Map(ds.pairs.map((p) => [p.name, p]));
  const pick = (names: string[]) =>
    names.map((n) => {
      const p = byName.get(n);
      if (!p) throw new ConfigError(`The split names "${n}", which the project does not have.`, { name: n });
      return p;
    });
  const trainPairs = pick(manifest.train);
  const valPairs = pick(manifest.val);
  const total = trainPairs.length + valPairs.length;
  const loaded: Loaded[] = [];
  for (const p of [...trainPairs, ...valPairs]) {
    onProgress?.(loaded.length, total);
    loaded.push(await load(ds, p));
  }
  onProgress?.(total, total);
  const channels = loaded[0].raw.channels;
  const odd = loaded.find((l) => l.raw.channels !== channels);
  if (odd) {
    throw new ConfigError(`${odd.pair.image} has ${odd.raw.channels} channel(s) but ${loaded[0].pair.image} has ${channels}: a model takes one kind of image. Convert them to one kind.`, {
      image: odd.pair.image,
    });
  }
  const norm = ds.project.normalization;
  let datasetRange: IntensityRange | undefined;
  if (norm.scope === 'dataset' && norm.kind !== 'fixed') {
    const sixteen = loaded.some((l) => l.raw.bitDepth === 16);
    const hist = new Uint32Array(sixteen ? 65536 : 256);
    loaded.slice(0, trainPairs.length).forEach((l) => intensityHistogram(l.raw, hist));
    datasetRange = rangeFromHistogram(hist, norm);
  }
  const normalised = loaded.map((l) => ({ l, n: normalize(l.raw, norm, datasetRange) }));
  const train = normalised.slice(0, trainPairs.length).map(({ l, n }) => ({ image: n.data, channels: n.channels, labels: l.labels, id: l.pair.name }));
  const val = normalised.slice(trainPairs.length).map(({ l, n }) => ({
    name: l.pair.name,
    image: { width: n.width, height: n.height, channels: n.channels, data: n.data },
    labels: l.labels,
  }));
  return { train, val, channels, ...(datasetRange ? { datasetRange } : {}) };
}
