// The report renderer on the demo project with planted prediction errors (report-fixture.ts):
// report.json holds the evaluation exactly, the gallery puts the deceptive images first, the CSV
// and the thumbnails say what the masks say, the HTML is self-contained.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDeceptiveImages } from '../../src/seg/audit/scores.ts';
import { DEMO_CLASSES } from '../../src/seg/demo/index.ts';
import { evaluate, METRIC_POLICY, toJSONSafe } from '../../src/seg/metrics/index.ts';
import type { EvalResult } from '../../src/seg/metrics/index.ts';
import {
  bestEpoch,
  buildReportData,
  CSV_COLUMNS,
  ERROR_COLORS,
  imageThumbnails,
  normalizeRows,
  perImageClassCsv,
  policyItems,
  rankGallery,
  renderReportHtml,
  reportJson,
  resampleRgb,
  thumbnailSize,
} from '../../src/seg/report/index.ts';
import type { ReportData } from '../../src/seg/report/index.ts';
import { IGNORE } from '../../src/seg/types.ts';
import type { LabelMap, RawImage } from '../../src/seg/types.ts';
import { fixtureInput, loadFixturePairs, syntheticHistory } from './report-fixture.ts';
import type { FixturePair } from './report-fixture.ts';

let dir: string;
let pairs: FixturePair[];
let result: EvalResult;
let data: ReportData;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seglens-report-'));
  pairs = await loadFixturePairs(join(dir, 'demo'));
  result = evaluate(pairs, DEMO_CLASSES);
  data = buildReportData(fixtureInput(pairs));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Minimal RFC 4180 parser for the test (quoted cells with commas and doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\r\n').filter((l) => l !== '')) {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        cells.push(cur);
        cur = '';
      }
      else cur += ch;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

async function decodeUri(uri: string): Promise<{ width: number; height: number; data: Buffer }> {
  expect(uri.startsWith('data:image/png;base64,')).toBe(true);
  const { data: px, info } = await sharp(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: px };
}

describe('report.json', () => {
  it('holds the evaluation exactly as seglens eval --json prints it (NaN as null)', () => {
    const ev = data.evaluations[0];
    expect(ev.split).toBe('val');
    expect(ev.result).toEqual(toJSONSafe(result));
    // Survives the trip through JSON text unchanged.
    const parsed = JSON.parse(reportJson(data)) as ReportData;
    expect(parsed.evaluations[0].result).toEqual(ev.result);
    expect(parsed.findings.map((f) => f.id)).toEqual(data.findings.map((f) => f.id));
  });

  it('normalises each confusion row by its ground-truth pixels: the diagonal is the recall', () => {
    const n = data.evaluations[0].confusionNormalized;
    result.classes.forEach((c, i) => {
      const row = n[i].map((v) => v ?? NaN);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
      expect(row[i]).toBeCloseTo(c.recall, 12);
    });
    expect(normalizeRows([[0, 0], [1, 3]])).toEqual([[null, null], [0.25, 0.75]]);
  });

  it('marks the last epoch flagged best', () => {
    const h = syntheticHistory();
    expect(bestEpoch(h)).toBe(14);
    expect(data.history?.bestEpoch).toBe(14);
    expect(bestEpoch(h.map((e) => ({ ...e, monitor: { ...e.monitor, best: false } })))).toBeNull();
  });

  it('counts the findings by severity and keeps their scope', () => {
    const ids = data.findings.map((f) => f.id);
    expect(ids).toContain('deceptive-images');
    // The demo's boundary class is predicted nowhere: the report says so, most serious first.
    const never = data.findings.find((f) => f.id === 'class-never-predicted');
    expect(never).toMatchObject({ severity: 'critical', evidence: { class: 'boundary', predPixels: 0 } });
    expect(never!.images.length).toBeGreaterThan(0);
    expect(renderReportHtml(data, {})).toContain('class-never-predicted');
    expect(data.findings.every((f) => f.scope === 'val')).toBe(true);
    const n = data.audit.critical + data.audit.warning + data.audit.info;
    expect(n).toBe(data.findings.length);
    const noAudit = buildReportData(fixtureInput(pairs, { audit: false }));
    expect(noAudit.audit).toMatchObject({ ran: false, critical: 0, warning: 0, info: 0 });
    expect(noAudit.findings).toEqual([]);
  });

  it('puts the explanation of every figure in, built from METRIC_POLICY', () => {
    const items = policyItems();
    const top = METRIC_POLICY.split('\n').filter((l) => /^- /.test(l)).length;
    const nested = METRIC_POLICY.split('\n').filter((l) => /^\s+- /.test(l)).length;
    expect(items.length).toBe(top);
    expect(items.reduce((s, i) => s + (i.sub?.length ?? 0), 0)).toBe(nested);
    const sec = data.explain.sections.find((s) => s.title === METRIC_POLICY.split('\n')[0]);
    expect(sec?.items).toEqual(items.filter((i) => !i.text.startsWith('ROC-AUC')));
    const text = JSON.stringify(data.explain.sections);
    expect(text).toMatch(/Object recall/);
    expect(text).toMatch(/at least 50 %/);
  });
});

describe('gallery order', () => {
  it('shows the audit\'s deceptive images first, in its order, then the rest by gap', () => {
    const finding = checkDeceptiveImages(result)[0];
    expect(finding.images.length).toBeGreaterThan(0);
    const g = data.evaluations[0].gallery;
    expect(g.slice(0, finding.images.length).map((e) => e.image)).toEqual(finding.images);
    expect(g.slice(0, finding.images.length).every((e) => e.deceptive)).toBe(true);
    const rest = g.slice(finding.images.length);
    expect(rest.every((e) => !e.deceptive)).toBe(true);
    for (let i = 1; i < rest.length; i++) expect(rest[i - 1].gap ?? -Infinity).toBeGreaterThanOrEqual(rest[i].gap ?? -Infinity);
    expect(g.map((e) => e.rank)).toEqual(g.map((_, i) => i + 1));
  });

  it('without an audit ranks by the same rule and gets the same images', () => {
    const finding = checkDeceptiveImages(result)[0];
    const noAudit = rankGallery(result, undefined, false);
    expect(noAudit.order).toBe('gap');
    expect(noAudit.entries.filter((e) => e.deceptive).map((e) => e.image)).toEqual(finding.images);
  });

  it('stops at the limit and says how many were left out', () => {
    const g = rankGallery(result, undefined, false, 3);
    expect(g.entries).toHaveLength(3);
    expect(g.omitted).toBe(result.images - 3);
  });

  it('an all-background prediction of a foreground-rich image has foreground Dice 0 in its entry', () => {
    const e = data.evaluations[0].gallery.find((x) => x.image === pairs[0].name)!;
    expect(e.meanForegroundDice).toBe(0);
    expect(e.classes.find((c) => c.name === 'nucleus')!.tp).toBe(0);
  });
});

describe('per_image_class.csv', () => {
  it('has one row per image x class with the counts and figures of the evaluation; NaN is an empty cell', () => {
    const rows = parseCsv(perImageClassCsv([{ split: 'val', result }]));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const body = rows.slice(1);
    expect(body).toHaveLength(result.images * result.classes.length);
    const col = (name: string) => CSV_COLUMNS.indexOf(name as (typeof CSV_COLUMNS)[number]);
    let sawEmpty = false;
    for (const r of body) {
      const im = result.perImage.find((p) => p.name === r[col('image')])!;
      const c = im.classes.find((x) => x.name === r[col('class')])!;
      expect(Number(r[col('tp')])).toBe(c.tp);
      expect(Number(r[col('fp')])).toBe(c.fp);
      expect(Number(r[col('fn')])).toBe(c.fn);
      expect(Number(r[col('tn')])).toBe(c.tn);
      expect(Number(r[col('gt_pixels')])).toBe(c.gtPixels);
      expect(Number(r[col('predicted_pixels')])).toBe(c.predPixels);
      for (const [k, v] of [
        ['dice', c.dice],
        ['iou', c.iou],
        ['precision', c.precision],
        ['recall', c.recall],
      ] as const) {
        if (Number.isNaN(v)) {
          expect(r[col(k)]).toBe('');
          sawEmpty = true;
        } else expect(Number(r[col(k)])).toBe(v);
      }
    }
    // Image 1 predicts no foreground at all: its precision is undefined, not 0.
    expect(sawEmpty).toBe(true);
  });

  it('quotes names with commas and quotes', () => {
    const table = { ...DEMO_CLASSES, classes: DEMO_CLASSES.classes.map((c, i) => (i === 1 ? { ...c, name: 'nucleus, "bright"' } : c)) };
    const r = evaluate([{ name: 'a,b', gt: pairs[1].gt, pred: pairs[1].pred }], table);
    const rows = parseCsv(perImageClassCsv([{ split: 'test', result: r }]));
    expect(rows[2].slice(0, 3)).toEqual(['test', 'a,b', 'nucleus, "bright"']);
  });
});

describe('thumbnails', () => {
  const map = (w: number, h: number, f: (x: number, y: number) => number): LabelMap => {
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
    return { width: w, height: h, data };
  };
  const flat = (w: number, h: number, v: number): RawImage => ({ width: w, height: h, channels: 1, bitDepth: 16, data: new Uint16Array(w * h).fill(v) });

  it('sizes: long side shrunk to the size, small images enlarged by an integer factor', () => {
    expect(thumbnailSize(1024, 512, 192)).toEqual({ width: 192, height: 96 });
    expect(thumbnailSize(64, 48, 192)).toEqual({ width: 192, height: 144 });
    expect(thumbnailSize(128, 128, 192)).toEqual({ width: 128, height: 128 });
  });

  it('error map colours: tp, fp, fn and ignored pixels of one class', async () => {
    // Row 0: tp, fp, fn, ignore, tn (class 1 = nucleus), at full size (no resampling).
    const gt = map(5, 1, (x) => [1, 0, 1, IGNORE, 0][x]);
    const pred = map(5, 1, (x) => [1, 1, 0, 0, 0][x]);
    const img: RawImage = { width: 5, height: 1, channels: 1, bitDepth: 8, data: new Uint8Array([0, 50, 100, 150, 255]) };
    const t = await imageThumbnails({ image: img, gt, pred, table: DEMO_CLASSES, size: 5 });
    expect(t.errors.map((e) => e.className)).toEqual(['nucleus', 'boundary']);
    const px = await decodeUri(t.errors[0].uri);
    const at = (x: number) => [...px.data.subarray(x * 3, x * 3 + 3)];
    expect(at(0)).toEqual([...ERROR_COLORS.tp.rgb]);
    expect(at(1)).toEqual([...ERROR_COLORS.fp.rgb]);
    expect(at(2)).toEqual([...ERROR_COLORS.fn.rgb]);
    expect(at(3)).toEqual([...ERROR_COLORS.ignore.rgb]);
    const tn = at(4);
    expect(tn[0]).toBe(tn[1]);
    expect(tn[0]).toBeLessThanOrEqual(Math.round(255 * 0.3)); // the dimmed original
    // Ground truth in the class table's colours: nucleus is #3cb44b.
    const g = await decodeUri(t.groundTruth);
    expect([...g.data.subarray(0, 3)]).toEqual([0x3c, 0xb4, 0x4b]);
  });

  it('a one-pixel-wide miss still tints its thumbnail pixels after a 4x reduction', async () => {
    const gt = map(64, 64, (x) => (x === 21 ? 1 : 0));
    const pred = map(64, 64, () => 0);
    const t = await imageThumbnails({ image: flat(64, 64, 1000), gt, pred, table: DEMO_CLASSES, size: 16 });
    expect([t.width, t.height]).toEqual([16, 16]);
    const px = await decodeUri(t.errors[0].uri);
    for (let y = 0; y < 16; y++) {
      const col5 = px.data.subarray((y * 16 + 5) * 3, (y * 16 + 5) * 3 + 3);
      expect(col5[2]).toBeGreaterThan(col5[0] + 20); // bluish: a quarter sky blue
      const col9 = px.data.subarray((y * 16 + 9) * 3, (y * 16 + 9) * 3 + 3);
      expect(col9[0]).toBe(col9[2]); // untouched grey
    }
  });

  it('area averaging keeps the mean colour', () => {
    const src = { width: 4, height: 2, data: new Uint8Array([0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255]) };
    const out = resampleRgb(src, 2, 1);
    expect([...out.data]).toEqual([128, 128, 128, 128, 128, 128]);
    const third = resampleRgb({ width: 3, height: 1, data: new Uint8Array([30, 30, 30, 60, 60, 60, 90, 90, 90]) }, 2, 1);
    expect([...third.data]).toEqual([40, 40, 40, 80, 80, 80]);
  });

  it('refuses masks of another size than the image', async () => {
    await expect(imageThumbnails({ image: flat(8, 8, 1), gt: map(8, 8, () => 0), pred: map(4, 8, () => 0), table: DEMO_CLASSES })).rejects.toThrow(/prediction is 4x8/);
  });
});

describe('HTML', () => {
  it('is self-contained: no script, no external resource, a policy that forbids the network', () => {
    const html = renderReportHtml(data);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">/);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    const urls = html.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.filter((u) => u !== 'http://www.w3.org/2000/svg')).toEqual([]);
  });

  it('shows every finding with its evidence and action, the headline, each class and the baseline', () => {
    const html = renderReportHtml(data);
    for (const f of data.findings) {
      expect(html).toContain(f.id);
      expect(html).toContain(f.action.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    expect(html).toContain(result.meanForegroundDice.toFixed(4));
    expect(html).toContain(result.meanDiceWithBackground.toFixed(4));
    expect(html).toContain(result.baseline.meanForegroundDice.toFixed(4));
    for (const c of result.classes) expect(html).toContain(c.dice.toFixed(4));
    expect(html).toContain('best: epoch 14');
  });

  it('lists the gallery deceptive first with thumbnails where given', async () => {
    const g = data.evaluations[0].gallery;
    const p = pairs.find((x) => x.name === g[0].image)!;
    const t = await imageThumbnails({ image: p.image, gt: p.gt, pred: p.pred, table: DEMO_CLASSES });
    const html = renderReportHtml(data, { val: { [p.name]: t } });
    const pos = g.map((e) => html.indexOf(`id="img--val--${e.image}"`));
    expect(pos.every((x) => x > 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    expect(html).toContain(t.errors[0].uri);
    expect(html.match(/<img /g)?.length).toBe(3 + t.errors.length);
  });

  it('says when no audit ran', () => {
    const html = renderReportHtml(buildReportData(fixtureInput(pairs, { audit: false })));
    expect(html).toMatch(/No audit was run/);
    expect(html).toMatch(/found by the same rule as the audit \(no audit ran\)/);
  });
});
