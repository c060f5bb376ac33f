// `seglens report RUN [--out DIR] [--pdf]`: the per-class report of a training run (src/app/report.ts):
// report.html (self-contained), report.json, per_image_class.csv, the predicted masks, and a PDF
// where Chromium is installed. Exit 0 when written, 1 when some images could not be evaluated or a
// requested PDF could not be made (the HTML is written all the same), 2 on a usage or run error.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { EvalSplit } from '../../seg/report/index.ts';
import { formatProblem } from '../../seg/problems.ts';
import { BACKEND_CANDIDATES } from '../../train/backend/candidates.ts';
import type { BackendCandidate } from '../../train/backend/candidates.ts';
import { numberOption, printJson, progressBar } from '../output.ts';

interface ReportFlags {
  out?: string;
  pdf?: boolean;
  split?: EvalSplit[];
  images: number;
  thumbnail: number;
  predictions: boolean;
  backend?: BackendCandidate;
  json?: boolean;
}

export function registerReport(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('write the per-class report of a training run: self-contained HTML, report.json, per_image_class.csv (and PDF)')
    .argument('<run>', 'a training run folder runs/<id>/')
    .option('--out <dir>', 'output folder (default RUN/report)')
    .option('--pdf', 'also print the report to report.pdf with headless Chromium (where installed)')
    .addOption(new Option('--split <name...>', 'held-out splits to evaluate (default val, and test when there is one)').choices(['val', 'test']))
    .option('--images <n>', 'thumbnails per split, deceptive images first', numberOption('--images', 0, 1000), 12)
    .option('--thumbnail <px>', 'thumbnail size in pixels', numberOption('--thumbnail', 32, 1024), 192)
    .option('--no-predictions', 'do not write the predicted masks to OUT/predictions/<split>/')
    .addOption(new Option('--backend <name>', 'try this TensorFlow.js backend first').choices([...BACKEND_CANDIDATES]))
    .option('--json', 'print a summary (files written, headline per split, finding ids) as JSON')
    .action(async (runDir: string, f: ReportFlags) => {
      // Loaded on use: TensorFlow.js takes a second to load, which `seglens --help` should not pay.
      const { exportReport } = await import('../../app/report.ts');
      const bar = progressBar('report', !f.json);
      const say = (line: string) => (f.json ? console.error(line) : console.log(line));
      const r = await exportReport(runDir, {
        outDir: f.out,
        pdf: f.pdf,
        splits: f.split,
        galleryLimit: Math.round(f.images),
        thumbnailSize: Math.round(f.thumbnail),
        writePredictions: f.predictions,
        backend: f.backend,
        onInfo: say,
        onProgress: (stage, d, t) => bar.update(d, t, stage),
      });
      bar.stop();
      const pdfFailed = r.pdf !== undefined && !r.pdf.ok;
      if (f.json) {
        printJson({
          run: r.runId,
          outDir: r.outDir,
          files: { html: r.html, json: r.json, csv: r.csv, ...(r.pdf?.ok ? { pdf: r.pdf.file } : {}) },
          ...(r.pdf && !r.pdf.ok ? { pdfError: r.pdf.reason } : {}),
          predictions: r.predictions,
          evaluations: r.data.evaluations.map((e) => ({
            split: e.split,
            images: e.result.images,
            meanForegroundDice: e.result.meanForegroundDice,
            meanDiceWithBackground: e.result.meanDiceWithBackground,
            pixelAccuracy: e.result.pixelAccuracy,
            baselineMeanForegroundDice: e.result.baseline.meanForegroundDice,
          })),
          findings: r.findings.map((x) => ({ id: x.id, severity: x.severity, scope: x.scope, title: x.title })),
          problems: r.problems,
        });
      } else {
        for (const e of r.data.evaluations) {
          const fmt = (v: number | null) => (v === null ? 'n/a' : v.toFixed(4));
          say(`${e.label}: ${e.result.images} image(s), mean foreground Dice ${fmt(e.result.meanForegroundDice)} (all-background ${fmt(e.result.baseline.meanForegroundDice)}), Dice with background ${fmt(e.result.meanDiceWithBackground)}, pixel accuracy ${fmt(e.result.pixelAccuracy)}`);
        }
        const a = r.data.audit;
        say(`audit: ${a.critical} critical, ${a.warning} warning(s), ${a.info} note(s)${r.findings.length ? `: ${[...new Set(r.findings.map((x) => x.id))].join(', ')}` : ''}`);
        for (const p of r.problems) say(formatProblem(p));
        say(`report written to ${r.html}`);
        say(`  ${r.json}\n  ${r.csv}`);
        for (const [split, dir] of Object.entries(r.predictions)) say(`  predicted masks (${split}): ${dir}`);
        if (r.pdf?.ok) say(`  ${r.pdf.file}`);
      }
      if (pdfFailed && r.pdf && !r.pdf.ok) console.error(`seglens report: ${r.pdf.reason}`);
      setExit(pdfFailed || r.problems.some((p) => p.severity === 'error') ? 1 : 0);
    });
}
