// `seglens report RUN` through the real binary on a tiny training run: files written, the summary
// printed, --json, a missing run named, and --pdf with and without Chromium.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportData } from '../../src/seg/report/index.ts';
import { tinyRun } from '../app/report-run.ts';
import { json, seglens } from '../helpers/cli.ts';

let dir: string;
let runDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-cli-report-'));
  runDir = (await tinyRun(dir)).run.runDir;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('seglens report', () => {
  it('writes the report into RUN/report by default and prints the headline and the audit', async () => {
    const r = await seglens(['report', runDir]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['report.html', 'report.json', 'per_image_class.csv']) expect(existsSync(join(runDir, 'report', f))).toBe(true);
    expect(r.stdout).toMatch(/Validation: \d+ image\(s\), mean foreground Dice \d\.\d{4} \(all-background 0\.0000\)/);
    expect(r.stdout).toMatch(/audit: \d+ critical/);
    expect(r.stdout).toContain(join(runDir, 'report', 'report.html'));
  });

  it('--json summarises files, headline and finding ids; the same ids as report.json', async () => {
    const out = join(dir, 'out-json');
    const r = await seglens(['report', runDir, '--out', out, '--json', '--images', '2', '--no-predictions']);
    expect(r.code, r.stderr).toBe(0);
    const s = json<{ files: Record<string, string>; evaluations: { split: string; meanForegroundDice: number | null }[]; findings: { id: string }[]; predictions: object }>(r);
    expect(s.files.html).toBe(join(out, 'report.html'));
    expect(s.predictions).toEqual({});
    expect(existsSync(join(out, 'predictions'))).toBe(false);
    const data = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ReportData;
    expect(s.findings.map((f) => f.id)).toEqual(data.findings.map((f) => f.id));
    expect(s.evaluations[0].meanForegroundDice).toBe(data.evaluations[0].result.meanForegroundDice);
    expect(data.evaluations[0].gallery).toHaveLength(2);
  });

  it('--pdf prints report.pdf, or explains why not with the HTML still written', async () => {
    const out = join(dir, 'out-pdf');
    const withChromium = await seglens(['report', runDir, '--out', out, '--pdf']);
    if (existsSync('/usr/bin/chromium')) {
      expect(withChromium.code, withChromium.stderr).toBe(0);
      expect(existsSync(join(out, 'report.pdf'))).toBe(true);
    } else console.warn('SKIP PDF success case: /usr/bin/chromium is absent.');
    const out2 = join(dir, 'out-nopdf');
    process.env.SEGLENS_CHROMIUM = join(dir, 'nowhere', 'chromium'); // the child inherits it
    let r: Awaited<ReturnType<typeof seglens>>;
    try {
      r = await seglens(['report', runDir, '--out', out2, '--pdf']);
    } finally {
      delete process.env.SEGLENS_CHROMIUM;
    }
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No PDF: Chromium was not found \(\$SEGLENS_CHROMIUM .* does not exist\)/);
    expect(existsSync(join(out2, 'report.html'))).toBe(true);
    expect(existsSync(join(out2, 'report.pdf'))).toBe(false);
  });

  it('lists every data finding inspect makes, judged over all the pairs (not only the evaluated ones)', async () => {
    const project = join(dir, 'demo');
    const inspect = json<{ findings: { id: string; images: string[] }[] }>(await seglens(['inspect', project, '--json']));
    const pairing = inspect.findings.find((f) => f.id === 'pairing-suspect');
    expect(pairing, 'the planted demo has a pairing finding').toBeDefined();
    const out = join(dir, 'out-data');
    const r = await seglens(['report', runDir, '--out', out, '--no-predictions']);
    expect(r.code, r.stderr).toBe(0);
    const data = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as ReportData & { findings: { id: string; images: string[]; scope: string }[]; audit: { checked: string[] } };
    const listed = data.findings.find((f) => f.id === 'pairing-suspect');
    expect(listed).toMatchObject({ scope: 'data', images: pairing!.images });
    expect(data.audit.checked).toContain('the image/mask pairing of all 12 images');
  });

  it('names a folder that is not a run', async () => {
    const r = await seglens(['report', join(dir, 'demo')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a training run/);
  });
});
