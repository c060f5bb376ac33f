// The workspace on a generated demo project in a temp folder, called through the contract's
// engine-side dispatch (the path every transport takes): open, list, pixels against sharp, masks
// saved atomically into masks-edited/ with conflict detection, imported masks never overwritten,
// runs and the metrics table, split preview, the report stub.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDownload, dispatchDownload, dispatchJson, dispatchUpload, encodeSaveMask } from '../../src/api/index.ts';
import type { ContractEvent, ImageOverview, ImagePixels, ListImagesResult, MaskOverview, MaskPixels, MetricsTableResult, SaveMaskParams } from '../../src/api/index.ts';
import { Workspace } from '../../src/app/workspace.ts';
import { LOOKS_GOOD, POOR_FOREGROUND_DICE } from '../../src/seg/audit/index.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';

let tmp: string;
let proj: string;
let ws: Workspace;
const events: ContractEvent[] = [];

const sha = (f: string) => createHash('sha1').update(readFileSync(f)).digest('hex');

async function sharpGrey(file: string): Promise<{ data: number[]; width: number; height: number }> {
  const tif = file.endsWith('.tif');
  const { data, info } = await sharp(file)
    .toColourspace(tif ? 'grey16' : 'b-w')
    .raw({ depth: tif ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(1);
  const arr = tif ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : data;
  return { data: Array.from(arr), width: info.width, height: info.height };
}

async function writeGrey8(file: string, data: Uint8Array, width: number, height: number): Promise<void> {
  await sharp(data, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toFile(file);
}

const image = async (name: string) => decodeDownload('getImagePixels', await dispatchDownload(ws, 'getImagePixels', { name })) as ImagePixels;
const mask = async (name: string) => decodeDownload('getMaskPixels', await dispatchDownload(ws, 'getMaskPixels', { name })) as MaskPixels;
const save = (p: SaveMaskParams) => dispatchUpload(ws, 'saveMask', encodeSaveMask(p)) as Promise<{ file: string; version: string }>;
const list = () => dispatchJson(ws, 'listImages', {}) as Promise<ListImagesResult>;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-ws-'));
  proj = join(tmp, 'project');
  await generateDemoProject(proj, { count: 6, size: 48, seed: 3 });
  ws = new Workspace({ demoDir: join(tmp, 'demo'), emit: (e) => events.push(e) });
});

afterAll(async () => {
  await ws.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('without a project', () => {
  it('says that no project is open', async () => {
    await expect(dispatchJson(ws, 'listImages', {})).rejects.toMatchObject({ name: 'NoProjectError' });
    const info = (await dispatchJson(ws, 'appInfo', {})) as { project: unknown; demoDir: string };
    expect(info.project).toBeNull();
    expect(info.demoDir).toBe(join(tmp, 'demo'));
  });
});

describe('openDemo', () => {
  it('generates the demo once, under the demo folder, and reopens it without regenerating', async () => {
    const [a, b] = (await Promise.all([dispatchJson(ws, 'openDemo', {}), dispatchJson(ws, 'openDemo', {})])) as { generated: boolean; project: { dir: string; isDemo: boolean; imageCount: number } }[];
    expect(a.generated).toBe(true);
    expect(b).toEqual(a); // one generation served both calls
    expect(a.project.isDemo).toBe(true);
    expect(a.project.imageCount).toBe(12);
    const file = join(tmp, 'demo', 'images', 'demo_01.tif');
    const before = statSync(file).mtimeMs;
    const again = (await dispatchJson(ws, 'openDemo', {})) as { generated: boolean };
    expect(again.generated).toBe(false);
    expect(statSync(file).mtimeMs).toBe(before);
    expect(events.some((e) => e.type === 'project.opened')).toBe(true);
  });
});

describe('a project', () => {
  beforeAll(async () => {
    await dispatchJson(ws, 'openProject', { dir: proj });
  });

  it('lists every image with class presence counted from its mask', async () => {
    const r = await list();
    expect(r.classes.map((c) => c.name)).toEqual(['background', 'nucleus', 'boundary']);
    expect(r.images.map((i) => i.name)).toEqual(['demo_01', 'demo_02', 'demo_03', 'demo_04', 'demo_05', 'demo_06']);
    for (const e of r.images) {
      const m = await sharpGrey(join(proj, 'masks', `${e.name}.png`));
      const counts = [0, 1, 2].map((c) => m.data.filter((v) => v === c).length);
      expect(e.classPixels, e.name).toEqual(counts);
      expect([e.width, e.height]).toEqual([48, 48]);
      expect(e.annotation).toBe('imported');
      expect(e.split).toBeNull();
    }
  });

  it('serves 16-bit image pixels equal to what sharp decodes', async () => {
    const img = await image('demo_02');
    const ref = await sharpGrey(join(proj, 'images', 'demo_02.tif'));
    expect(img.dtype).toBe('uint16');
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect([img.width, img.height]).toEqual([ref.width, ref.height]);
    expect(Array.from(img.data)).toEqual(ref.data);
    expect(img.min).toBe(Math.min(...ref.data));
    expect(img.max).toBe(Math.max(...ref.data));
    expect(img.display.lo).toBeLessThan(img.display.hi);
  });

  it('serves the mask as class ids equal to the file (the demo stores class ids)', async () => {
    const m = await mask('demo_02');
    const ref = await sharpGrey(join(proj, 'masks', 'demo_02.png'));
    expect(m.source).toBe('imported');
    expect(m.file).toBe('masks/demo_02.png');
    expect(m.version).toMatch(/^imported:/);
    expect(Array.from(m.data)).toEqual(ref.data);
  });

  it('serves overviews (issue 14) through the validated frames: the mean of each block of the image, the centre class id of the mask, then the same full resolution', async () => {
    const full = await image('demo_04');
    const fullMask = await mask('demo_04');
    const ov = decodeDownload('getImageOverview', await dispatchDownload(ws, 'getImageOverview', { name: 'demo_04', maxSide: '100' })) as ImageOverview;
    const mo = decodeDownload('getMaskOverview', await dispatchDownload(ws, 'getMaskOverview', { name: 'demo_04', maxSide: '100' })) as MaskOverview;
    const f = Math.ceil(Math.max(full.width, full.height) / 100);
    expect(ov).toMatchObject({ kind: 'image-overview', factor: f, fullWidth: full.width, fullHeight: full.height, width: Math.ceil(full.width / f), height: Math.ceil(full.height / f), display: full.display, min: full.min, max: full.max });
    expect(ov.data).toBeInstanceOf(Uint16Array);
    let sum = 0;
    for (let y = 0; y < f; y++) for (let x = 0; x < f; x++) sum += full.data[y * full.width + x];
    expect(ov.data[0]).toBe(Math.round(sum / (f * f)));
    expect(mo).toMatchObject({ kind: 'mask-overview', factor: f, width: ov.width, height: ov.height, source: 'imported' });
    const h = Math.floor(f / 2);
    expect(mo.data[1]).toBe(fullMask.data[h * full.width + f + h]);
    // The full resolution after an overview is the decode the overview made, equal to a fresh one.
    const again = await image('demo_04');
    expect(Array.from(again.data)).toEqual(Array.from(full.data));
    const againMask = await mask('demo_04');
    expect(againMask.version).toBe(fullMask.version);
    expect(Array.from(againMask.data)).toEqual(Array.from(fullMask.data));
    await expect(dispatchDownload(ws, 'getImageOverview', { name: 'demo_04', maxSide: '0' })).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('prefetchImage answers at once and its decodes serve the overviews and the full resolution that follow (issue 14)', async () => {
    const fresh = await image('demo_05');
    const freshMask = await mask('demo_05');
    await expect(dispatchJson(ws, 'prefetchImage', { name: 'demo_05' })).resolves.toEqual({});
    const ov = decodeDownload('getImageOverview', await dispatchDownload(ws, 'getImageOverview', { name: 'demo_05', maxSide: '16' })) as ImageOverview;
    expect(ov).toMatchObject({ display: fresh.display, min: fresh.min, max: fresh.max, fullWidth: fresh.width });
    expect([fresh.min, fresh.max]).toEqual([Math.min(...fresh.data), Math.max(...fresh.data)]);
    const full = await image('demo_05');
    expect(Array.from(full.data)).toEqual(Array.from(fresh.data));
    const m = await mask('demo_05');
    expect(m.version).toBe(freshMask.version);
    expect(Array.from(m.data)).toEqual(Array.from(freshMask.data));
    await expect(dispatchJson(ws, 'prefetchImage', { name: 'nope' })).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('refuses unknown images by name', async () => {
    await expect(image('nope')).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(dispatchDownload(ws, 'getImagePixels', { name: '../images/demo_01' })).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  describe('saving masks', () => {
    it('writes the edit to masks-edited/, never over the imported mask, and reads it back', async () => {
      const imported = join(proj, 'masks', 'demo_03.png');
      const before = sha(imported);
      const m = await mask('demo_03');
      const edited = Uint8Array.from(m.data);
      edited.fill(1, 0, 48); // first row: nucleus
      edited[48] = 255; // one unlabelled pixel
      const r = await save({ name: 'demo_03', width: 48, height: 48, baseVersion: m.version, data: edited });
      expect(r.file).toBe('masks-edited/demo_03.png');
      expect(sha(imported)).toBe(before);
      expect((await sharpGrey(join(proj, r.file))).data).toEqual(Array.from(edited));
      const back = await mask('demo_03');
      expect(back.source).toBe('edited');
      expect(back.version).toBe(r.version);
      expect(Array.from(back.data)).toEqual(Array.from(edited));
      const index = JSON.parse(readFileSync(join(proj, 'masks-edited', 'edits.json'), 'utf8'));
      expect(index.masks.demo_03).toMatchObject({ file: 'demo_03.png', replaces: 'demo_03.png', encoding: 'class-ids' });
      const entry = (await list()).images.find((i) => i.name === 'demo_03')!;
      expect(entry.annotation).toBe('edited');
      expect(entry.maskFile).toBe('masks-edited/demo_03.png');
      expect(entry.classPixels![1]).toBe(edited.filter((v) => v === 1).length);
      expect(events.some((e) => e.type === 'mask.saved' && e.payload.name === 'demo_03')).toBe(true);
      // Saving again from the new version works and keeps the record of the imported original.
      edited[0] = 2;
      const r2 = await save({ name: 'demo_03', width: 48, height: 48, baseVersion: back.version, data: edited });
      expect(r2.version).not.toBe(r.version);
      expect(sha(imported)).toBe(before);
    });

    it('refuses, as a conflict, an edited mask that another program changed since it was opened', async () => {
      const m = await mask('demo_03');
      const file = join(proj, 'masks-edited', 'demo_03.png');
      const outside = new Uint8Array(48 * 48).fill(2);
      await writeGrey8(file, outside, 48, 48);
      const mine = new Uint8Array(48 * 48).fill(0);
      await expect(save({ name: 'demo_03', width: 48, height: 48, baseVersion: m.version, data: mine })).rejects.toMatchObject({
        name: 'ConflictError',
        details: { name: 'demo_03', file: 'masks-edited/demo_03.png', expectedVersion: m.version },
      });
      expect((await sharpGrey(file)).data).toEqual(Array.from(outside)); // not overwritten
      // The user chose to overwrite.
      await save({ name: 'demo_03', width: 48, height: 48, baseVersion: m.version, data: mine, overwrite: true });
      expect((await sharpGrey(file)).data).toEqual(Array.from(mine));
    });

    it('refuses, as a conflict, an imported mask changed on disk since it was opened, and writes nothing', async () => {
      const m = await mask('demo_04');
      const imported = join(proj, 'masks', 'demo_04.png');
      const outside = Uint8Array.from(m.data);
      outside[5] = outside[5] === 1 ? 0 : 1;
      await writeGrey8(imported, outside, 48, 48);
      await expect(save({ name: 'demo_04', width: 48, height: 48, baseVersion: m.version, data: m.data })).rejects.toMatchObject({ name: 'ConflictError' });
      expect(existsSync(join(proj, 'masks-edited', 'demo_04.png'))).toBe(false);
      // Started from "no mask" while one exists: also a conflict.
      await expect(save({ name: 'demo_04', width: 48, height: 48, baseVersion: null, data: m.data })).rejects.toMatchObject({ name: 'ConflictError' });
    });

    it('refuses masks of the wrong size or with class ids the project lacks, naming the field', async () => {
      const m = await mask('demo_05');
      await expect(save({ name: 'demo_05', width: 24, height: 96, baseVersion: m.version, data: m.data })).rejects.toMatchObject({
        name: 'ValidationError',
        details: { issues: [{ path: 'width' }] },
      });
      const bad = Uint8Array.from(m.data);
      bad[100] = 7;
      await expect(save({ name: 'demo_05', width: 48, height: 48, baseVersion: m.version, data: bad })).rejects.toMatchObject({
        name: 'ValidationError',
        details: { issues: [{ path: 'data[100]' }] },
      });
      expect(existsSync(join(proj, 'masks-edited', 'demo_05.png'))).toBe(false);
    });
  });

  describe('runs', () => {
    const runId = '20260101-000000-abcd';
    beforeAll(async () => {
      const run = join(proj, 'runs', runId);
      await mkdir(join(run, 'predictions'), { recursive: true });
      await writeFile(join(run, 'config.json'), JSON.stringify({ epochs: 2 }));
      await writeFile(
        join(run, 'run.json'),
        JSON.stringify({ created: '2026-01-01T00:00:00Z', status: 'finished', bestEpoch: 1, bestValue: 0.5, monitor: 'meanForegroundDice', sessions: [{ backend: { name: 'wasm', reason: 'SIMD' } }] }),
      );
      const rec = { epoch: 1, trainLoss: 1, valLoss: null, lr: 0.001, seconds: 1, steps: 2, val: { meanForegroundDice: 0.5, meanForegroundIoU: null, meanDiceWithBackground: 0.6, channelSummedDice: 0.9, pixelAccuracy: 0.9, allBackgroundAccuracy: 0.8, classes: [] }, monitor: { name: 'meanForegroundDice', value: 0.5, best: true } };
      await writeFile(join(run, 'metrics.jsonl'), JSON.stringify(rec) + '\n');
      // demo_01 predicted perfectly, demo_02 as all background.
      await copyFile(join(proj, 'masks', 'demo_01.png'), join(run, 'predictions', 'demo_01.png'));
      await writeGrey8(join(run, 'predictions', 'demo_02.png'), new Uint8Array(48 * 48), 48, 48);
    });

    it('lists the run with its status, best epoch, backend and predictions', async () => {
      const r = (await dispatchJson(ws, 'listRuns', {})) as { runs: { runId: string; status: string; bestEpoch: number; predictions: number; backend: unknown; canResume: boolean }[] };
      expect(r.runs).toHaveLength(1);
      expect(r.runs[0]).toMatchObject({ runId, status: 'finished', bestEpoch: 1, predictions: 2, backend: { name: 'wasm', reason: 'SIMD' }, canResume: false });
      const d = (await dispatchJson(ws, 'getRun', { runId })) as { history: { epoch: number; valLoss: null }[] };
      expect(d.history.map((h) => h.epoch)).toEqual([1]);
      const l = await list();
      expect(l.images.find((i) => i.name === 'demo_01')!.predictions).toEqual([runId]);
      expect(l.images.find((i) => i.name === 'demo_06')!.predictions).toEqual([]);
    });

    it('serves predictions as class ids and refuses runs that do not exist', async () => {
      const p = decodeDownload('getPredictionPixels', await dispatchDownload(ws, 'getPredictionPixels', { runId, name: 'demo_02' }));
      expect(p.data.every((v) => v === 0)).toBe(true);
      await expect(dispatchDownload(ws, 'getPredictionPixels', { runId, name: 'demo_06' })).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(dispatchDownload(ws, 'getPredictionPixels', { runId: '..', name: 'demo_01' })).rejects.toMatchObject({ name: 'ValidationError' });
      await expect(dispatchJson(ws, 'getRun', { runId: 'no-such-run' })).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('tabulates per image x class: a perfect prediction scores 1, all-background scores 0 on foreground', async () => {
      const t = (await dispatchJson(ws, 'metricsTable', { runId })) as MetricsTableResult;
      expect(t.rows.map((r) => r.name)).toEqual(['demo_01', 'demo_02']);
      const [perfect, bg] = t.rows;
      const gt2 = (await sharpGrey(join(proj, 'masks', 'demo_02.png'))).data;
      for (const c of perfect.cells) if (c.gtPixels > 0) expect(c.dice).toBe(1);
      expect(perfect.pixelAccuracy).toBe(1);
      expect(bg.meanForegroundDice).toBe(0);
      expect(bg.cells[1].tp).toBe(0);
      expect(bg.cells[1].fn).toBe(gt2.filter((v) => v === 1).length);
      expect(bg.pixelAccuracy).toBeCloseTo(gt2.filter((v) => v === 0).length / gt2.length, 12);
      expect(bg.allBackgroundAccuracy).toBe(bg.pixelAccuracy);
      expect(t.policy).toMatch(/NaN/);
    });
  });

  describe('the audit in the metrics table (issue 12)', () => {
    const runId = '20260101-000000-never';
    beforeAll(async () => {
      const run = join(proj, 'runs', runId);
      await mkdir(join(run, 'predictions'), { recursive: true });
      await writeFile(join(run, 'config.json'), JSON.stringify({ epochs: 1 }));
      await writeFile(join(run, 'run.json'), JSON.stringify({ created: '2026-01-01T00:00:00Z', status: 'finished', bestEpoch: 1, sessions: [] }));
      // Every boundary pixel predicted as nucleus: the model never predicts the boundary class.
      for (const n of ['demo_01', 'demo_02', 'demo_03', 'demo_04']) {
        const g = await sharpGrey(join(proj, 'masks', `${n}.png`));
        await writeGrey8(join(run, 'predictions', `${n}.png`), Uint8Array.from(g.data, (v) => (v === 2 ? 1 : v === 255 ? 0 : v)), g.width, g.height);
      }
    });

    it("carries the audit's findings, with their numbers and images, and the deceptive corner; the renderer only shows them", async () => {
      const t = (await dispatchJson(ws, 'metricsTable', { runId })) as MetricsTableResult;
      const never = t.findings.filter((f) => f.id === 'class-never-predicted');
      expect(never).toHaveLength(1);
      expect(never[0]).toMatchObject({ severity: 'critical', evidence: { class: 'boundary', predPixels: 0 } });
      expect(never[0].images.length).toBeGreaterThan(0);
      expect(never[0].perImage!.map((p) => p.image)).toEqual(never[0].images);
      expect(t.deceptiveCorner).toEqual({ looksGood: LOOKS_GOOD, poorForegroundDice: POOR_FOREGROUND_DICE });
      for (const r of t.rows) expect(r.inclusiveScore).toBe(Math.max(r.pixelAccuracy!, r.meanDiceWithBackground!));
      // The perfect run of the block above raises nothing.
      const perfect = (await dispatchJson(ws, 'metricsTable', { runId: '20260101-000000-abcd', split: undefined })) as MetricsTableResult;
      expect(perfect.findings.map((f) => f.id)).not.toContain('class-never-predicted');
    });

    it("inspect always reports the unlabelled share, with the audit's sentence", async () => {
      const r = (await dispatchJson(ws, 'inspectProject', {})) as { ignored: { share: number; text: string } };
      expect(r.ignored.text).toMatch(/^Unlabelled \/ ignored pixels: /);
      expect(r.ignored.share).toBeGreaterThanOrEqual(0);
    });
  });

  it('previews a split with per-class counts per side, writing nothing', async () => {
    const r = (await dispatchJson(ws, 'previewSplit', { valFraction: 0.34, seed: 1 })) as { assignments: { name: string; split: string }[]; sides: { split: string; images: number; classPixels: number[] }[] };
    expect(r.assignments).toHaveLength(6);
    expect(r.sides.reduce((s, x) => s + x.images, 0)).toBe(6);
    expect(r.sides.find((s) => s.split === 'val')!.images).toBeGreaterThan(0);
    expect(existsSync(join(proj, 'split.json'))).toBe(false);
  });

  it('refuses a report export of a run that does not exist, naming it', async () => {
    await expect(dispatchJson(ws, 'exportReport', { runId: 'x' })).rejects.toMatchObject({ name: 'NotFoundError', message: /"x"/ });
    await expect(dispatchJson(ws, 'exportReport', { runId: 'x', format: 'markdown' })).rejects.toMatchObject({ name: 'ValidationError', message: /format/ });
  });
});

describe('an image without a mask', () => {
  it('is listed as unannotated, served as all unlabelled, and can be annotated from scratch', async () => {
    const p2 = join(tmp, 'p2');
    await generateDemoProject(p2, { count: 3, size: 32, seed: 5 });
    await copyFile(join(p2, 'images', 'demo_01.tif'), join(p2, 'images', 'extra.tif'));
    await dispatchJson(ws, 'openProject', { dir: p2 });
    const e = (await list()).images.find((i) => i.name === 'extra')!;
    expect(e).toMatchObject({ annotation: 'none', maskFile: null, classPixels: null });
    const m = await mask('extra');
    expect(m).toMatchObject({ source: 'none', version: null, file: null, width: 32, height: 32 });
    expect(m.data.every((v) => v === 255)).toBe(true);
    const data = new Uint8Array(32 * 32).fill(255);
    data.fill(1, 0, 10);
    const r = await save({ name: 'extra', width: 32, height: 32, baseVersion: null, data });
    expect((await sharpGrey(join(p2, r.file))).data).toEqual(Array.from(data));
    expect((await list()).images.find((i) => i.name === 'extra')!.annotation).toBe('edited');
  });
});
