// Report export for the app. The report predicts with TensorFlow.js, which would hold the engine's
// event loop for seconds to minutes, so it runs in a job process (report-runner.ts, started by the
// same launcher as trainings: training/launcher.ts) and the engine stays responsive.
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { WireErrorSchema } from '../api/index.ts';
import { programFile } from '../seg/runtime.ts';
import { SeglensError } from '../seg/errors.ts';
import { forkJobProcess } from './training/launcher.ts';
import type { JobLauncher } from './training/launcher.ts';
import { checkJobMessage } from './training/job-message.ts';
import type { ReportRequest } from './report-runner.ts';

const RUNNER = pathToFileURL(programFile('src/app/report-runner.ts', 'report-runner')).href;

const ReportFilesSchema = z.object({
  html: z.string().min(1),
  json: z.string().min(1),
  csv: z.string().min(1),
  pdf: z.string().min(1).optional(),
  /** Why no PDF was written (no Chromium), when one was asked for. */
  pdfError: z.string().optional(),
});
export type ReportFiles = z.infer<typeof ReportFilesSchema>;

/** What the report process sends; the engine checks each message against this. */
export const ReportMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('report'), files: ReportFilesSchema }),
  z.object({ type: z.literal('failed'), error: WireErrorSchema }),
]);
export type ReportMessage = z.infer<typeof ReportMessageSchema>;

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
      const checked = checkJobMessage(ReportMessageSchema, raw, 'report process', 'the report was stopped');
      if (!checked.ok) {
        fail(checked.error.message);
        child.kill();
        return;
      }
      const m = checked.message;
      if (m.type === 'report' && !settled) {
        settled = true;
        resolve(m.files);
      } else if (m.type === 'failed') fail(m.error.message);
    });
    child.onError((e) => fail(`its process could not start (${e.message})`));
    child.onExit((code, signal) => fail(`its process ended (${signal ?? `exit code ${code}`}) before writing it`));
    child.send({ type: 'start', module: RUNNER, request: { runDir, pdf: Boolean(opts.pdf) } satisfies ReportRequest });
  });
}
