// The report as a user sees it: rendered in headless Chromium, full-page screenshots saved under
// test-output/report/ (look at them), and the layout checked: nothing requested from anywhere,
// every thumbnail decoded, no plot or table wider than the page, deceptive images first.
// Two cases: the demo with planted prediction errors (3 classes, 16-bit images), and the real
// Drosophila VNC masks (5 classes, 1024 x 1024) with corrupted predictions.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectRecall, runAudit } from '../../src/seg/audit/index.ts';
import { readClassTable } from '../../src/seg/class-table-file.ts';
import type { ClassTable } from '../../src/seg/classes.ts';
import { DEMO_CLASSES } from '../../src/seg/demo/index.ts';
import { readImage, readRawMask } from '../../src/seg/image-io.ts';
import { labelsFromRaw } from '../../src/seg/masks.ts';
import { evaluate } from '../../src/seg/metrics/index.ts';
import { buildReportData, imageThumbnails, renderReportHtml } from '../../src/seg/report/index.ts';
import { A4_PRINTABLE_WIDTH, PRINT_SCALE } from '../../src/seg/report/style.ts';
import type { ReportData, ReportInput, ScopedFinding, ThumbnailSet } from '../../src/seg/report/index.ts';
import type { LabelMap } from '../../src/seg/types.ts';
import { DATA, HAVE_DATA, REPO, TABLES } from '../helpers/paths.ts';
import { fixtureInput, loadFixturePairs, syntheticHistory } from './report-fixture.ts';
import type { FixturePair } from './report-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`SKIP report rendering: ${CHROMIUM} is absent (headless Chromium renders the HTML report).`);
const OUT = join(REPO, 'test-output', 'report');

let browser: Browser;
let tmp: string;

async function thumbsFor(data: ReportData, pairs: FixturePair[], table: ClassTable): Promise<ThumbnailSet> {
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const own: NonNullable<ThumbnailSet['val']> = {};
  for (const g of data.evaluations[0].gallery) {
    const p = byName.get(g.image)!;
    own[g.image] = await imageThumbnails({ image: p.image, gt: p.gt, pred: p.pred, table });
  }
  return { val: own };
}

interface Layout {
  requests: string[];
  viewport: number;
  scrollWidth: number;
  brokenImages: string[];
  wideSvgs: number;
  overflowingTables: number;
  firstGallery: string | null;
  pageHeight: number;
  /** Width of the content when laid out for the PDF, and the width available there. */
  printScrollWidth: number;
  printWidth: number;
}

/** Opens the HTML, saves screenshots as `name`-full.png and `name`-NN.png (1800 px slices), measures the layout. */
async function render(html: string, name: string): Promise<Layout> {
  await mkdir(OUT, { recursive: true });
  for (const f of await readdir(OUT)) if (f.startsWith(`${name}-`)) await rm(join(OUT, f)); // slices of an earlier, longer page
  const file = join(OUT, `${name}.html`);
  await writeFile(file, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  const layout = await page.evaluate(() => {
    const main = document.querySelector('main')!.getBoundingClientRect();
    const imgs = Array.from(document.images);
    return {
      viewport: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      brokenImages: imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.alt),
      wideSvgs: Array.from(document.querySelectorAll('svg')).filter((s) => s.getBoundingClientRect().right > main.right + 1 || s.getBoundingClientRect().width === 0).length,
      overflowingTables: Array.from(document.querySelectorAll('table')).filter((t) => t.getBoundingClientRect().right > main.right + 1).length,
      firstGallery: document.querySelector('.gitem')?.id ?? null,
      pageHeight: document.documentElement.scrollHeight,
    };
  });
  await page.screenshot({ path: join(OUT, `${name}-full.png`), fullPage: true });
  for (let i = 0, y = 0; y < layout.pageHeight; i++, y += 1800) {
    const clip = { x: 0, y, width: 1280, height: Math.min(1800, layout.pageHeight - y) };
    await page.screenshot({ path: join(OUT, `${name}-${String(i).padStart(2, '0')}.png`), fullPage: true, clip });
  }
  // As printed to PDF: A4's printable width, laid out at 1 / PRINT_SCALE of it.
  const printWidth = Math.floor(A4_PRINTABLE_WIDTH / PRINT_SCALE);
  await page.setViewportSize({ width: printWidth, height: 1000 });
  await page.emulateMedia({ media: 'print' });
  const print = await page.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
  for (let i = 0, y = 0; y < print.h && i < 4; i++, y += 1800) {
    const clip = { x: 0, y, width: printWidth, height: Math.min(1800, print.h - y) };
    await page.screenshot({ path: join(OUT, `${name}-print-${String(i).padStart(2, '0')}.png`), fullPage: true, clip });
  }
  await page.close();
  return { ...layout, printScrollWidth: print.w, printWidth, requests: requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:')) };
}

function expectClean(l: Layout): void {
  expect(l.requests).toEqual([]);
  expect(l.brokenImages).toEqual([]);
  expect(l.scrollWidth).toBeLessThanOrEqual(l.viewport);
  expect(l.wideSvgs).toBe(0);
  expect(l.overflowingTables).toBe(0);
  expect(l.printScrollWidth).toBeLessThanOrEqual(l.printWidth);
}

describe.skipIf(!HAVE_CHROMIUM)('report rendered in Chromium', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'seglens-report-render-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('demo with planted prediction errors: offline, nothing overflows, deceptive image first', async () => {
    const pairs = await loadFixturePairs(join(tmp, 'demo'));
    const data = buildReportData(fixtureInput(pairs));
    const layout = await render(renderReportHtml(data, await thumbsFor(data, pairs, DEMO_CLASSES)), 'demo');
    expectClean(layout);
    const first = data.evaluations[0].gallery[0];
    expect(first.deceptive).toBe(true);
    expect(layout.firstGallery).toBe(`img--val--${first.image}`);
  });

  it.skipIf(!HAVE_DATA)('real Drosophila VNC masks (5 classes, 1024 px) with corrupted predictions', async () => {
    const table = await readClassTable(join(TABLES, 'drosophila-vnc.json'));
    const dir = join(DATA, 'drosophila-vnc');
    const id = (n: string) => table.classes.findIndex((c) => c.name === n);
    const pairs: FixturePair[] = [];
    for (let i = 0; i < 10; i++) {
      const nn = String(i).padStart(2, '0');
      const image = await readImage(join(dir, 'images', `${nn}.tif`));
      const maskFile = join(dir, 'masks', `labels000000${nn}.png`);
      const gt = labelsFromRaw(await readRawMask(maskFile), table, maskFile).labels;
      // Synapses never predicted; glia missed in the odd images; mitochondria shifted 5 px right.
      const pred: LabelMap = { width: gt.width, height: gt.height, data: new Uint8Array(gt.data) };
      const w = gt.width;
      for (let p = 0; p < pred.data.length; p++) {
        const g = gt.data[p];
        if (g === id('synapse') || (i % 2 === 1 && g === id('glia')) || g === id('mitochondria')) pred.data[p] = id('intracellular');
        const x = p % w;
        if (x >= 5 && gt.data[p - 5] === id('mitochondria')) pred.data[p] = id('mitochondria');
        if (pred.data[p] === 255) pred.data[p] = id('intracellular');
      }
      pairs.push({ name: nn, image, gt, pred });
    }
    const result = evaluate(pairs, table);
    const objects = objectRecall(pairs, table);
    const findings = runAudit({ eval: result, objects }).map((f) => ({ ...f, scope: 'val' }) as ScopedFinding);
    const input: ReportInput = {
      title: 'Segmentation report: drosophila-vnc (corrupted predictions)',
      generated: '2025-01-01T00:00:00.000Z',
      classes: table,
      dataset: { name: 'drosophila-vnc', images: 10 },
      history: syntheticHistory(12).map((e) => ({
        ...e,
        val: { ...e.val, classes: table.classes.map((c, k) => ({ name: c.name, dice: k === 0 ? 0.95 : Math.max(0, (e.val.meanForegroundDice ?? 0) - 0.1 * k + 0.2), iou: null, predictedShare: null, trueShare: null })) },
      })),
      evaluations: [{ split: 'val', result, objects }],
      findings,
      audited: ['the validation predictions'],
      galleryLimit: 4,
    };
    const data = buildReportData(input);
    const layout = await render(renderReportHtml(data, await thumbsFor(data, pairs, table)), 'drosophila');
    expectClean(layout);
    expect(data.findings.map((f) => f.id)).toContain('deceptive-images');
  });
});
