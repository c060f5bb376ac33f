// "Predict this image" for the app: the prediction runs in a job process (predict-runner.ts,
// started like trainings and reports: training/launcher.ts), so the engine keeps answering.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ContractError } from '../api/index.ts';
import type { WireError } from '../api/index.ts';
import { forkJobProcess } from './training/launcher.ts';
import type { JobLauncher } from './training/launcher.ts';
import type { PredictMessage, PredictRequest } from './predict-runner.ts';

const RUNNER = pathToFileURL(fileURLToPath(new URL('./predict-runner.ts', import.meta.url))).href;

export function runPredictJob(request: PredictRequest, launcher?: JobLauncher): Promise<{ file: string; epoch: number | null; seconds: number }> {
  const child = (launcher ?? forkJobProcess)();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: WireError) => {
      if (settled) return;
      settled = true;
      reject(new ContractError(e.name, e.message, e.details));
    };
    child.onMessage((raw) => {
      const m = raw as PredictMessage;
      if (m?.type === 'predicted' && !settled) {
        settled = true;
        resolve({ file: m.file, epoch: m.epoch, seconds: m.seconds });
      } else if (m?.type === 'failed') fail(m.error);
    });
    child.onError((e) => fail({ name: 'PredictError', message: `The prediction of ${request.name} could not start (${e.message}).`, details: {} }));
    child.onExit((code, signal) => fail({ name: 'PredictError', message: `The prediction of ${request.name} ended (${signal ?? `exit code ${code}`}) before writing it.`, details: {} }));
    child.send({ type: 'start', module: RUNNER, request });
  });
}
