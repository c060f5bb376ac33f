// exportReport on a real (tiny) training run: the files are written, every figure of report.json
// equals what `seglens eval --json` computes on the predicted masks the report wrote, the
// validation figures equal those the trainer recorded for the best epoch, and the PDF is printed
// where Chromium is installed (a clear reason otherwise, HTML written all the same).
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportReport, REPORT_FILES } from '../../src/app/report.ts';
import type { ExportedReport } from '../../src/app/report.ts';
import { findChromium, htmlToPdf } from '../../src/app/report-pdf.ts';
import { DEMO_CLASSES } from '../../src/seg/demo/index.ts';
import type { ReportData } from '../../src/seg/report/index.ts';
import { CSV_COLUMNS } from '../../src/seg/report/index.ts';
import { readManifest } from '../../src/seg/split/index.ts';
import { tf } from '../../src/train/tf.ts';
import { json, seglens } from '../helpers/cli.ts';
import { tinyRun } from './report-run.ts';
import { testGate } from '../helpers/gate.ts';

let dir: string;
let project: string;
let runDir: string;
let rep: ExportedReport;
let data: ReportData;
let tensorsBefore: number;
let tensorsAfter: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-app-report-'));
  const t = await tinyRun(dir);
  project = t.project;
  runDir = t.run.runDir;
  tensorsBefore = tf.memory().numTensors;
  rep = await exportReport(runDir, { outDir: join(dir, 'report'), pdf: true, now: new Date('2025-02-03T04:05:06Z') });
  tensorsAfter = tf.memory().numTensors;
  data = JSON.parse(await readFile(rep.json, 'utf8')) as ReportData;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('exportReport', () => {
  it('writes report.html, report.json, per_image_class.csv and the predicted masks of the validation and test images', async () => {
    for (const f of [REPORT_FILES.html, REPORT_FILES.json, REPORT_FILES.csv]) expect(existsSync(join(dir, 'report', f))).toBe(true);
    const manifest = await readManifest(join(runDir, 'split.json'));
    expect(manifest.test.length).toBeGreaterThan(0);
    expect(data.evaluations.map((e) => e.split)).toEqual(['val', 'test']);
    for (const [k, split] of (['val', 'test'] as const).entries()) {
      expect(data.evaluations[k].result.perImage.map((p) => p.name).sort()).toEqual([...manifest[split]].sort());
      for (const n of manifest[split]) expect(existsSync(join(rep.predictions[split]!, `${n}.png`))).toBe(true);
    }
    const csv = (await readFile(rep.csv, 'utf8')).trim().split('\r\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(1 + (manifest.val.length + manifest.test.length) * DEMO_CLASSES.classes.length);
    expect(csv.filter((l) => l.startsWith('test,'))).toHaveLength(manifest.test.length * DEMO_CLASSES.classes.length);
    expect(data.generated).toBe('2025-02-03T04:05:06.000Z');
    expect(data.run?.id).toBe(rep.runId);
    expect(data.run?.seeds).toMatchObject({ init: 1, sampling: 1, augmentation: 1 });
    expect(data.run?.backend).toMatch(/^\w+ \((@tensorflow\/)?[\w-]+\) for training; \w+ .* for the report's predictions$/);
    expect(Object.keys(data.run?.versions ?? {}).length).toBeGreaterThan(0);
    expect(data.split?.splits.val.images).toBe(manifest.val.length);
    expect(data.history?.epochs.length).toBe(4);
  });

  it('every figure of report.json equals seglens eval --json on the written predictions (val and test)', async () => {
    const manifest = await readManifest(join(runDir, 'split.json'));
    const classes = join(dir, 'classes.json');
    await writeFile(classes, JSON.stringify(DEMO_CLASSES));
    for (const [k, split] of (['val', 'test'] as const).entries()) {
      const gt = join(dir, `gt-${split}`);
      await mkdir(gt, { recursive: true });
      for (const n of manifest[split]) await copyFile(join(project, 'masks', `${n}.png`), join(gt, `${n}.png`));
      const r = await seglens(['eval', '--gt', gt, '--pred', rep.predictions[split]!, '--classes', classes, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const { pairs, findings, ...evalResult } = json<Record<string, unknown>>(r);
      expect(findings).toEqual([]);
      expect((pairs as unknown[]).length).toBe(manifest[split].length);
      expect(data.evaluations[k].result).toEqual(evalResult);
    }
  });

  it('leaves no tensor behind (the model and every prediction are disposed)', () => {
    expect(tensorsAfter).toBe(tensorsBefore);
  });

  it('recomputes exactly the validation figures the trainer recorded for the best epoch', () => {
    const h = data.history!;
    const best = h.epochs.find((e) => e.epoch === h.bestEpoch)!;
    const r = data.evaluations[0].result;
    expect(best.val.meanForegroundDice).toBe(r.meanForegroundDice);
    expect(best.val.pixelAccuracy).toBe(r.pixelAccuracy);
    for (const c of best.val.classes) expect(c.dice).toBe(r.classes.find((x) => x.name === c.name)!.dice);
    expect(data.findings.map((f) => f.id)).not.toContain('metric-mismatch');
  });

  it('carries the audit: findings scoped, the gallery ordered, what was checked stated', () => {
    expect(data.audit.ran).toBe(true);
    expect(data.audit.checked.join(' ')).toMatch(/training history/);
    expect(data.findings).toEqual(rep.findings.map((f) => JSON.parse(JSON.stringify(f))));
    for (const f of data.findings) expect(['data', 'split', 'training', 'val', 'test']).toContain(f.scope);
    const shown = data.evaluations.flatMap((e) => e.gallery.map((g) => `img--${e.split}--${g.image}`));
    expect(shown.length).toBe(data.evaluations.reduce((s, e) => s + (e.result.images ?? 0), 0));
    return readFile(rep.html, 'utf8').then((text) => {
      for (const id of shown) expect(text).toContain(`id="${id}"`);
      expect(text.match(/<img /g)?.length).toBe(shown.length * (3 + 2));
    });
  });

  it('prints a PDF where Chromium is installed, and says why not elsewhere', async () => {
    if (!findChromium()) {
      console.warn('SKIP PDF output check: no Chromium at /usr/bin/chromium (or $SEGLENS_CHROMIUM).');
      expect(rep.pdf?.ok).toBe(false);
    } else {
      expect(rep.pdf).toEqual({ ok: true, file: join(dir, 'report', REPORT_FILES.pdf) });
      const head = (await readFile(join(dir, 'report', REPORT_FILES.pdf))).subarray(0, 5).toString('latin1');
      expect(head).toBe('%PDF-');
    }
    const none = await htmlToPdf(await testGate(dir), rep.html, join(dir, 'x.pdf'), { executablePath: join(dir, 'no-chromium') });
    expect(none.ok).toBe(false);
    expect(!none.ok && none.reason).toMatch(/No PDF: Chromium at .* could not be started/);
  });
});
