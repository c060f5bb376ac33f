// `seglens report RUN`: the per-class report of a training run. The run's best weights predict the
// validation (and test) images through the same tiled prediction the trainer validated with; the
// metrics module scores them; the audit looks at the data, the split, the history and the
// predictions; src/seg/report renders it all. Output, in `outDir` (default RUN/report/):
//   report.html              self-contained, opens offline
//   report.json              every figure of the HTML (evaluations exactly as `seglens eval --json`)
//   per_image_class.csv      counts and figures per split x image x class
//   predictions/<split>/<stem>.png   the predicted masks in the class table's stored values, so
//                            `seglens eval --gt ... --pred predictions/val` reproduces report.json
//   report.pdf               with { pdf: true } where Chromium is installed
// The data checks (masks, pairing, unlabelled share) cover every pair of the project, as `seglens
// inspect` runs them, so a finding inspect shows is a finding the report lists; the prediction
// checks cover the evaluated split(s).
// Everything is written through one write gate: inside the project or the run folder (never through
// a run folder that is a link out of the project), or in the --out folder the user named; never
// among the project's images or masks. It is checked before the first prediction.
import { basename, join, relative, resolve } from 'node:path';
import { runAudit } from '../seg/audit/index.ts';
import type { Finding, FindingId, PredictionChecksResult } from '../seg/audit/index.ts';
import type { CheckId } from '../seg/checks.ts';
import { PredictionChecks } from '../seg/audit/index.ts';
import type { ClassTable } from '../seg/classes.ts';
import { inspectDataset, openDataset, readPairLabels } from '../seg/dataset/index.ts';
import type { Dataset } from '../seg/dataset/index.ts';
import { ConfigError } from '../seg/errors.ts';
import type { EpochRecord } from '../seg/history.ts';
import { readImage } from '../seg/image-io.ts';
import { writeLabelMask } from '../seg/mask-write.ts';
import { Accumulator, MultiLabelAccumulator } from '../seg/metrics/index.ts';
import type { EvalResult } from '../seg/metrics/index.ts';
import { normalize } from '../seg/normalize.ts';
import type { Problem } from '../seg/problems.ts';
import { foldersOf, naturalCompare, projectGate } from '../seg/project/index.ts';
import type { Pair } from '../seg/project/index.ts';
import { buildReportData, imageThumbnails, perImageClassCsv, renderReportHtml, reportJson, SPLIT_LABELS } from '../seg/report/index.ts';
import type { EvalSplit, FindingScope, ReportData, ReportInput, RunInfo, ScopedFinding, ThumbnailSet } from '../seg/report/index.ts';
import type { SplitManifest } from '../seg/split/index.ts';
import type { LabelMap, RawImage } from '../seg/types.ts';
import type { WriteGate } from '../seg/write-gate.ts';
import { formatBackendChoice, selectBackend } from '../train/backend/select.ts';
import type { BackendCandidate } from '../train/backend/select.ts';
import { chanceLossOf } from '../train/losses/cross-entropy.ts';
import { inspectModel, loadModel } from '../train/predict/model-io.ts';
import type { LoadedModel } from '../train/predict/model-io.ts';
import { predictImage } from '../train/predict/tiled.ts';
import { modelThresholds, predictedClassView, thresholdProbs, writeClassMasks } from '../train/predict/overlap-output.ts';
import { RUN_FILES, RunFolder } from '../train/trainer/run-folder.ts';
import type { TrainConfig } from '../train/trainer/config.ts';
import { htmlToPdf } from './report-pdf.ts';
import { REPORT_FILES } from './report-files.ts';

export { REPORT_FILES };

/** Which part of the work a finding is about, by id (the audit's findings carry no scope). */
type Scope = 'data' | 'split' | 'training' | 'predictions';
// Every audit finding has its scope (checked: satisfies); a data problem's id has none here and is
// about the data.
const SCOPE_OF: Partial<Record<CheckId, Scope>> = {
  'background-dominated': 'predictions',
  'below-baseline': 'predictions',
  'class-never-predicted': 'predictions',
  'deceptive-images': 'predictions',
  'small-objects-missed': 'predictions',
  'segmentation-bias': 'predictions',
  'threshold-problem': 'predictions',
  'cooccurrence-shortcut': 'predictions',
  'class-missing-in-split': 'split',
  'split-imbalance': 'split',
  'split-leakage': 'split',
  'split-share-unmet': 'split',
  'mask-unknown-values': 'data',
  'mask-interpolated': 'data',
  'lossy-mask': 'data',
  'ignored-share': 'data',
  'pairing-suspect': 'data',
  'metric-mismatch': 'training',
  'not-learning': 'training',
  collapsed: 'training',
  diverged: 'training',
  overfitting: 'training',
} satisfies Record<FindingId, Scope>;

/** Findings of one audit call with their scope; prediction findings take the split's. */
export function scopeFindings(findings: readonly Finding[], split: EvalSplit): ScopedFinding[] {
  return findings.map((f) => {
    // A history check says which mode judged it (class-never-predicted comes from both sides).
    const s = f.evidence.mode !== undefined ? 'training' : (SCOPE_OF[f.id] ?? 'data');
    const scope: FindingScope = s === 'predictions' ? split : s;
    return { ...f, scope };
  });
}

/** Where the gallery's pixels come from: only the images shown are read again. */
export type GallerySource = (split: EvalSplit, image: string) => Promise<{ image: RawImage; gt: LabelMap; pred: LabelMap; bits?: { gt: LabelMap; pred: LabelMap } } | undefined>;

export interface WriteReportOptions {
  /** Where the report may be written (see exportReport). */
  gate: WriteGate;
  /** Pixels of the gallery images; without it the HTML shows no thumbnails. */
  images?: GallerySource;
  thumbnailSize?: number;
  pdf?: boolean;
}

export interface WrittenReport {
  outDir: string;
  html: string;
  json: string;
  csv: string;
  /** The PDF written, or why none was. */
  pdf?: { ok: true; file: string } | { ok: false; reason: string };
  data: ReportData;
}

/** Renders `input` into outDir: report.json, per_image_class.csv, report.html (and report.pdf). */
export async function writeReport(input: ReportInput, outDir: string, o: WriteReportOptions): Promise<WrittenReport> {
  const dir = resolve(outDir);
  await o.gate.mkdir(dir);
  const data = buildReportData(input);
  const thumbs: ThumbnailSet = {};
  if (o.images) {
    for (const ev of data.evaluations) {
      const own: Record<string, Awaited<ReturnType<typeof imageThumbnails>>> = {};
      for (const g of ev.gallery) {
        const px = await o.images(ev.split, g.image);
        if (px) own[g.image] = await imageThumbnails({ ...px, table: input.classes, size: o.thumbnailSize });
      }
      thumbs[ev.split] = own;
    }
  }
  const files = { html: join(dir, REPORT_FILES.html), json: join(dir, REPORT_FILES.json), csv: join(dir, REPORT_FILES.csv) };
  await o.gate.writeFile(files.json, reportJson(data));
  await o.gate.writeFile(files.csv, perImageClassCsv(input.evaluations));
  await o.gate.writeFile(files.html, renderReportHtml(data, thumbs));
  const pdf = o.pdf ? await htmlToPdf(o.gate, files.html, join(dir, REPORT_FILES.pdf)) : undefined;
  return { outDir: dir, ...files, ...(pdf ? { pdf } : {}), data };
}

export interface ExportReportOptions {
  /** Default RUN/report. */
  outDir?: string;
  pdf?: boolean;
  /** Held-out splits to evaluate; default val, and test when the split has test images. */
  splits?: EvalSplit[];
  galleryLimit?: number;
  thumbnailSize?: number;
  /** Write the predicted masks to outDir/predictions/<split>/ (default true). */
  writePredictions?: boolean;
  backend?: BackendCandidate;
  /** Progress: stage name, done, total. */
  onProgress?: (stage: string, done: number, total: number) => void;
  /** Informational lines (backend chosen, model read). */
  onInfo?: (line: string) => void;
  /** Time stamp written into the report (default now). */
  now?: Date;
}

export interface ExportedReport extends WrittenReport {
  runId: string;
  findings: ScopedFinding[];
  /** Per split: the folder of predicted masks (when written). */
  predictions: Partial<Record<EvalSplit, string>>;
  /** Problems met while reading images and masks (the images concerned are not evaluated). */
  problems: Problem[];
}

interface SplitEvaluation {
  split: EvalSplit;
  result: EvalResult;
  /** Overlapping classes: the same predictions scored at other thresholds (no new prediction). */
  atThresholds?: (values: readonly number[]) => EvalResult;
  checks: PredictionChecksResult;
  preds: Map<string, LabelMap>;
  /** Overlapping classes: the predictions as class bits, for per-class error maps. */
  predBits: Map<string, LabelMap>;
  pairs: Map<string, Pair>;
}

interface Predictor {
  loaded: LoadedModel;
  cfg: TrainConfig;
}

/** Predicts and scores the images of one split, in the order `seglens eval` reads them. */
async function evaluateSplit(
  split: EvalSplit,
  names: readonly string[],
  ds: Dataset,
  p: Predictor,
  sinks: { gate: WriteGate; problems: Problem[]; predDir?: string; onProgress?: ExportReportOptions['onProgress'] },
): Promise<SplitEvaluation> {
  const table = p.loaded.meta.classTable;
  const byName = new Map(ds.pairs.map((x) => [x.name, x]));
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) {
    throw new ConfigError(`The run's split names ${missing.length} ${split} image(s) the project no longer has (${missing.slice(0, 3).join(', ')}). Restore them or train again.`, { missing });
  }
  const pairs = names.map((n) => byName.get(n)!).sort((a, b) => naturalCompare(a.name, b.name));
  const { meta } = p.loaded;
  // Overlapping classes: each class scored as its own binary target at the model's threshold.
  const thresholds = meta.overlapping ? modelThresholds(meta, p.loaded.dir) : null;
  const multi = thresholds ? new MultiLabelAccumulator(table, thresholds) : null;
  const acc = new Accumulator(table);
  const checks = new PredictionChecks(table);
  const preds = new Map<string, LabelMap>();
  const predBits = new Map<string, LabelMap>();
  const v = p.cfg.validation;
  const project = ds.project;
  if (sinks.predDir) await sinks.gate.mkdir(sinks.predDir);
  for (const [i, pair] of pairs.entries()) {
    sinks.onProgress?.(`predict ${split}`, i, pairs.length);
    const raw = await readImage(pair.image, { page: project.imagePage, ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}) });
    const gt = await readPairLabels(project, pair, (f) => relative(ds.dir, f) || f);
    if (raw.width !== gt.labels.width || raw.height !== gt.labels.height) {
      sinks.problems.push({
        code: 'size-mismatch',
        severity: 'error',
        file: pair.mask,
        message: `${pair.image} is ${raw.width}x${raw.height} but its mask is ${gt.labels.width}x${gt.labels.height}; this image is not evaluated.`,
        hint: 'Run seglens inspect on the project.',
      });
      continue;
    }
    const n = normalize(raw, meta.normalization, meta.datasetRange);
    const out = await predictImage(p.loaded.model, n, { tile: v.tile, overlap: v.overlap, batch: v.batch, head: meta.config.head, numClasses: table.classes.length });
    let pred = out.labels;
    if (multi && thresholds && gt.overlap) {
      const bits = thresholdProbs(out.probs, n.width, n.height, thresholds);
      multi.add(pair.name, gt.overlap.multi, out.probs);
      pred = predictedClassView(bits, meta);
      predBits.set(pair.name, bits);
      if (sinks.predDir) await writeClassMasks(sinks.gate, sinks.predDir, pair.name, meta, bits);
    } else {
      acc.add(pair.name, gt.labels, pred);
      checks.add(pair.name, gt.labels, pred);
    }
    preds.set(pair.name, pred);
    if (sinks.predDir) await writeLabelMask(sinks.gate, join(sinks.predDir, `${pair.name}.png`), pred, table);
    await new Promise<void>((r) => setImmediate(r));
  }
  sinks.onProgress?.(`predict ${split}`, pairs.length, pairs.length);
  return {
    split,
    result: multi ? multi.result() : acc.result(),
    ...(multi ? { atThresholds: (values: readonly number[]) => multi.result(values) } : {}),
    checks: checks.result(),
    preds,
    predBits,
    pairs: new Map(pairs.map((x) => [x.name, x])),
  };
}

/**
 * The validation figures to compare with training's record: at the thresholds that epoch recorded
 * (overlapping classes whose thresholds were later set by hand would otherwise differ for that
 * reason alone, and metric-mismatch is about figures computed differently, not thresholds moved).
 */
function recomputedAsRecorded(val: SplitEvaluation, recorded: EpochRecord): EvalResult {
  const th = recorded.val.classes.map((c) => c.threshold);
  if (!val.atThresholds || th.some((t) => t === undefined || t === null)) return val.result;
  return val.atThresholds(th as number[]);
}

function splitSummary(m: SplitManifest): ReportInput['split'] {
  return {
    classNames: m.classNames,
    background: m.background,
    all: m.stats.all,
    splits: { train: m.stats.train, val: m.stats.val, test: m.stats.test },
    settings: { seed: m.seed, val: m.fractions.val, test: m.fractions.test, groupPattern: m.groupPattern, created: m.created },
  };
}

function bestRecord(history: readonly EpochRecord[], bestEpoch: number | null): EpochRecord | undefined {
  const marked = [...history].reverse().find((e) => e.monitor.best);
  return (bestEpoch !== null ? history.find((e) => e.epoch === bestEpoch) : undefined) ?? marked;
}

/**
 * The report's write gate, with every file it will write checked before any prediction is made:
 * the project and the run folder (confined to the project when it lies in it), or the --out folder.
 */
async function reportGate(ds: Dataset, runDir: string, outDir: string, named: boolean, splits: readonly EvalSplit[], predictions: boolean): Promise<WriteGate> {
  const gate = await projectGate(ds.dir, foldersOf(ds.dir, ds.project), {
    who: 'seglens report',
    roots: [{ dir: runDir, what: 'the run folder' }, ...(named ? [{ dir: outDir, what: 'the --out folder' }] : [])],
    pairs: ds.pairs,
  });
  await gate.folder(outDir);
  for (const f of Object.values(REPORT_FILES)) if (f !== REPORT_FILES.predictions) await gate.target(join(outDir, f));
  if (predictions) for (const s of splits) await gate.folder(join(outDir, REPORT_FILES.predictions, s));
  return gate;
}

/** The report of a training run folder; see the file comment for what is written. */
export async function exportReport(runDir: string, opts: ExportReportOptions = {}): Promise<ExportedReport> {
  const run = RunFolder.open(runDir);
  const [cfg, info, manifest, history] = await Promise.all([run.readConfig(), run.readInfo(), run.readSplit(), run.readHistory()]);
  const outDir = resolve(opts.outDir ?? join(run.dir, RUN_FILES.report));
  // The model's class table is the one the run was trained with, whatever the project says now.
  const table: ClassTable = (await inspectModel(run.dir)).meta.classTable;
  const ds = await openDataset(info.project, { classes: table });
  const splits = opts.splits ?? (manifest.test.length > 0 ? (['val', 'test'] as EvalSplit[]) : (['val'] as EvalSplit[]));
  const gate = await reportGate(ds, run.dir, outDir, opts.outDir !== undefined, splits, opts.writePredictions !== false);
  const backend = await selectBackend({ ...(opts.backend ? { prefer: opts.backend } : {}), allowCpu: true });
  opts.onInfo?.(formatBackendChoice(backend));
  const loaded = await loadModel(run.dir);
  opts.onInfo?.(`model ${loaded.dir} (${table.classes.map((c) => c.name).join(', ')})`);
  try {
    // The data checks of `seglens inspect`, over every pair of the project (excluded ones too: the
    // report says why they were left out).
    const data = await inspectDataset(ds, { onProgress: (d, t) => opts.onProgress?.('check the data', d, t) });
    const problems: Problem[] = [];
    const predictions: Partial<Record<EvalSplit, string>> = {};
    const evals: SplitEvaluation[] = [];
    for (const split of splits) {
      const names = manifest[split];
      if (names.length === 0) continue;
      const predDir = opts.writePredictions === false ? undefined : join(outDir, REPORT_FILES.predictions, split);
      if (predDir) predictions[split] = predDir;
      evals.push(await evaluateSplit(split, names, ds, { loaded, cfg }, { gate, problems, predDir, onProgress: opts.onProgress }));
    }
    if (evals.length === 0) throw new ConfigError(`The run's split has no ${splits.join(' or ')} images: nothing to report on.`, { run: run.dir });

    opts.onProgress?.('audit', 0, 1);
    const val = evals.find((e) => e.split === 'val');
    const recorded = bestRecord(history, info.bestEpoch);
    const first = evals[0];
    const findings: ScopedFinding[] = [
      ...scopeFindings(
        runAudit({
          eval: first.result,
          ...(loaded.meta.overlapping ? {} : { predictions: first.checks }),
          split: manifest.warnings as Problem[],
          ...(history.length ? { history, historyOptions: { chanceLoss: chanceLossOf(cfg.loss, table.classes.length, cfg.model.head) } } : {}),
          ...(recorded && val ? { recorded, recomputed: recomputedAsRecorded(val, recorded) } : {}),
        }),
        first.split,
      ),
      // The data's findings (its problems among them) as the audit's: whether they would block
      // training is the training gate's business, not the report's.
      ...scopeFindings(data.findings.map(({ blocking: _blocking, ...f }) => f), first.split),
      ...evals.slice(1).flatMap((e) => scopeFindings(runAudit({ eval: e.result, ...(loaded.meta.overlapping ? {} : { predictions: e.checks }) }), e.split)),
    ];
    opts.onProgress?.('audit', 1, 1);

    const last = info.sessions[info.sessions.length - 1];
    const runInfo: RunInfo = {
      id: run.id,
      dir: run.dir,
      checkpoint: info.bestEpoch !== null ? `best (epoch ${info.bestEpoch})` : 'best',
      backend: `${last.backend.name} (${last.backend.package}) for training; ${backend.name} (${backend.package}) for the report's predictions`,
      versions: info.versions,
      seeds: { ...cfg.seeds, splitManifest: manifest.seed },
      config: cfg as unknown as Record<string, unknown>,
      started: info.sessions[0].started,
      ...(last.ended ? { finished: `${last.ended} (${last.status})` } : {}),
      ...(info.parent ? { parent: info.parent } : {}),
    };
    const input: ReportInput = {
      title: `Segmentation report: ${basename(info.project)}, run ${run.id}`,
      generated: (opts.now ?? new Date()).toISOString(),
      classes: table,
      dataset: {
        name: basename(info.project),
        dir: info.project,
        images: ds.pairs.length,
        excluded: (info.excluded ?? [...ds.excluded].map(([image, reason]) => ({ image, reason }))).map((e) => ({ name: e.image, reason: e.reason })),
      },
      split: splitSummary(manifest),
      history,
      run: runInfo,
      // Overlapping classes: object recall and edge checks read class-id maps, which would blur the
      // classes into one another; they are left out rather than shown wrong.
      evaluations: evals.map((e) => ({ split: e.split, result: e.result, ...(loaded.meta.overlapping ? {} : { objects: e.checks.objects }) })),
      ...(loaded.meta.thresholds ? { thresholds: { rule: loaded.meta.thresholds.rule, values: loaded.meta.thresholds.values } } : {}),
      findings,
      audited: [
        `the masks of all ${ds.pairs.length} images`,
        `the image/mask pairing of all ${ds.pairs.length} images`,
        'the split',
        ...(history.length ? ['the training history'] : []),
        ...evals.map((e) => `the ${SPLIT_LABELS[e.split].toLowerCase()} predictions`),
      ],
      galleryLimit: opts.galleryLimit,
    };
    const source: GallerySource = async (split, name) => {
      const ev = evals.find((e) => e.split === split);
      const pair = ev?.pairs.get(name);
      const pred = ev?.preds.get(name);
      if (!pair || !pred) return undefined;
      const image = await readImage(pair.image, { page: ds.project.imagePage, ...(ds.project.maxPixels ? { maxPixels: ds.project.maxPixels } : {}) });
      const gt = await readPairLabels(ds.project, pair);
      const bits = ev?.predBits.get(name);
      return { image, gt: gt.labels, pred, ...(bits && gt.overlap ? { bits: { gt: gt.overlap.multi, pred: bits } } : {}) };
    };
    opts.onProgress?.('render', 0, 1);
    const written = await writeReport(input, outDir, { gate, images: source, thumbnailSize: opts.thumbnailSize, pdf: opts.pdf });
    opts.onProgress?.('render', 1, 1);
    // In the report's order (most serious first), as report.json lists them.
    return { ...written, runId: run.id, findings: written.data.findings, predictions, problems };
  } finally {
    loaded.model.dispose();
  }
}
