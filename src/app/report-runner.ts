// The report as a job module (training/worker.ts runs it in a job process): the same exportReport
// that `seglens report` runs, into RUN/report, answering with the files written.
import { join } from 'node:path';
import { RUN_FILES } from '../train/trainer/run-folder.ts';
import { exportReport } from './report.ts';
import type { ReportMessage } from './report-job.ts';
import type { RunJobOf } from './training/protocol.ts';
import { errorToWire } from '../api/index.ts';

export interface ReportRequest {
  runDir: string;
  pdf: boolean;
}


export const runJob: RunJobOf<ReportRequest, ReportMessage> = async (request, ctx) => {
  try {
    const r = await exportReport(request.runDir, { outDir: join(request.runDir, RUN_FILES.report), pdf: request.pdf });
    ctx.emit({
      type: 'report',
      files: { html: r.html, json: r.json, csv: r.csv, ...(r.pdf?.ok ? { pdf: r.pdf.file } : {}), ...(r.pdf && !r.pdf.ok ? { pdfError: r.pdf.reason } : {}) },
    });
  } catch (e) {
    ctx.emit({ type: 'failed', error: errorToWire(e) });
  }
};
