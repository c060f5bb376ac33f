// One valid example of every payload of the contract: params and result of every method, payload
// of every event. Typed against the contract, so a new method or event without a sample does not
// compile, and the schema tests cover it automatically.
import type { ContractEvents, EventName, MethodName } from '../../src/api/index.ts';

const classes = [
  { id: 0, name: 'background', color: '#000000', isBackground: true },
  { id: 1, name: 'nucleus', color: '#3cb44b', isBackground: false },
];
const summary = {
  dir: '/data/p',
  title: 'p',
  isDemo: false,
  projectFile: '/data/p/seglens.json',
  classes,
  imageCount: 2,
  problemCount: 0,
  editedMasksDir: 'masks-edited',
  readOnly: null,
  splitFile: null,
};
const problem = { code: 'size-mismatch', severity: 'error' as const, file: 'masks/a.png', message: 'a.png is 10x10, its image 12x12.', hint: 'Fix the mask.' };
export const epochRecord = {
  epoch: 1,
  trainLoss: 0.5,
  valLoss: null,
  lr: 0.001,
  seconds: 2.5,
  steps: 50,
  val: {
    meanForegroundDice: 0.7,
    meanForegroundIoU: 0.6,
    meanDiceWithBackground: 0.8,
    channelSummedDice: 0.9,
    pixelAccuracy: 0.9,
    allBackgroundAccuracy: 0.8,
    classes: [{ name: 'nucleus', dice: 0.7, iou: 0.6, predictedShare: 0.2, trueShare: 0.2 }],
  },
  monitor: { name: 'meanForegroundDice', value: 0.7, best: true },
};
const runSummary = {
  runId: '20261122-061502-3fa9',
  createdAt: '2026-11-22T06:15:02.000Z',
  status: 'finished' as const,
  epochs: 3,
  bestEpoch: 2,
  best: { name: 'meanForegroundDice', value: 0.7 },
  backend: { name: 'wasm', reason: 'SIMD' },
  predictions: 2,
  canResume: true,
  hasBest: true,
  split: { train: 8, val: 2, test: 0 },
};
const cell = { dice: 0.5, iou: null, precision: 1, recall: 0.25, tp: 1, fp: 0, fn: 3, gtPixels: 4, predPixels: 1 };
const metricRow = {
  name: 'a',
  split: 'val',
  cells: [cell, cell],
  meanForegroundDice: 0.5,
  meanDiceWithBackground: null,
  pixelAccuracy: 0.9,
  allBackgroundAccuracy: 0.8,
  inclusiveScore: 0.9,
  deceptive: false,
  fault: { classId: 1, dice: 0.5, kind: 'partial' },
};
const imageHeader = {
  kind: 'image' as const,
  name: 'a',
  width: 2,
  height: 1,
  channels: 1 as const,
  bitDepth: 16 as const,
  dtype: 'uint16' as const,
  min: 0,
  max: 4000,
  display: { lo: 10, hi: 3000 },
};
const maskHeader = { kind: 'mask' as const, name: 'a', width: 2, height: 1, dtype: 'uint8' as const, source: 'imported' as const, file: 'masks/a.png', version: 'imported:abc' };
const predictionHeader = { kind: 'prediction' as const, name: 'a', runId: 'r1', width: 2, height: 1, dtype: 'uint8' as const, epoch: 2 };
const jobStatus = {
  jobId: 'j1',
  runId: 'r1',
  state: 'running' as const,
  epoch: 1,
  epochs: 10,
  backend: { name: 'wasm', reason: 'SIMD' },
  startedAt: '2026-11-22T06:15:02.000Z',
  finishedAt: null,
  etaSeconds: 20,
  lastEpoch: epochRecord,
  reason: null,
  resumeOn: null,
  error: null,
};

export const METHOD_SAMPLES: Record<MethodName, { params: Record<string, unknown>; result: Record<string, unknown> }> = {
  appInfo: { params: {}, result: { version: '0.1.0', project: summary, demoDir: '/home/u/.local/share/seglens/demo', training: { monitor: 'meanForegroundDice', minDelta: 0.001, patience: 10 } } },
  openProject: { params: { dir: '/data/p' }, result: summary },
  openDemo: { params: {}, result: { project: { ...summary, isDemo: true }, generated: true } },
  listImages: {
    params: { runId: 'r1' },
    result: {
      classes,
      images: [
        { name: 'a', imageFile: 'images/a.tif', maskFile: 'masks/a.png', width: 2, height: 1, classPixels: [1, 1], split: 'train', excluded: null, annotation: 'imported', predictions: ['r1'], problemCount: 0 },
        { name: 'b', imageFile: 'images/b.tif', maskFile: 'masks/b.png', width: 2, height: 1, classPixels: [1, 1], split: null, excluded: { reason: 'pairing-suspect' }, annotation: 'imported', predictions: [], problemCount: 1 },
      ],
      splitSource: { kind: 'run', runId: 'r1' },
    },
  },
  inspectProject: {
    params: {},
    result: {
      classes: [{ ...classes[0], pixels: 10, fraction: 0.5, images: 2 }],
      findings: [
        { id: 'pairing-suspect', severity: 'critical', title: 'Image and mask may not belong together', message: 'demo_01 fits the mask of demo_03 better', action: 'Check the pairing.', images: ['demo_01'], blocking: true },
        { id: problem.code, severity: 'critical', title: 'Image and mask of different sizes', message: problem.message, action: problem.hint, images: ['a'], files: [problem.file], evidence: {}, blocking: false },
      ],
      ignored: { pixels: 12, share: 0.01, text: 'Unlabelled / ignored pixels: 1.0 % of all pixels (12 px) in 1 of 2 images; worst demo_01 (2.0 %).' },
      unreadable: [],
      blocking: true,
      excluded: [{ name: 'demo_02', reason: 'mask shifted' }],
    },
  },
  setExclusions: { params: { exclude: [{ name: 'demo_01', reason: 'pairing-suspect' }], include: ['demo_02'] }, result: { excluded: [{ name: 'demo_01', reason: 'pairing-suspect' }] } },
  pickFolder: { params: {}, result: { supported: false, dir: null } },
  browseFolders: {
    params: { dir: '/home/u/data' },
    result: { dir: '/home/u/data', parent: '/home/u', root: '/home/u', isProject: false, hasImagesAndMasks: false, folders: [{ name: 'cells', path: '/home/u/data/cells', isProject: false, hasImagesAndMasks: true }] },
  },
  proposeProject: {
    params: { dir: '/home/u/data/cells', pairing: 'auto' },
    result: {
      dir: '/home/u/data/cells',
      images: 'images',
      masks: 'masks',
      pairing: { rule: 'stem', chosen: 'auto', pairs: 2 },
      maskKind: 'label',
      vector: null,
      objectLayout: null,
      masksRead: 2,
      values: [
        { value: 0, pixels: 90, fraction: 0.9, images: 2, proposedClass: 'value_0' },
        { value: 255, pixels: 10, fraction: 0.1, images: 2, proposedClass: 'value_255' },
      ],
      proposal: { classes: [{ name: 'value_0', values: [0], color: '#000000' }, { name: 'value_255', values: [255] }], background: 'value_0', ignore: [] },
      notes: ['Each of the 2 stored values is its own class.'],
      problems: [],
    },
  },
  createProject: {
    params: { dir: '/home/u/data/cells', images: 'images', masks: 'masks', pairing: 'stem', classes: { classes: [{ name: 'background', values: [0] }, { name: 'cell', values: [255], color: '#e6194b' }], background: 'background', ignore: [] } },
    result: summary,
  },
  previewSplit: {
    params: { valFraction: 0.2, testFraction: 0.1, seed: 3, groupPattern: '^(\\w+)_' },
    result: {
      seed: 3,
      excluded: [{ name: 'b', reason: null }],
      assignments: [{ name: 'a', split: 'train' }],
      sides: [{ split: 'train', images: 1, classPixels: [1, 1], classImages: [1, 1] }],
      findings: [{ id: 'split-leakage', severity: 'warning', title: 'Near-duplicate images kept together', message: 'a and b are near-duplicates, both in train.', action: 'Nothing to do.', images: ['a', 'b'], evidence: { pairs: 1 } }],
    },
  },
  getImagePixels: { params: { name: 'a' }, result: imageHeader },
  getMaskPixels: { params: { name: 'a' }, result: maskHeader },
  getImageOverview: { params: { name: 'a', maxSide: '1' }, result: { ...imageHeader, kind: 'image-overview' as const, width: 1, height: 1, fullWidth: 2, fullHeight: 1, factor: 2 } },
  getMaskOverview: { params: { name: 'a', maxSide: '1' }, result: { kind: 'mask-overview' as const, name: 'a', width: 1, height: 1, dtype: 'uint8' as const, source: 'imported' as const, fullWidth: 2, fullHeight: 1, factor: 2 } },
  prefetchImage: { params: { name: 'a' }, result: {} },
  getPredictionPixels: { params: { runId: 'r1', name: 'a' }, result: predictionHeader },
  getPreviewPixels: { params: { runId: 'r1' }, result: predictionHeader },
  getClassPredictionPixels: {
    params: { runId: 'r1', name: 'a' },
    result: {
      kind: 'class-prediction',
      name: 'a',
      runId: 'r1',
      width: 2,
      height: 1,
      dtype: 'uint16',
      planes: 4,
      probScale: 65535,
      epoch: 3,
      classes: [
        { id: 1, name: 'nucleus', threshold: 0.42 },
        { id: 2, name: 'nucleolus', threshold: 0.3 },
      ],
      annotated: true,
    },
  },
  saveMask: { params: { name: 'a', width: 2, height: 1, baseVersion: 'imported:abc', overwrite: false }, result: { name: 'a', file: 'masks-edited/a.png', version: 'edited:def' } },
  listRuns: { params: {}, result: { runs: [runSummary] } },
  getRun: { params: { runId: 'r1' }, result: { summary: runSummary, history: [epochRecord], config: { epochs: 3 } } },
  setThresholds: {
    params: { runId: 'r1', values: [0.5, 0.42, 0.3] },
    result: {
      epoch: 3,
      rule: 'max-dice-val',
      ruleText: 'per class, the threshold that maximises its validation Dice',
      applied: { rule: 'set-by-hand', values: [0.5, 0.42, 0.3] },
      classes: [
        { name: 'background', isBackground: true, threshold: 0.5, dice: 0.99, auc: 0.99, averagePrecision: 0.99, prevalence: 0.8, curve: [{ threshold: 1, fpr: 0, tpr: 0, precision: null, dice: 0 }] },
        { name: 'nucleus', isBackground: false, threshold: 0.45, dice: 0.9, auc: 0.98, averagePrecision: 0.95, prevalence: 0.18, curve: [{ threshold: 0.5, fpr: 0.01, tpr: 0.9, precision: 0.9, dice: 0.9 }] },
        { name: 'nucleolus', isBackground: false, threshold: 0.31, dice: null, auc: null, averagePrecision: null, prevalence: 0.02, curve: [] },
      ],
    },
  },
  metricsTable: {
    params: { runId: 'r1', split: 'val' },
    result: {
      runId: 'r1',
      classes,
      scope: { split: 'val', splitSource: 'run', scored: 1, unpredicted: ['c'], unannotated: 0, excluded: 1 },
      rows: [metricRow],
      summary: {
        classes: [{ id: 0, dice: 0.9, iou: 0.8, precision: 0.9, recall: 0.9, diceImageMean: 0.9, validImages: 1 }],
        meanForegroundDice: 0.5,
        meanDiceWithBackground: 0.7,
        channelSummedDice: 0.9,
        pixelAccuracy: 0.9,
        baseline: { meanForegroundDice: 0, meanDiceWithBackground: 0.45, pixelAccuracy: 0.8 },
      },
      policy: 'headline: ...',
      findings: [
        {
          id: 'class-never-predicted',
          severity: 'critical',
          title: 'Class "nucleus" is never predicted',
          message: '"nucleus" covers 12.0 % of the labelled pixels ...',
          action: 'Train with a loss that weights rare classes.',
          images: ['a'],
          evidence: { class: 'nucleus', gtPixels: 120, predPixels: 0, dice: 0, recall: null, mode: 'after', flagged: true },
          perImage: [{ image: 'a', evidence: { gtPixels: 120, predPixels: 0 } }],
        },
      ],
      deceptiveCorner: { looksGood: 0.8, poorForegroundDice: 0.5 },
    },
  },
  imageMetrics: { params: { runId: 'r1', name: 'a' }, result: { runId: 'r1', name: 'a', row: metricRow, note: null } },
  predictRun: { params: { runId: 'r1', images: 'val' }, result: { runId: 'r1', epoch: 2, predicted: 2, cached: 1, problems: [problem], backend: { name: 'native', reason: 'oneDNN' } } },
  startTraining: {
    params: { epochs: 3, patience: 2, patch: 64, batchSize: 2, learningRate: 0.001, loss: 'dice-ce', seed: 1, backend: 'auto', previewImage: 'a', stepsPerEpoch: 5, valFraction: 0.25, fromRun: 'r0' },
    result: { jobId: 'j1', runId: 'r1' },
  },
  stopTraining: { params: { jobId: 'j1' }, result: { stopping: true } },
  resumeTraining: { params: { runId: 'r1', epochs: 20 }, result: { jobId: 'j2', runId: 'r1' } },
  trainingStatus: { params: {}, result: { jobs: [jobStatus], gpu: { source: 'browser page', offers: [{ backend: 'webgpu', name: 'NVIDIA', software: false }] } } },
  exportReport: { params: { runId: 'r1', format: 'html' }, result: { file: '/data/p/runs/r1/report.html' } },
  getReport: { params: { runId: 'r1' }, result: { file: '/data/p/runs/r1/report/report.html', html: '<!doctype html><title>r</title>' } },
  predictImage: { params: { runId: 'r1', name: 'a' }, result: { runId: 'r1', name: 'a', file: 'runs/r1/predictions/a.png', epoch: 3, seconds: 1.5 } },
};

export const EVENT_SAMPLES: { [K in EventName]: ContractEvents[K] } = {
  'project.opened': summary,
  'task.progress': { task: 'list-images', done: 1, total: 2, item: 'a' },
  'mask.saved': { name: 'a', file: 'masks-edited/a.png', version: 'edited:def' },
  'training.started': {
    jobId: 'j1',
    runId: 'r1',
    backend: { name: 'wasm', reason: 'SIMD' },
    epochs: 10,
    stepsPerEpoch: 50,
    resumedAfter: 0,
    split: { source: 'made-for-run', train: 8, val: 2, test: 0, warnings: ['boundary has few pixels in val'], excluded: [{ name: 'demo_01', reason: null }] },
    monitor: { name: 'meanForegroundDice', minDelta: 0.001, patience: 10 },
  },
  'training.step': { jobId: 'j1', runId: 'r1', epoch: 1, step: 3, stepsPerEpoch: 50, loss: 0.7, epochLoss: 0.8, etaSeconds: null },
  'training.epoch': { jobId: 'j1', runId: 'r1', record: epochRecord, etaSeconds: 12 },
  'training.preview': { jobId: 'j1', runId: 'r1', epoch: 1, name: 'a' },
  'training.warning': { jobId: 'j1', runId: 'r1', code: 'not-learning', message: 'Loss flat at ln 3.', hint: 'Lower the learning rate.', epoch: 3 },
  'training.checkpoint': { jobId: 'j1', runId: 'r1', epoch: 1, kind: 'best' },
  'training.finished': { jobId: 'j1', runId: 'r1', status: 'stopped', reason: 'stopped at epoch 2', epochs: 2, bestEpoch: 1, resumeOn: null, error: null },
};
