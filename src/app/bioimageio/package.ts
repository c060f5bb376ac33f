// `seglens export RUN --bioimageio OUT`: a bioimage.io model package (format 0.5) of a trained
// model, as a zip (OUT ends in .zip) or a folder:
//   rdf.yaml                 the model description (rdf.ts)
//   weights.onnx             the graph written by seglens (src/train/export/onnx-unet.ts)
//   tfjs_model.zip           model.json + weights.bin, standard tfjs layers, same NCHW axes
//   test_input.npy           raw crop of a validation image, [1, C, S, S], the images' own dtype
//   test_output.npy          what seglens predicts for it, float32 probabilities [1, K, S, S]
//   sample_input.tif         the same crop as an image file (what `seglens predict` can read)
//   cover.png, README.md     the crop and its prediction; classes, preprocessing, validation figures
// The test crop is one tile of seglens's tiled prediction (S <= the run's validation tile, a
// multiple of 2^depth), so `seglens predict RUN sample_input.tif` computes exactly the test output.
// Nothing existing is replaced: OUT must not exist; a folder is written under a temporary name
// beside it and renamed when complete, a zip is written atomically. All through one write gate.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { INSTALL_ROOT } from '../../seg/runtime.ts';
import { encodeTiff } from '../../seg/image-encode.ts';
import { ConfigError } from '../../seg/errors.ts';
import { openDataset } from '../../seg/dataset/index.ts';
import { encodeNpy } from '../../seg/formats/npy.ts';
import { toYaml } from '../../seg/formats/yaml.ts';
import { writeZip } from '../../seg/formats/zip.ts';
import type { EpochRecord } from '../../seg/history.ts';
import { readImage } from '../../seg/image-io.ts';
import { normalize } from '../../seg/normalize.ts';
import { foldersOf, loadProject, projectGate } from '../../seg/project/index.ts';
import type { RawImage } from '../../seg/types.ts';
import { WriteGate } from '../../seg/write-gate.ts';
import { formatBackendChoice, selectBackend } from '../../train/backend/select.ts';
import type { BackendCandidate } from '../../train/backend/select.ts';
import { ONNX_OPSET, unetToOnnx } from '../../train/export/onnx-unet.ts';
import { TFJS_MODEL_FILE, TFJS_WEIGHTS_FILE, tfjsVersion, unetToTfjs } from '../../train/export/tfjs-unet.ts';
import { sizeMultiple } from '../../train/model/config.ts';
import { readModelWeights } from '../../train/predict/model-io.ts';
import { loadModel } from '../../train/predict/model-io.ts';
import { predictImage } from '../../train/predict/tiled.ts';
import { RunFolder } from '../../train/trainer/run-folder.ts';
import { coverImage } from './cover.ts';
import { readme } from './docs.ts';
import { identifiers, modelName } from './names.ts';
import { buildRdf, FILL_IN } from './rdf.ts';
import type { Author } from './rdf.ts';

export const PACKAGE_FILES = {
  rdf: 'rdf.yaml',
  onnx: 'weights.onnx',
  tfjs: 'tfjs_model.zip',
  testInput: 'test_input.npy',
  testOutput: 'test_output.npy',
  sampleInput: 'sample_input.tif',
  cover: 'cover.png',
  readme: 'README.md',
} as const;

/** Largest side of the test crop: big enough to show the model at work, small enough to keep the package light. */
export const MAX_TEST_SIZE = 256;

export interface ExportOptions {
  /** A run folder (its best checkpoint) or a model folder. */
  run: string;
  /** The package: `*.zip` for an archive, anything else a folder. Must not exist. */
  out: string;
  /** An image to take the test tensor from; default the run's first validation image. */
  sample?: string;
  name?: string;
  description?: string;
  authors?: Author[];
  /** SPDX identifier; default CC-BY-4.0. */
  license?: string;
  dataCite?: { text?: string; url?: string; doi?: string };
  backend?: BackendCandidate;
  /** One line per stage (backend, what is being written). */
  onInfo?: (line: string) => void;
}

export interface ExportResult {
  out: string;
  kind: 'zip' | 'folder';
  files: Record<string, { bytes: number; sha256: string }>;
  /** Fields of rdf.yaml left with a placeholder, for the user to fill in. */
  toFill: string[];
  sample: { image: string; x: number; y: number; size: number };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function seglensVersion(): Promise<string> {
  try {
    return (JSON.parse(await readFile(join(INSTALL_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** run.json's lineage: the run this one was fine-tuned from, then its parent, ... (read loosely). */
async function lineageOf(runDir: string): Promise<string[]> {
  const out: string[] = [];
  let dir = runDir;
  for (let i = 0; i < 20; i++) {
    let parent: { runId?: unknown; dir?: unknown } | undefined;
    try {
      parent = (JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as { parent?: { runId?: unknown; dir?: unknown } }).parent;
    } catch {
      break;
    }
    if (!parent || typeof parent.runId !== 'string') break;
    out.push(parent.runId);
    if (typeof parent.dir !== 'string') break;
    dir = parent.dir;
  }
  return out;
}

/** Crop of side `size` at (x, y). */
function crop(img: RawImage, x: number, y: number, size: number): RawImage {
  const c = img.channels;
  const data = img.bitDepth === 16 ? new Uint16Array(size * size * c) : new Uint8Array(size * size * c);
  for (let r = 0; r < size; r++) data.set(img.data.subarray(((y + r) * img.width + x) * c, ((y + r) * img.width + x + size) * c), r * size * c);
  return { width: size, height: size, channels: c, bitDepth: img.bitDepth, data };
}

/** Interleaved HWC -> planar CHW. */
function planar<T extends Uint8Array | Uint16Array | Float32Array>(src: T, pixels: number, c: number, make: (n: number) => T): T {
  const out = make(src.length);
  for (let p = 0; p < pixels; p++) for (let k = 0; k < c; k++) out[k * pixels + p] = src[p * c + k];
  return out;
}

function checkOut(out: string): { kind: 'zip' | 'folder'; abs: string } {
  const abs = resolve(out);
  if (existsSync(abs)) {
    throw new ConfigError(`${abs} already exists; seglens export never replaces a file or folder. Give a new name, or move the old package away first.`, { out: abs });
  }
  if (!existsSync(dirname(abs))) throw new ConfigError(`The folder ${dirname(abs)} does not exist: create it first, or give another place for the package.`, { out: abs });
  return { kind: /\.zip$/i.test(abs) ? 'zip' : 'folder', abs };
}

export async function exportBioimageio(o: ExportOptions): Promise<ExportResult> {
  const say = o.onInfo ?? (() => {});
  const { kind, abs: out } = checkOut(o.out);
  const { info, weights } = await readModelWeights(o.run);
  const meta = info.meta;
  const cfg = meta.config;
  const runDir = info.from === 'run' ? dirname(info.dir) : null;
  const run = runDir ? new RunFolder(runDir) : null;
  const runInfo = run ? await run.readInfo().catch(() => null) : null;
  const history: EpochRecord[] = run ? await run.readHistory().catch(() => []) : [];
  const runCfg = run ? await run.readConfig().catch(() => null) : null;
  const split = run ? await run.readSplit().catch(() => null) : null;
  const best = history.find((r) => r.epoch === runInfo?.bestEpoch) ?? history.filter((r) => r.monitor.best).at(-1) ?? null;

  // ---- the test image: the one given, else the run's first validation image (never trained on)
  let sampleFile = o.sample ? resolve(o.sample) : undefined;
  let page = 0;
  let projectDir: string | undefined;
  if (runInfo?.project && existsSync(join(runInfo.project, 'seglens.json'))) projectDir = runInfo.project;
  if (!sampleFile) {
    if (!projectDir || !split) {
      throw new ConfigError(
        `No image to make the test tensor from: ${runDir ? `the run's project (${runInfo?.project ?? 'not recorded'}) is not there` : `${o.run} is a model folder, not a run`}. Give one with --sample IMAGE (an image of the kind the model was trained on).`,
        { run: o.run },
      );
    }
    const ds = await openDataset(projectDir);
    page = ds.project.imagePage;
    const names = [...split.val, ...split.test, ...split.train];
    const pair = names.map((n) => ds.pairs.find((p) => p.name === n)).find((p) => p !== undefined);
    if (!pair) throw new ConfigError(`None of the run's images is in the project ${projectDir} any more. Give an image with --sample IMAGE.`, { project: projectDir });
    sampleFile = pair.image;
  }
  const image = await readImage(sampleFile, { page });
  if (image.channels !== cfg.inputChannels) {
    throw new ConfigError(`${sampleFile} has ${image.channels} channel(s) but the model takes ${cfg.inputChannels}: give an image of the kind it was trained on (--sample).`, { sample: sampleFile });
  }
  const m = sizeMultiple(cfg);
  const tile = runCfg?.validation.tile ?? MAX_TEST_SIZE;
  const size = Math.floor(Math.min(image.width, image.height, MAX_TEST_SIZE, tile) / m) * m;
  if (size < m) throw new ConfigError(`${sampleFile} is ${image.width} x ${image.height}; the test tensor needs at least ${m} x ${m} pixels (2^depth). Give a larger image with --sample.`, { sample: sampleFile });
  const x0 = Math.floor((image.width - size) / 2);
  const y0 = Math.floor((image.height - size) / 2);
  const raw = crop(image, x0, y0, size);
  const normalised = normalize(raw, meta.normalization, meta.datasetRange);

  // ---- where it goes: checked before any work is written
  const stage = kind === 'folder' ? join(dirname(out), `.${basename(out)}.partial-${randomBytes(3).toString('hex')}`) : out;
  const gate = projectDir
    ? await (async () => {
        const { dir, project } = await loadProject(projectDir);
        return projectGate(dir, foldersOf(dir, project), { who: 'seglens export', roots: [{ dir: dirname(out), what: 'the folder of the package' }], outsideOnly: true });
      })()
    : await WriteGate.open({ who: 'seglens export', roots: [{ dir: dirname(out), what: 'the folder of the package' }] });
  await (kind === 'zip' ? gate.target(out) : gate.folder(stage));

  // ---- the expected output, by the same tiled prediction as `seglens predict` (one tile here)
  const backend = await selectBackend({ ...(o.backend ? { prefer: o.backend } : {}), allowCpu: true });
  say(formatBackendChoice(backend));
  say(`predicting the test tensor: ${size} x ${size} crop of ${sampleFile} at x ${x0}, y ${y0}`);
  const loaded = await loadModel(info.dir);
  let probs: Float32Array;
  let labels;
  try {
    const pred = await predictImage(loaded.model, { width: size, height: size, channels: raw.channels, data: normalised.data }, { head: cfg.head, numClasses: cfg.numClasses, tile: size, overlap: 0 });
    probs = pred.probs;
    labels = pred.labels;
  } finally {
    loaded.model.dispose();
  }

  // ---- the files
  say('writing the ONNX graph and the TensorFlow.js model');
  const version = await seglensVersion();
  const classNames = meta.classTable.classes.map((c) => c.name);
  const channelNames = identifiers(classNames);
  const onnx = unetToOnnx(cfg, weights, {
    producerVersion: version,
    doc: `seglens U-Net; classes ${classNames.join(', ')}; input normalised to 0..1 (see rdf.yaml)`,
    metadata: { classes: JSON.stringify(classNames), normalization: JSON.stringify(meta.normalization) },
  });
  const tfjs = await unetToTfjs(cfg, weights, `seglens ${version}`);
  const tfjsZip = writeZip([
    { name: TFJS_MODEL_FILE, data: new TextEncoder().encode(tfjs.modelJson) },
    { name: TFJS_WEIGHTS_FILE, data: tfjs.weights },
  ]);
  const pixels = size * size;
  const inputPlanes = raw.bitDepth === 16 ? planar(raw.data as Uint16Array, pixels, raw.channels, (n) => new Uint16Array(n)) : planar(raw.data as Uint8Array, pixels, raw.channels, (n) => new Uint8Array(n));
  const testInput = encodeNpy(inputPlanes, [1, raw.channels, size, size]);
  const testOutput = encodeNpy(planar(probs, pixels, cfg.numClasses, (n) => new Float32Array(n)), [1, cfg.numClasses, size, size]);
  const sampleTif = await encodeTiff({ data: raw.data, width: size, height: size, channels: raw.channels });
  const cover = await coverImage({ width: size, height: size, channels: raw.channels, data: normalised.data }, labels, meta.classTable);

  const toFill: string[] = [];
  const authors = o.authors?.length ? o.authors : [{ name: `${FILL_IN}: author name` }];
  if (!o.authors?.length) toFill.push('authors (--author)');
  const cite = o.dataCite ?? {};
  if (!cite.url && !cite.doi) toFill.push('training_data.cite (--data-cite, --data-url or --data-doi)');
  const projectName = projectDir ? basename(projectDir) : 'unknown project';
  const name = modelName(o.name ?? `seglens U-Net ${projectName} ${classNames.filter((c) => c !== meta.classTable.background).join(' ')}`);
  const lineage = runDir ? await lineageOf(runDir) : [];
  const counts = split ? { train: split.train.length, val: split.val.length, test: split.test.length } : null;
  const fgFractions = split ? split.stats.train.fractions.map((f, i) => `${classNames[i]} ${f === null ? 'n/a' : (100 * f).toFixed(1) + ' %'}`).join(', ') : null;
  const halo = runCfg ? Math.floor(runCfg.validation.overlap / 2) : 0;
  const minSize = Math.max(m, Math.ceil((2 * halo + m) / m) * m);
  const files = {
    testInput: { source: PACKAGE_FILES.testInput, sha256: sha256(testInput) },
    testOutput: { source: PACKAGE_FILES.testOutput, sha256: sha256(testOutput) },
    sampleInput: { source: PACKAGE_FILES.sampleInput, sha256: sha256(sampleTif) },
    cover: PACKAGE_FILES.cover,
    readme: PACKAGE_FILES.readme,
    onnx: { source: PACKAGE_FILES.onnx, sha256: sha256(onnx) },
    tfjs: { source: PACKAGE_FILES.tfjs, sha256: sha256(tfjsZip) },
  };
  const sample = { image: basename(sampleFile), x: x0, y: y0, size };
  const rdf = buildRdf({
    name,
    description:
      o.description ??
      `U-Net for semantic segmentation of ${cfg.inputChannels === 1 ? 'grey' : 'RGB'} microscopy images into ${classNames.join(', ')} (background: ${meta.classTable.background}), trained with seglens${best ? `; validation mean foreground Dice ${best.val.meanForegroundDice?.toFixed(3) ?? 'n/a'}` : ''}.`,
    authors,
    license: o.license ?? 'CC-BY-4.0',
    config: cfg,
    normalization: meta.normalization,
    ...(meta.datasetRange ? { datasetRange: meta.datasetRange } : {}),
    classTable: meta.classTable,
    channelNames,
    inputType: raw.bitDepth === 16 ? 'uint16' : 'uint8',
    halo: minSize <= size ? halo : 0,
    minSize: minSize <= size ? minSize : m,
    step: m,
    files,
    onnxOpset: ONNX_OPSET,
    tensorflowVersion: tfjsVersion(),
    seglensVersion: version,
    trainingData: {
      name: `${projectName} (seglens project)`,
      description:
        `${counts ? `${counts.train} training, ${counts.val} validation and ${counts.test} test image(s)` : 'Images'} of project ${projectName}, masks with classes ${classNames.join(', ')}` +
        `${fgFractions ? `; class shares of the training pixels: ${fgFractions}` : ''}.`,
      cite: { text: cite.text ?? `${FILL_IN}: the publication or repository of the training images of ${projectName}`, ...(cite.url ? { url: cite.url } : {}), ...(cite.doi ? { doi: cite.doi } : {}) },
    },
    seglens: {
      version,
      run: runDir ? basename(runDir) : null,
      checkpoint: basename(info.dir),
      lineage,
      model: { ...cfg },
      normalization: { ...meta.normalization, ...(meta.normalization.range ? { range: [...meta.normalization.range] } : {}) },
      ...(meta.datasetRange ? { dataset_range: { ...meta.datasetRange } } : {}),
      class_table: { classes: meta.classTable.classes.map((c) => ({ name: c.name, values: [...c.values], color: c.color })), background: meta.classTable.background, ignore: [...meta.classTable.ignore] },
      channel_names: Object.fromEntries(channelNames.map((id, i) => [id, classNames[i]])),
      ...(best ? { best_epoch: best.epoch, validation_mean_foreground_dice: best.val.meanForegroundDice } : {}),
      test_tensor: { image: sample.image, x: x0, y: y0, size },
      // Overlapping classes: each output channel is cut at its own threshold, never a shared 0.5.
      ...(meta.overlapping && meta.thresholds
        ? { overlapping: true, thresholds: { rule: meta.thresholds.rule, ...Object.fromEntries(meta.classTable.classes.map((c, k) => [c.name, meta.thresholds!.values[k]])) } }
        : {}),
    },
    tags: ['seglens', 'unet', 'unet2d', 'semantic-segmentation', '2d', 'microscopy', 'onnx', 'tensorflow-js', ...channelNames.slice(0, 8).map((c) => c.toLowerCase())],
    timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  const rdfText = toYaml(rdf.value, {
    header: `bioimage.io model description written by seglens ${version}${runDir ? ` from run ${basename(runDir)}` : ''}.${toFill.length ? `\nFill in before sharing: ${toFill.join('; ')}.` : ''}`,
    comments: rdf.comments,
  });
  const doc = readme({
    name,
    config: cfg,
    classTable: meta.classTable,
    channelNames,
    normalization: meta.normalization,
    ...(meta.datasetRange ? { datasetRange: meta.datasetRange } : {}),
    best,
    epochs: history.length || null,
    run: runDir ? { id: basename(runDir), ...(runCfg ? { loss: runCfg.loss, patch: runCfg.patch } : {}), lineage } : null,
    split: counts,
    sample,
    minSize: minSize <= size ? minSize : m,
    step: m,
    halo: minSize <= size ? halo : 0,
    files: { onnx: PACKAGE_FILES.onnx, tfjs: PACKAGE_FILES.tfjs, testInput: PACKAGE_FILES.testInput, testOutput: PACKAGE_FILES.testOutput },
    toFill,
    ...(meta.overlapping && meta.thresholds ? { thresholds: { rule: meta.thresholds.rule, values: [...meta.thresholds.values] } } : {}),
  });
  const entries = [
    { name: PACKAGE_FILES.rdf, data: new TextEncoder().encode(rdfText) },
    { name: PACKAGE_FILES.readme, data: new TextEncoder().encode(doc) },
    { name: PACKAGE_FILES.cover, data: new Uint8Array(cover) },
    { name: PACKAGE_FILES.onnx, data: onnx },
    { name: PACKAGE_FILES.tfjs, data: tfjsZip },
    { name: PACKAGE_FILES.testInput, data: testInput },
    { name: PACKAGE_FILES.testOutput, data: testOutput },
    { name: PACKAGE_FILES.sampleInput, data: new Uint8Array(sampleTif) },
  ];
  say(`writing ${kind === 'zip' ? 'the archive' : 'the folder'} ${out}`);
  if (kind === 'zip') await gate.writeFile(out, writeZip(entries));
  else {
    await gate.mkdirNew(stage);
    try {
      for (const e of entries) await gate.writeFile(join(stage, e.name), e.data);
      if (existsSync(out)) throw new ConfigError(`${out} appeared while the package was written; it is left as it is and the package is in ${stage}.`, { out });
      await gate.rename(stage, out);
    } catch (e) {
      if (!(e instanceof ConfigError)) await gate.remove(stage).catch(() => undefined);
      throw e;
    }
  }
  return {
    out,
    kind,
    files: Object.fromEntries(entries.map((e) => [e.name, { bytes: e.data.length, sha256: sha256(e.data) }])),
    toFill,
    sample,
  };
}
