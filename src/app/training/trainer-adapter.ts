// Runs src/train's Trainer inside the training child process and reports to the engine: trainer
// events become JobMessages, a preview prediction of one validation image is written after each
// epoch (the run folder's preview, trainer/run-outputs.ts), and when the run ends every project
// image is predicted with the best weights (predict/run-predictions.ts, as on demand).
import { predictedClassView, thresholdProbs } from '../../train/predict/overlap-output.ts';
import { readImage } from '../../seg/image-io.ts';
import { normalize } from '../../seg/normalize.ts';
import type { TrainEvent, TrainResult } from '../../train/trainer/events.ts';
import type { TrainConfig } from '../../train/trainer/config.ts';
import { RunFolder } from '../../train/trainer/run-folder.ts';
import { Trainer } from '../../train/trainer/trainer.ts';
import type { TrainOptions } from '../../train/trainer/trainer.ts';
import { selectBackend } from '../../train/backend/select.ts';
import type { SelectBackendOptions } from '../../train/backend/select.ts';
import { FirstWorkingCompute } from '../../train/compute/fallback.ts';
import { LocalCompute } from '../../train/compute/local.ts';
import { RemoteCompute } from '../../train/compute/rpc.ts';
import { parentComputePort } from './child-compute.ts';
import type { EpochPredict } from '../../train/trainer/trainer.ts';
import { argmaxLabels } from '../../train/predict/tiled.ts';
import type { PredictInput } from '../../train/predict/tiled.ts';
import { predictRun } from '../../train/predict/run-predictions.ts';
import { writePreview as storePreview } from '../../train/trainer/run-outputs.ts';
import { openProjectFolder } from '../open-project.ts';
import { wireEpoch } from '../runs.ts';
import type { OpenProject } from '../open-project.ts';
import type { JobContext, JobMessage, JobRequest, RunJob } from './protocol.ts';
import { trainConfigOf } from './options.ts';

const fin = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? x : null);


interface Preview {
  name: string;
  input: PredictInput;
  cfg: TrainConfig;
}

/** The preview image: the one asked for, else the first validation image of the run's split. */
async function preparePreview(p: OpenProject, runDir: string, wanted: string | undefined): Promise<Preview | null> {
  const run = new RunFolder(runDir);
  const cfg = await run.readConfig();
  const split = await run.readSplit();
  const name = wanted && p.byName.has(wanted) ? wanted : split.val[0];
  const rec = name ? p.byName.get(name) : undefined;
  if (!rec) return null;
  const project = p.ds.project;
  const img = await readImage(rec.image, { page: project.imagePage, ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}) });
  // Dataset-scope ranges live in the model; the preview is a sketch, so the image's own range does.
  const n = project.normalization.scope === 'dataset' && project.normalization.kind !== 'fixed' ? { ...project.normalization, scope: 'image' as const } : project.normalization;
  const norm = normalize(img, n);
  return { name: rec.name, input: { width: img.width, height: img.height, channels: img.channels, data: norm.data }, cfg };
}

async function predictAll(p: OpenProject, runDir: string, result: TrainResult, ctx: JobContext): Promise<void> {
  if (result.bestEpoch === null) return;
  const project = p.ds.project;
  await predictRun(
    p.gate,
    runDir,
    p.images.map((r) => ({ name: r.name, image: r.image })),
    {
      page: project.imagePage,
      ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}),
      onProgress: (done, total, item) => ctx.emit({ type: 'progress', task: 'predict', done, total, item: item || null }),
    },
  );
}

/**
 * Where the job's network runs. With a GPU compute lent by the engine (the page's or the compute
 * window's worker) and a preference that allows it (auto, webgpu, webgl), that compute first and
 * this process's own backends second; otherwise this process's backends (selectBackend).
 */
export function computeFor(request: JobRequest): Pick<TrainOptions, 'backend' | 'compute'> {
  const o = request.options;
  const pref = o.backend ?? 'auto';
  const soft = o.allowSoftwareGpu ? { allowSoftwareGpu: true } : {};
  // This process has no WebGL; 'webgl' here means "the worker's WebGL, else the best local backend".
  const localPrefer = pref === 'auto' || pref === 'webgl' ? undefined : pref;
  const local: SelectBackendOptions = { ...(localPrefer ? { prefer: localPrefer, allowCpu: localPrefer === 'cpu' } : {}), ...soft };
  const gpu = request.gpuCompute && (pref === 'auto' || pref === 'webgpu' || pref === 'webgl');
  if (!gpu) return { backend: local };
  const here = (select: SelectBackendOptions) => () => new LocalCompute(() => selectBackend(select));
  return {
    // The worker reads prefer/allowSoftwareGpu from these when the trainer initialises it.
    backend: { ...local, ...(pref === 'webgpu' || pref === 'webgl' ? { prefer: pref as 'webgpu' } : {}) },
    compute: new FirstWorkingCompute([
      // The backend order: CUDA (tfjs-node-gpu) first where it loads, then the worker's GPU, then the rest here.
      ...(pref === 'auto' ? [{ label: 'CUDA', make: here({ only: ['tensorflow-gpu'] }) }] : []),
      { label: `GPU compute of the ${request.gpuCompute}`, make: () => new RemoteCompute(parentComputePort()) },
      { label: 'this machine', make: here(local) },
    ]),
  };
}

export const runTrainer: RunJob = async (request: JobRequest, ctx: JobContext) => {
  const p = await openProjectFolder(request.projectDir);
  const o = request.options;
  const trainer = new Trainer({
    project: p.dir,
    ...(request.resume ? { resume: request.resume.runId, ...(request.resume.epochs !== undefined ? { epochs: request.resume.epochs } : {}) } : { config: trainConfigOf(o) }),
    ...(!request.resume && o.fromRun ? { from: o.fromRun } : {}),
    ...computeFor(request),
  });
  let runDir = '';
  let epochs = 0;
  let preview: Promise<Preview | null> | null = null;
  let ready: Preview | null = null;
  const writes: Promise<unknown>[] = [];

  // After each epoch's checkpoints, with that epoch's weights (the trainer awaits it).
  const afterEpoch = async (epoch: number, predict: EpochPredict, thresholds?: readonly number[]) => {
    const r = ready ?? (await preview);
    if (!r) return;
    const pred = await predict(r.input);
    const labels = thresholds
      ? predictedClassView(thresholdProbs(pred.probs, r.input.width, r.input.height, thresholds), { classTable: p.ds.project.classes })
      : argmaxLabels(pred.probs, r.input.width, r.input.height, p.classes.length);
    writes.push(
      (async () => {
        await storePreview(p.gate, runDir, labels, { epoch, name: r.name });
        ctx.emit({ type: 'preview', epoch, name: r.name });
      })().catch(() => undefined),
    );
  };

  const onEvent = (e: TrainEvent) => {
    let m: JobMessage | null = null;
    switch (e.type) {
      case 'started':
        runDir = e.runDir;
        epochs = e.epochs;
        preview = preparePreview(p, e.runDir, o.previewImage).catch(() => null);
        void preview.then((v) => (ready = v));
        m = {
          type: 'started',
          runId: e.runId,
          backend: { name: e.backend.name, reason: e.backend.reason },
          epochs: e.epochs,
          stepsPerEpoch: e.stepsPerEpoch,
          resumedAfter: e.resumedFrom?.epoch ?? 0,
          split: {
            source: e.split.source,
            train: e.split.train,
            val: e.split.val,
            test: e.split.test,
            warnings: e.split.warnings,
            excluded: e.split.excluded.map((x) => ({ name: x.image, reason: x.reason })),
          },
          monitor: e.monitor,
        };
        break;
      case 'step':
        m = { type: 'step', epoch: e.epoch, step: e.step, stepsPerEpoch: e.stepsPerEpoch, loss: fin(e.loss), epochLoss: fin(e.epochLoss), etaSeconds: fin(e.etaSeconds) };
        break;
      case 'epoch': {
        const left = Math.max(0, epochs - e.record.epoch);
        m = { type: 'epoch', record: wireEpoch(e.record), etaSeconds: left * e.record.seconds };
        ctx.emit(m);
        m = null;
        break;
      }
      case 'warning':
        m = { type: 'warning', code: e.warning.kind, message: e.warning.message, hint: e.warning.hint, epoch: e.warning.epoch };
        break;
      case 'checkpoint':
        m = { type: 'checkpoint', epoch: e.epoch, kind: e.which };
        break;
      case 'finished':
        break;
    }
    if (m) ctx.emit(m);
  };

  let result: TrainResult;
  try {
    result = await trainer.fit({ signal: ctx.signal, onEvent, afterEpoch });
  } finally {
    trainer.dispose();
  }
  await Promise.all(writes);
  // Predictions are made even after a stop: the best weights so far are what the user reviews.
  await predictAll(p, result.runDir, result, { ...ctx, signal: new AbortController().signal });
  ctx.emit({ type: 'finished', status: result.status, reason: result.reason, epochs: result.epochs, bestEpoch: result.bestEpoch, resumeOn: result.resumeOn ?? null });
};
