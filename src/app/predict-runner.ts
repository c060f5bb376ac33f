// One image predicted with a run's best weights, as a job module (training/worker.ts runs it in a
// job process, so that the engine's event loop never waits on TensorFlow.js): the correction
// loop's "predict this image". Written where the app keeps a run's predictions
// (runs/<id>/predictions/<name>.png, the class table's stored values, as `seglens predict` writes
// them), through the project's write gate.
import { join, relative } from 'node:path';
import { errorToWire } from '../api/index.ts';
import type { WireError } from '../api/index.ts';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../seg/errors.ts';
import { formatProblem } from '../seg/problems.ts';
import { selectBackend } from '../train/backend/select.ts';
import { loadModel } from '../train/predict/model-io.ts';
import { predictFiles } from '../train/predict/predict-files.ts';
import { openProjectFolder } from './open-project.ts';
import { PREDICTIONS_FOLDER } from './run-files.ts';
import type { RunJobOf } from './training/protocol.ts';

export interface PredictRequest {
  projectDir: string;
  runDir: string;
  name: string;
}

export type PredictMessage = { type: 'predicted'; file: string; epoch: number | null; seconds: number } | { type: 'failed'; error: WireError };

export const runJob: RunJobOf<PredictRequest, PredictMessage> = async (request, ctx) => {
  try {
    const t0 = performance.now();
    const p = await openProjectFolder(request.projectDir);
    const rec = p.byName.get(request.name);
    if (!rec) throw new ConfigError(`The project has no image named ${request.name}.`, { name: request.name });
    await selectBackend({ allowCpu: true });
    const { model, meta } = await loadModel(request.runDir);
    let written: string;
    try {
      const project = p.ds.project;
      const r = await predictFiles(model, meta, [rec.image], {
        gate: p.gate,
        outDir: join(request.runDir, PREDICTIONS_FOLDER),
        page: project.imagePage,
        ...(project.maxPixels ? { maxPixels: project.maxPixels } : {}),
      });
      if (r.problems.length) throw new ConfigError(`${request.name} could not be predicted: ${formatProblem(r.problems[0])}`, { name: request.name });
      written = r.predicted[0].mask;
    } finally {
      model.dispose();
    }
    let epoch: number | null = null;
    try {
      const info = JSON.parse(await readFile(join(request.runDir, 'run.json'), 'utf8')) as { bestEpoch?: unknown };
      epoch = typeof info.bestEpoch === 'number' ? info.bestEpoch : null;
    } catch {
      epoch = null;
    }
    ctx.emit({ type: 'predicted', file: relative(p.dir, written), epoch, seconds: (performance.now() - t0) / 1000 });
  } catch (e) {
    ctx.emit({ type: 'failed', error: errorToWire(e) });
  }
};
