// README.md of an exported model: what it segments, its classes, how images must be prepared,
// how well it did on its validation images (the figures of its best epoch, which are the ones
// `seglens report` shows for the validation split), where it came from, and how to run it in the
// tools that read bioimage.io packages.
import type { ClassTable } from '../../seg/classes.ts';
import type { EpochRecord } from '../../seg/history.ts';
import type { IntensityRange } from '../../seg/normalize.ts';
import type { Normalization } from '../../seg/types.ts';
import type { UNetConfig } from '../../train/model/config.ts';
import { normalizationText } from './rdf.ts';

export interface DocFacts {
  name: string;
  config: UNetConfig;
  classTable: ClassTable;
  channelNames: string[];
  normalization: Normalization;
  datasetRange?: IntensityRange;
  best: EpochRecord | null;
  epochs: number | null;
  run: { id: string; loss?: string; patch?: number; lineage: string[] } | null;
  split: { train: number; val: number; test: number } | null;
  sample: { image: string; x: number; y: number; size: number };
  minSize: number;
  step: number;
  halo: number;
  files: { onnx: string; tfjs: string; testInput: string; testOutput: string };
  toFill: string[];
  /** Overlapping classes: the per-class thresholds stored with the model and the rule that set them. */
  thresholds?: { rule: string; values: number[] };
}

const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(3));

export function readme(d: DocFacts): string {
  const t = d.classTable;
  const lines: string[] = [];
  lines.push(`# ${d.name}`, '');
  lines.push(
    `A 2D U-Net (depth ${d.config.depth}, ${d.config.baseFilters} base filters, ${d.config.batchNorm ? 'batch normalisation' : 'no batch normalisation'}, ${d.config.head} head) ` +
      `trained with seglens for semantic segmentation of ${d.config.inputChannels === 1 ? 'grey' : 'RGB'} microscopy images into ${t.classes.length} classes.`,
    '',
  );
  if (d.toFill.length) lines.push(`**Before sharing:** fill in ${d.toFill.join('; ')} in rdf.yaml.`, '');
  lines.push('## Classes', '', '| channel | class | output channel name | stored mask values | colour |', '|---|---|---|---|---|');
  t.classes.forEach((c, i) => lines.push(`| ${i} | ${c.name}${c.name === t.background ? ' (background)' : ''} | ${d.channelNames[i]} | ${c.values.join(', ')} | ${c.color} |`));
  lines.push('');
  if (t.ignore.length) lines.push(`Mask values ${t.ignore.join(', ')} were unlabelled and took no part in training or metrics.`, '');
  lines.push('## Input and output', '');
  lines.push(
    `- Input \`input\`: axes batch, channel, y, x; raw stored values. The preprocessing in rdf.yaml normalises them as in training: ${normalizationText(d.normalization, d.datasetRange)}.`,
    `- Height and width: at least ${d.minSize}, in steps of ${d.step} (each of the ${d.config.depth} pooling steps halves them). Pad or crop larger images, or tile them.`,
    d.thresholds
      ? `- Output \`output\`: axes batch, channel, y, x; an independent probability per class (the classes overlap). Each class is its own binary mask: channel k is the class where its probability is at least its threshold (${t.classes.map((c, k) => `${c.name} ${d.thresholds!.values[k].toFixed(3)}`).join(', ')}; rule ${d.thresholds.rule}, also in rdf.yaml config.seglens.thresholds). Do not cut every channel at 0.5, and do not take the highest channel.`
      : `- Output \`output\`: axes batch, channel, y, x; ${d.config.head === 'softmax' ? 'one probability per class, summing to 1 over the channels' : 'an independent probability per class'}. The label image is the channel with the highest probability.`,
    d.halo > 0 ? `- Tiling: discard ${d.halo} pixels at each inner tile border (the halo); seglens itself blends tiles overlapping by ${2 * d.halo} pixels.` : '- Tiling: overlap tiles and blend them, as seglens does, to avoid seams.',
    `- Test tensors: \`${d.files.testInput}\` is the input (a ${d.sample.size} x ${d.sample.size} crop of ${d.sample.image} at x ${d.sample.x}, y ${d.sample.y}, raw values), \`${d.files.testOutput}\` the expected output (probabilities, float32).`,
    '',
  );
  lines.push('## Validation figures', '');
  if (d.best) {
    const r = d.best.val;
    lines.push(
      `Best epoch ${d.best.epoch}${d.epochs ? ` of ${d.epochs}` : ''}, on the ${d.split ? `${d.split.val} ` : ''}validation image(s) at full size (tiled as \`seglens predict\` does). ` +
        'Dice and IoU per class from pixel counts summed over the images; an undefined figure (class absent from truth and prediction) is n/a, never 0 or 1.',
      '',
      '| class | Dice | IoU | share of truth | share predicted |',
      '|---|---|---|---|---|',
    );
    for (const c of r.classes) lines.push(`| ${c.name}${c.name === t.background ? ' (background)' : ''} | ${f3(c.dice)} | ${f3(c.iou)} | ${f3(c.trueShare)} | ${f3(c.predictedShare)} |`);
    lines.push(
      '',
      `Mean foreground Dice (the headline, background excluded): **${f3(r.meanForegroundDice)}**. Pixel accuracy ${f3(r.pixelAccuracy)}, against ${f3(r.allBackgroundAccuracy)} for predicting everything as background.`,
      '',
    );
  } else lines.push('This model folder carries no training history, so no validation figures are given.', '');
  lines.push('## Training', '');
  if (d.run) {
    lines.push(`seglens run \`${d.run.id}\`${d.run.loss ? `, loss ${d.run.loss}` : ''}${d.run.patch ? `, patches of ${d.run.patch} pixels` : ''}${d.split ? `; ${d.split.train} training, ${d.split.val} validation and ${d.split.test} test image(s)` : ''}.`);
    if (d.run.lineage.length) lines.push(`Fine-tuned from ${d.run.lineage.map((r) => `\`${r}\``).join(', which was fine-tuned from ')}.`);
    lines.push('');
  } else lines.push('Exported from a model folder without its run; the training settings are not known here.', '');
  lines.push(
    '## Using it elsewhere',
    '',
    '- **bioimage.io / bioimageio.core (Python)**: `bioimageio test rdf.yaml` runs the test tensors; `bioimageio predict` or `bioimageio.core.predict` applies the preprocessing and the ONNX weights.',
    '- **deepImageJ (Fiji)**: Plugins > deepImageJ > Install Model, choose this zip (or the folder), then run it on an open image; it reads the ONNX weights and applies the preprocessing listed in rdf.yaml.',
    '- **ilastik**: the Neural Network workflow opens bioimage.io models from a local zip; use the ONNX weights.',
    `- **ONNX directly** (\`${d.files.onnx}\`, opset in rdf.yaml): give it the normalised image as float32 [batch, channel, y, x].`,
    `- **TensorFlow.js** (\`${d.files.tfjs}\`: model.json and weights.bin): \`tf.loadLayersModel\`; same NCHW input and output.`,
    '- **seglens**: the original run folder predicts with `seglens predict`; config.seglens in rdf.yaml holds its class table and normalisation.',
    '',
  );
  return lines.join('\n');
}
