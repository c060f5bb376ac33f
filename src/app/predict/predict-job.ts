// The job module of a prediction child process (run by ../training/worker.ts): chooses a backend
// (the pure-JS cpu backend is acceptable for prediction, as for `seglens predict`) and predicts
// the requested images with the run's best checkpoint (src/train/predict/run-predictions.ts), into
// the run folder through the run's write gate.
import { basename } from 'node:path';
import { selectBackend } from '../../train/backend/select.ts';
import { runGate } from '../../train/predict/output-gate.ts';
import { predictRun } from '../../train/predict/run-predictions.ts';
import type { RunJobOf } from '../training/protocol.ts';
import type { PredictMessage, PredictRequest } from './predict-protocol.ts';

export const runJob: RunJobOf<PredictRequest, PredictMessage> = async (request, ctx) => {
  const gate = await runGate(request.runDir, `predicting run ${basename(request.runDir)}`);
  const backend = await selectBackend({ allowCpu: true });
  const r = await predictRun(gate, request.runDir, request.items, {
    page: request.page,
    ...(request.maxPixels ? { maxPixels: request.maxPixels } : {}),
    signal: ctx.signal,
    onProgress: (done, total, item) => ctx.emit({ type: 'progress', done, total, item: item || null }),
  });
  ctx.emit({
    type: 'done',
    outcome: { epoch: r.epoch, predicted: r.predicted, cached: r.cached, problems: r.problems, backend: { name: backend.name, reason: backend.reason } },
  });
};
