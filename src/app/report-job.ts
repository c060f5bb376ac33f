// Report export for the app. The report predicts with TensorFlow.js, which would hold the engine's
// event loop for seconds to minutes, so it runs in a job process (report-runner.ts, started by the
// same launcher as trainings: training/launcher.ts) and the engine stays responsive.
import { pathToFileURL } from 'node:url';
import { programFile } from '../seg/runtime.ts';
import { SeglensError } from '../seg/errors.ts';
import { forkJobProcess } from './training/launcher.ts';
import type { JobLauncher } from './training/launcher.ts';
import type { ReportMessage, ReportRequest } from './report-runner.ts';

const RUNNER = pathToFileURL(programFile('src/app/report-runner.ts', 'report-runner')).href;

export interface ReportFiles {
  html: string;
  json: string;
  csv: string;
  pdf?: string;
  pdfError?: string;
}

export function runReportJob(runDir: string, opts: { pdf?: boolean; launcher?: JobLauncher } = {}): Promise<ReportFiles> {
  const child = (opts.launcher ?? forkJobProcess)();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      reject(new SeglensError(`The report of ${runDir} could not be written: ${why}`, { run: runDir }));
    };
    child.onMessage((raw) => {
      const m = raw as ReportMessage;
      if (m?.type === 'report' && !settled) {
        settled = true;
        resolve(m.files);
      } else if (m?.type === 'failed') fail(m.error.message);
    });
    child.onError((e) => fail(`its process could not start (${e.message})`));
    child.onExit((code, signal) => fail(`its process ended (${signal ?? `exit code ${code}`}) before writing it`));
    child.send({ type: 'start', module: RUNNER, request: { runDir, pdf: Boolean(opts.pdf) } satisfies ReportRequest });
  });
}
