// `seglens predict RUN_OR_MODEL IMAGES... --out DIR`: label masks (and probability maps) for image
// files or folders, through the same tiled prediction the trainer validates with. Everything that
// can be checked without a backend (model folder, weights present, tile size, image paths) is
// checked first; then the backend is chosen and named; `DIR/predict.json` records what was done.
// Exit 0 when every image was predicted, 1 when some were not (each one is reported), 2 on a usage
// or model error.
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../../seg/errors.ts';
import { DEFAULT_MAX_PIXELS } from '../../seg/image-io.ts';
import { formatProblem } from '../../seg/problems.ts';
import { BACKEND_CANDIDATES } from '../../train/backend/candidates.ts';
import type { BackendCandidate } from '../../train/backend/candidates.ts';
import { sizeMultiple } from '../../train/model/config.ts';
import { DEFAULT_BATCH, DEFAULT_TILE, PROBS_FOLDER } from '../../train/predict/defaults.ts';
import { printJson, progressBar } from '../output.ts';
import { threadsOption } from './common.ts';

interface PredictFlags {
  out: string;
  probs?: boolean;
  tile?: number;
  overlap?: number;
  batch?: number;
  page?: number;
  maxPixels?: number;
  backend?: BackendCandidate;
  threads?: number | true;
  allowSoftwareGpu?: boolean;
  json?: boolean;
}

/** A whole-number option of at least `min`, naming the option in the error. */
function intOption(name: string, min: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${name} takes a whole number of at least ${min}, not "${v}".`);
    }
    return n;
  };
}

/** Tile and overlap against the model's size multiple, before any work starts. */
function checkTiling(tile: number, overlap: number, multiple: number, depth: number): void {
  if (tile % multiple !== 0) {
    const lower = Math.max(multiple, Math.floor(tile / multiple) * multiple);
    const upper = Math.ceil(tile / multiple) * multiple;
    throw new ConfigError(
      `--tile ${tile} is not a multiple of ${multiple} (2^depth; this model has depth ${depth}): use ${lower === upper ? lower : `${lower} or ${upper}`}.`,
      { tile, multiple },
    );
  }
  if (overlap >= tile) throw new ConfigError(`--overlap ${overlap} must be smaller than the tile (${tile} pixels).`, { tile, overlap });
}

export function registerPredict(program: Command, setExit: (code: number) => void): void {
  program
    .command('predict')
    .description('predict label masks (and per-class probability maps) for images with a trained model, by blended tiles')
    .argument('<model>', 'a training run folder runs/<id>/ (its best checkpoint) or a model folder with model.json and weights.bin')
    .argument('<images...>', 'image files and/or folders of images')
    .requiredOption('--out <dir>', 'folder for the label masks <stem>.png (created if needed)')
    .option('--probs', `also write ${PROBS_FOLDER}/<stem>_<class>.png: 16-bit probability maps (65535 = 1)`)
    .option('--tile <n>', `largest tile side in pixels, a multiple of 2^depth; tiles shrink to fit the image (default: the run's validation tile, else ${DEFAULT_TILE})`, intOption('--tile', 1))
    .option('--overlap <n>', "pixels shared by neighbouring tiles (default: the run's validation overlap, else tile/4)", intOption('--overlap', 0))
    .option('--batch <n>', `tiles per model call (default ${DEFAULT_BATCH})`, intOption('--batch', 1))
    .option('--page <n>', 'page of multi-page TIFF images (0-based)', intOption('--page', 0))
    .option('--max-pixels <n>', `largest decoded width x height accepted (default ${DEFAULT_MAX_PIXELS}, 8192 x 8192; raise it where the memory allows)`, intOption('--max-pixels', 1))
    .addOption(new Option('--backend <name>', 'try this TensorFlow.js backend first').choices([...BACKEND_CANDIDATES]))
    .addOption(threadsOption())
    .option('--allow-software-gpu', 'accept a software WebGPU adapter (llvmpipe, SwiftShader): for tests, far slower than the CPU path')
    .option('--json', 'print the summary (predict.json) as JSON')
    .action(async (modelPath: string, images: string[], f: PredictFlags) => {
      // Loaded here, not at the top: TensorFlow.js and sharp take a second to load, which
      // `seglens --help` and the other commands should not pay.
      const [{ selectBackend, formatBackendChoice }, { inspectModel, loadModel }, { expandImagePaths, predictFiles }, { predictGate }] = await Promise.all([
        import('../../train/backend/select.ts'),
        import('../../train/predict/model-io.ts'),
        import('../../train/predict/predict-files.ts'),
        import('../../train/predict/output-gate.ts'),
      ]);
      const info = await inspectModel(modelPath);
      const { config } = info.meta;
      // A run is predicted with the tiling of its own validation by default, so that scores of
      // these masks equal the ones training reported for the same images.
      const run = info.validationTiling;
      const tile = f.tile ?? run?.tile ?? DEFAULT_TILE;
      const overlap = f.overlap ?? (f.tile === undefined && run ? run.overlap : Math.floor(tile / 4));
      const batch = f.batch ?? run?.batch ?? DEFAULT_BATCH;
      checkTiling(tile, overlap, sizeMultiple(config), config.depth);
      const files = await expandImagePaths(images);
      // Where predictions may go, checked (with every output name) before a backend is started.
      const gate = await predictGate({ out: f.out, ...(info.from === 'run' ? { runDir: dirname(info.dir) } : {}) });
      await gate.target(resolve(f.out, 'predict.json'));

      // Prediction is not training: the slow pure-JS cpu backend is acceptable as a last resort.
      const backend = await selectBackend({ prefer: f.backend, allowCpu: true, ...(f.threads !== undefined ? { threads: f.threads } : {}), ...(f.allowSoftwareGpu ? { allowSoftwareGpu: true } : {}) });
      const say = (line: string) => (f.json ? console.error(line) : console.log(line));
      say(formatBackendChoice(backend));
      const classes = info.meta.classTable.classes.map((c) => c.name).join(', ');
      say(`model ${info.dir}: U-Net depth ${config.depth}, base ${config.baseFilters}, ${config.head} over ${config.numClasses} classes (${classes}), ${config.inputChannels === 1 ? 'grey' : 'RGB'} input`);
      const tilingFrom = run && f.tile === undefined && f.overlap === undefined ? ", as in the run's validation" : '';
      say(`predicting ${files.length} image(s) -> ${f.out} (tile ${tile}, overlap ${overlap}, batch ${batch}${tilingFrom})`);

      const { model, meta } = await loadModel(info.dir);
      const bar = progressBar('predict', !f.json);
      let result;
      try {
        result = await predictFiles(model, meta, files, {
          gate,
          outDir: f.out,
          writeProbs: f.probs,
          tile,
          overlap,
          batch,
          page: f.page,
          ...(f.maxPixels !== undefined ? { maxPixels: f.maxPixels } : {}),
          onProgress: (d, t, file) => bar.update(d, t, file),
        });
      } finally {
        bar.stop();
        model.dispose();
      }
      const summary = {
        backend: { name: backend.name, package: backend.package, reason: backend.reason, line: formatBackendChoice(backend) },
        model: { path: modelPath, dir: resolve(info.dir), from: info.from, config, classes: meta.classTable.classes.map((c) => c.name), normalization: meta.normalization },
        options: { tile, overlap, batch, probs: Boolean(f.probs), page: f.page ?? 0, tilingFromRun: Boolean(tilingFrom) },
        files: result.predicted,
        problems: result.problems,
        seconds: result.seconds,
        imagesPerSecond: result.predicted.length / Math.max(result.seconds, 1e-9),
      };
      await gate.writeJson(resolve(f.out, 'predict.json'), summary);
      if (f.json) printJson(summary);
      else {
        const n = result.predicted.length;
        console.log(
          `predicted ${n} of ${files.length} image(s) in ${result.seconds.toFixed(1)} s (${summary.imagesPerSecond.toFixed(2)} images/s); ` +
            `masks in ${f.out}${f.probs ? `, probability maps in ${resolve(f.out, PROBS_FOLDER)}` : ''}`,
        );
        if (info.meta.overlapping && info.meta.thresholds) {
          const th = info.meta.classTable.classes.map((c, k) => `${c.name} ${info.meta.thresholds!.values[k].toFixed(3)}`).join(', ');
          console.log(`overlapping classes: one 0/255 mask per class in ${f.out}/<class>/, each at the threshold stored with the model (${info.meta.thresholds.rule}): ${th}`);
        }
        if (result.problems.length) console.log('\nProblems (these images were not predicted)\n' + result.problems.map((p) => '  ' + formatProblem(p)).join('\n'));
      }
      if (result.predicted.length === 0) console.error('seglens predict: no image could be predicted.');
      setExit(result.problems.length ? 1 : 0);
    });
}
