// Foreground-aware patch sampling from full-size training images.
//
// Each patch is drawn in one of two modes:
// - foreground (probability `foregroundRatio`, default 0.5): choose a foreground class with
//   probability proportional to 1 / its pixel frequency in the training split (rare classes first,
//   see foregroundClassProbabilities), then a pixel of that class uniformly over the split (image
//   chosen in proportion to its count of that class, pixel from the image's class index), and
//   centre the patch on it, shifted by up to +-patchSize/4 so the class is not always in the middle;
// - uniform (otherwise, and always when the split has no foreground pixel): a uniformly random
//   window, the image chosen in proportion to its area.
// A window is kept inside an image at least as large as the patch; a smaller image is padded (see
// patch.ts), never resized. Every draw comes from the Rng passed in, so the same RNG state gives
// the same patches (checkpoints store rng.state()).
import { ConfigError, ShapeError } from '../../seg/errors.ts';
import { indexClasses, DEFAULT_MAX_INDEX_PER_CLASS } from './class-index.ts';
import type { ImageClassIndex } from './class-index.ts';
import { foregroundClassProbabilities } from './class-weights.ts';
import { extractPatch } from './patch.ts';
import type { Sample, TrainImage } from './patch.ts';
import type { Rng } from './rng.ts';

export const DEFAULT_FOREGROUND_RATIO = 0.5;

export interface SamplerOptions {
  patchSize: number;
  numClasses: number;
  /** Never chosen as the class of a foreground patch; null when every class is foreground. */
  backgroundId: number | null;
  /** Share of patches centred on a (rare-first) foreground pixel; default 0.5. */
  foregroundRatio?: number;
  /** Cap of each per-image per-class pixel list (memory bound on big images). */
  maxIndexPerClass?: number;
  /** Labels hold one bit per class (overlapping classes): a pixel counts for each of its classes. */
  multiLabel?: boolean;
}

/** Where a sample came from: for tests, debugging and the run log. */
export interface SampleOrigin {
  imageIndex: number;
  x0: number;
  y0: number;
  /** The class the patch was centred on, or null for a uniform patch. */
  centredOn: number | null;
}

export type SampledPatch = Sample & { origin: SampleOrigin };

function cumulative(xs: readonly number[]): Float64Array {
  const out = new Float64Array(xs.length);
  let s = 0;
  xs.forEach((x, i) => (out[i] = s += x));
  return out;
}

export class PatchSampler {
  readonly patchSize: number;
  readonly foregroundRatio: number;
  /** Pixel count per class over all images (the training split); multi-label: a pixel counts for each of its classes. */
  readonly classCounts: number[];
  /** Probability of each class being chosen for a foreground patch. */
  readonly classProbabilities: number[];
  private readonly images: TrainImage[];
  private readonly index: ImageClassIndex[];
  private readonly classCumulative: Float64Array;
  /** Per class: cumulative pixel counts over images. */
  private readonly imageCumulativeByClass: Float64Array[];
  private readonly areaCumulative: Float64Array;

  constructor(images: TrainImage[], opts: SamplerOptions) {
    if (!images.length) throw new ConfigError('The sampler needs at least one training image.');
    if (!Number.isInteger(opts.patchSize) || opts.patchSize < 1) throw new ConfigError(`Patch size must be a positive integer, got ${opts.patchSize}.`);
    const ratio = opts.foregroundRatio ?? DEFAULT_FOREGROUND_RATIO;
    if (!(ratio >= 0 && ratio <= 1)) throw new ConfigError(`foregroundRatio must be between 0 and 1, got ${ratio}.`);
    const channels = images[0].channels;
    images.forEach((im, i) => {
      const { width, height } = im.labels;
      const name = im.id ?? `image ${i}`;
      if (im.channels !== channels) throw new ShapeError(`${name} has ${im.channels} channels, the first image ${channels}.`, { image: name });
      if (im.image.length !== width * height * im.channels || im.labels.data.length !== width * height) {
        throw new ShapeError(`${name}: image (${im.image.length} values) and labels (${im.labels.data.length}) do not fit ${width}x${height}x${im.channels}.`, { image: name });
      }
    });
    this.images = images;
    this.patchSize = opts.patchSize;
    this.foregroundRatio = ratio;
    this.index = images.map((im) => indexClasses(im.labels, opts.numClasses, opts.maxIndexPerClass ?? DEFAULT_MAX_INDEX_PER_CLASS, opts.multiLabel ?? false));
    this.classCounts = Array.from({ length: opts.numClasses }, (_, k) => this.index.reduce((s, ix) => s + ix.counts[k], 0));
    this.classProbabilities = foregroundClassProbabilities(this.classCounts, opts.backgroundId);
    this.classCumulative = cumulative(this.classProbabilities);
    this.imageCumulativeByClass = this.classCounts.map((_, k) => cumulative(this.index.map((ix) => ix.counts[k])));
    this.areaCumulative = cumulative(images.map((im) => im.labels.width * im.labels.height));
  }

  /** Draws one patch; consumes a fixed number of random numbers per mode. */
  sample(rng: Rng): SampledPatch {
    const p = this.patchSize;
    const canForeground = this.classCumulative[this.classCumulative.length - 1] > 0;
    if (canForeground && rng.next() < this.foregroundRatio) {
      const k = rng.pickCumulative(this.classCumulative);
      const imageIndex = rng.pickCumulative(this.imageCumulativeByClass[k]);
      const list = this.index[imageIndex].pixels[k];
      const pixel = list[rng.int(list.length)];
      const { width: w, height: h } = this.images[imageIndex].labels;
      const jitter = Math.floor(p / 4);
      const cx = (pixel % w) + rng.int(2 * jitter + 1) - jitter;
      const cy = Math.floor(pixel / w) + rng.int(2 * jitter + 1) - jitter;
      const x0 = place(cx - Math.floor(p / 2), w, p);
      const y0 = place(cy - Math.floor(p / 2), h, p);
      return { ...extractPatch(this.images[imageIndex], x0, y0, p), origin: { imageIndex, x0, y0, centredOn: k } };
    }
    const imageIndex = rng.pickCumulative(this.areaCumulative);
    const { width: w, height: h } = this.images[imageIndex].labels;
    // W >= P: x0 in [0, W-P]; W < P: x0 in [W-P, 0], the image lies inside the padded window.
    const x0 = w >= p ? rng.int(w - p + 1) : -rng.int(p - w + 1);
    const y0 = h >= p ? rng.int(h - p + 1) : -rng.int(p - h + 1);
    return { ...extractPatch(this.images[imageIndex], x0, y0, p), origin: { imageIndex, x0, y0, centredOn: null } };
  }

  sampleBatch(rng: Rng, n: number): SampledPatch[] {
    return Array.from({ length: n }, () => this.sample(rng));
  }
}

/** Clamps a window start into the image when it fits, else keeps the image inside the window. */
function place(start: number, extent: number, p: number): number {
  return extent >= p ? Math.min(Math.max(start, 0), extent - p) : Math.min(Math.max(start, extent - p), 0);
}
