// Report export for the app. The report predicts with TensorFlow.js, which would hold the engine's
// event loop for seconds to minutes, so it runs as `seglens report` in a child process (the same
// code path as the command line) and the engine stays responsive.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SeglensError } from '../seg/errors.ts';
import { RUN_FILES } from '../train/trainer/run-folder.ts';

const BIN = fileURLToPath(new URL('../../bin/seglens.js', import.meta.url));

export interface ReportFiles {
  html: string;
  json: string;
  csv: string;
  pdf?: string;
  pdfError?: string;
}

export function runReportJob(runDir: string, opts: { pdf?: boolean } = {}): Promise<ReportFiles> {
  const args = [BIN, 'report', runDir, '--out', join(runDir, RUN_FILES.report), '--json', ...(opts.pdf ? ['--pdf'] : [])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      let summary: { files?: ReportFiles; pdfError?: string } | undefined;
      try {
        summary = JSON.parse(stdout);
      } catch {
        summary = undefined;
      }
      // Exit 1 still writes the report (some images unreadable, or no PDF): return what was written.
      if (summary?.files) return resolve({ ...summary.files, ...(summary.pdfError ? { pdfError: summary.pdfError } : {}) });
      const why = stderr.trim().split('\n').filter(Boolean).pop() ?? (err ? err.message : 'no output');
      reject(new SeglensError(`The report of ${runDir} could not be written: ${why.replace(/^seglens: /, '')}`, { run: runDir }));
    });
  });
}
