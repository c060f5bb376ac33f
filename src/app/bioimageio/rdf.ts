// The bioimage.io model description (rdf.yaml, format 0.5) of an exported seglens U-Net: what
// deepImageJ, ilastik, bioimageio.core and the bioimage.io website read. Everything seglens knows
// is filled in (tensors and axes, the recorded normalisation as preprocessing, class names, the
// class table, the training data, the validation figures, the lineage); what only the user knows
// (authors, licence, where the training data is published) is taken from the options or left as a
// marked placeholder with a comment, and listed by `seglens export` as fields to fill.
import type { ClassTable } from '../../seg/classes.ts';
import type { YamlComment, YamlValue } from '../../seg/formats/yaml.ts';
import type { IntensityRange } from '../../seg/normalize.ts';
import type { Normalization } from '../../seg/types.ts';
import type { UNetConfig } from '../../train/model/config.ts';

/** The format version written. 0.5.4 is read by bioimageio.spec 0.5.4 and later, deepImageJ 3.1, ilastik 1.4.1. */
export const FORMAT_VERSION = '0.5.4';
export const FILL_IN = 'FILL IN';

export interface Author {
  name: string;
  affiliation?: string;
  orcid?: string;
}

export interface FileRef {
  source: string;
  sha256: string;
}

export interface RdfFacts {
  name: string;
  description: string;
  authors: Author[];
  license: string;
  config: UNetConfig;
  normalization: Normalization;
  datasetRange?: IntensityRange;
  classTable: ClassTable;
  /** Identifier per class (channel names), in class order. */
  channelNames: string[];
  /** Data type of the raw input (the images' bit depth). */
  inputType: 'uint8' | 'uint16';
  /** Output axes' halo (pixels to discard at tile borders) and the input size rule. */
  halo: number;
  minSize: number;
  step: number;
  files: { testInput: FileRef; testOutput: FileRef; sampleInput: FileRef; cover: string; readme: string; onnx: FileRef; tfjs: FileRef };
  onnxOpset: number;
  tensorflowVersion: string;
  seglensVersion: string;
  trainingData: { name: string; description: string; cite: { text: string; url?: string; doi?: string } };
  /** config.seglens: what seglens itself needs to use the model again (and what it was). */
  seglens: { [key: string]: YamlValue };
  tags: string[];
  timestamp: string;
}

/** The preprocessing steps that repeat seglens's normalisation (src/seg/normalize.ts) on raw values. */
export function preprocessing(n: Normalization, datasetRange: IntensityRange | undefined): YamlValue[] {
  const steps: YamlValue[] = [{ id: 'ensure_dtype', kwargs: { dtype: 'float32' } }];
  const linear = (lo: number, hi: number) => {
    // (v - lo) / (hi - lo); a flat range maps everything to 0 as seglens does.
    const gain = hi > lo ? 1 / (hi - lo) : 0;
    steps.push({ id: 'scale_linear', kwargs: { gain, offset: -lo * gain } });
  };
  if (n.kind === 'fixed') linear(n.range![0], n.range![1]);
  else if (n.scope === 'dataset') linear(datasetRange!.lo, datasetRange!.hi);
  else {
    // Per image, over all channels at once (one range keeps the colour balance), as normalize() does.
    const [lo, hi] = n.kind === 'minmax' ? [0, 100] : [n.low, n.high];
    steps.push({ id: 'scale_range', kwargs: { axes: ['channel', 'y', 'x'], min_percentile: lo, max_percentile: hi, eps: 1e-6 } });
  }
  steps.push({ id: 'clip', kwargs: { min: 0, max: 1 } });
  return steps;
}

export function normalizationText(n: Normalization, datasetRange: IntensityRange | undefined): string {
  if (n.kind === 'fixed') return `stored values ${n.range![0]}..${n.range![1]} mapped linearly to 0..1, clipped`;
  if (n.scope === 'dataset') return `stored values ${datasetRange!.lo}..${datasetRange!.hi} (the ${n.kind === 'minmax' ? 'minimum and maximum' : `${n.low} and ${n.high} percentiles`} of all training images) mapped linearly to 0..1, clipped`;
  if (n.kind === 'minmax') return 'per image, its minimum and maximum (over all channels) mapped to 0 and 1';
  return `per image, its ${n.low} and ${n.high} percentiles (over all channels, numpy's linear interpolation) mapped to 0 and 1, clipped`;
}

export function buildRdf(f: RdfFacts): { value: { [key: string]: YamlValue }; comments: YamlComment[] } {
  const space = (id: 'y' | 'x'): YamlValue => ({ type: 'space', id, size: { min: f.minSize, step: f.step } });
  const outSpace = (id: 'y' | 'x'): YamlValue => ({ type: 'space', id, size: { tensor_id: 'input', axis_id: id }, ...(f.halo > 0 ? { halo: f.halo } : {}) });
  const inputChannels = f.config.inputChannels === 1 ? ['intensity'] : ['red', 'green', 'blue'];
  const author = (a: Author): YamlValue => ({ name: a.name, ...(a.affiliation ? { affiliation: a.affiliation } : {}), ...(a.orcid ? { orcid: a.orcid } : {}) });
  const value: { [key: string]: YamlValue } = {
    type: 'model',
    format_version: FORMAT_VERSION,
    name: f.name,
    description: f.description,
    authors: f.authors.map(author),
    cite: [
      { text: 'Ronneberger O, Fischer P, Brox T. U-Net: Convolutional Networks for Biomedical Image Segmentation. MICCAI 2015.', doi: '10.1007/978-3-319-24574-4_28' },
    ],
    license: f.license,
    documentation: f.files.readme,
    covers: [f.files.cover],
    tags: f.tags,
    timestamp: f.timestamp,
    inputs: [
      {
        id: 'input',
        description: `raw image (${f.inputType === 'uint16' ? '16-bit' : '8-bit'} stored values); the preprocessing normalises it as in training: ${normalizationText(f.normalization, f.datasetRange)}`,
        axes: [{ type: 'batch' }, { type: 'channel', channel_names: inputChannels }, space('y'), space('x')],
        test_tensor: { ...f.files.testInput },
        sample_tensor: { ...f.files.sampleInput },
        data: { type: f.inputType },
        preprocessing: preprocessing(f.normalization, f.datasetRange),
      },
    ],
    outputs: [
      {
        id: 'output',
        description:
          f.config.head === 'softmax'
            ? `class probabilities (softmax over the channel axis); the class of a pixel is the channel with the highest probability. Channels in order: ${f.classTable.classes.map((c) => c.name).join(', ')}`
            : `per-class probabilities (independent sigmoids). Channels in order: ${f.classTable.classes.map((c) => c.name).join(', ')}`,
        axes: [{ type: 'batch' }, { type: 'channel', channel_names: f.channelNames }, outSpace('y'), outSpace('x')],
        test_tensor: { ...f.files.testOutput },
        data: { type: 'float32', range: [0, 1] },
      },
    ],
    weights: {
      // The graph in tfjs is the original (seglens trains in TensorFlow.js); ONNX is written from
      // the same weights by seglens's own exporter.
      tensorflow_js: { source: f.files.tfjs.source, sha256: f.files.tfjs.sha256, tensorflow_version: f.tensorflowVersion },
      onnx: { source: f.files.onnx.source, sha256: f.files.onnx.sha256, parent: 'tensorflow_js', opset_version: f.onnxOpset },
    },
    training_data: {
      type: 'dataset',
      format_version: '0.3.0',
      name: f.trainingData.name,
      description: f.trainingData.description,
      authors: f.authors.map(author),
      cite: [{ text: f.trainingData.cite.text, ...(f.trainingData.cite.doi ? { doi: f.trainingData.cite.doi } : {}), ...(f.trainingData.cite.url ? { url: f.trainingData.cite.url } : {}) }],
      license: f.license,
    },
    config: { seglens: f.seglens },
  };
  const comments: YamlComment[] = [];
  if (f.authors.some((a) => a.name.startsWith(FILL_IN))) comments.push({ path: 'authors', text: `${FILL_IN}: the people who made this model (seglens export --author "Name"); bioimage.io requires them.` });
  comments.push({ path: 'license', text: 'SPDX licence identifier of the weights (seglens export --license ID); check that it is the one you mean.' });
  if (!f.trainingData.cite.url && !f.trainingData.cite.doi) {
    comments.push({ path: 'training_data', text: `${FILL_IN}: where the training images are published (seglens export --data-cite TEXT --data-url URL or --data-doi DOI).` });
  }
  comments.push({ path: 'inputs', text: 'Raw values go in; the preprocessing below repeats the normalisation seglens trained with.' });
  comments.push({ path: 'config', text: 'What seglens needs to use the model again: the class table, the normalisation, the run and its lineage.' });
  return { value, comments };
}
