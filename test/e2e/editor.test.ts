// The annotation editor in Chromium against `seglens serve` (issue 6, section 4): paint a brush
// stroke, flood fill a nucleus, fill another and undo it, undo / redo, save with ctrl+s, reload the
// page, then read the saved mask file with sharp and check its pixels against the imported mask.
// Screenshots: test-output/e2e/editor-*.png.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floodFill } from '../../renderer/src/lib/editor/ops.ts';
import { imagePoint } from '../../renderer/src/lib/editor/mask.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { closeUi, ensureRendererBuilt, openUi, shot, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';

const NAME = 'demo_02';
const NUCLEUS = 1;
const BOUNDARY = 2;
const BRUSH = 9;
const STROKE_Y = 24;
const STROKE_X = [40, 200] as const;
const RUN = 'editor-run';

let tmp: string;
let server: Served;
let browser: Browser;
let page: Page;
let errors: string[];
let original: { data: Uint8Array; width: number; height: number };

async function readLabels(file: string): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

/** The image pixel the status bar reports under the mouse. */
async function hovered(p: Page): Promise<{ x: number; y: number; gt: string }> {
  const t = (await p.textContent('[data-testid=hover]')) ?? '';
  const m = /x (\d+), y (\d+): .*ground truth (\w+)/.exec(t);
  if (!m) throw new Error(`no hover readout: ${t}`);
  return { x: Number(m[1]), y: Number(m[2]), gt: m[3] };
}

/** Screen position of image pixel (x, y)'s centre, checked against the hover readout. */
async function screenOf(p: Page, x: number, y: number): Promise<{ sx: number; sy: number }> {
  const box = (await p.locator('[data-pane=main]').boundingBox())!;
  await p.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  const a = await hovered(p);
  await p.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7);
  const b = await hovered(p);
  const scale = (box.width * 0.4) / (b.x - a.x);
  let sx = box.x + box.width * 0.3 + (x - a.x) * scale;
  let sy = box.y + box.height * 0.3 + (y - a.y) * scale;
  for (let i = 0; i < 4; i++) {
    await p.mouse.move(sx, sy);
    const h = await hovered(p);
    if (h.x === x && h.y === y) return { sx, sy };
    sx += (x - h.x) * scale * 0.9;
    sy += (y - h.y) * scale * 0.9;
  }
  throw new Error(`could not place the mouse on pixel ${x}, ${y}`);
}

/** Pixels of the 4-connected region of (x, y) in `m`, as a set of indices. */
function region(m: { data: Uint8Array; width: number; height: number }, x: number, y: number): Set<number> {
  const copy = { width: m.width, height: m.height, data: m.data.slice() };
  const r = floodFill(copy, imagePoint(x + 0.5, y + 0.5), { value: 254, rules: { locked: new Set() } });
  if ('refused' in r) throw new Error(r.refused);
  const out = new Set<number>();
  copy.data.forEach((v, i) => v === 254 && out.add(i));
  return out;
}

/** Two nuclei well away from the stroke's rows (so the stroke cannot touch them): the fill targets. */
function pickNuclei(): [{ x: number; y: number; px: Set<number> }, { x: number; y: number; px: Set<number> }] {
  const { data, width, height } = original;
  const found: { x: number; y: number; px: Set<number> }[] = [];
  const taken = new Set<number>();
  for (let y = STROKE_Y + 40; y < height - 10 && found.length < 2; y++)
    for (let x = 10; x < width - 10 && found.length < 2; x++) {
      const i = y * width + x;
      if (data[i] !== NUCLEUS || taken.has(i)) continue;
      const px = region(original, x, y);
      px.forEach((j) => taken.add(j));
      const rows = [...px].map((j) => Math.floor(j / width));
      if (px.size >= 30 && Math.min(...rows) > STROKE_Y + BRUSH * 2) {
        // A pixel of the nucleus near its middle, to click.
        const c = [...px][Math.floor(px.size / 2)];
        found.push({ x: c % width, y: Math.floor(c / width), px });
      }
    }
  if (found.length < 2) throw new Error('the demo image has fewer than two nuclei to fill');
  return [found[0], found[1]];
}

async function settle(p: Page): Promise<void> {
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function openImage(p: Page): Promise<void> {
  await p.click(`[data-testid=image-table] [data-image="${NAME}"]`);
  await p.waitForFunction(() => (globalThis as unknown as { seglensPerf?: { firstImageAt: number | null } }).seglensPerf?.firstImageAt !== null);
  await p.waitForSelector('[data-testid=editor-toolbar]');
  await settle(p);
}

describe.skipIf(skipWithoutChromium('the annotation editor browser test'))('annotation editor in the browser', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-e2e-editor-'));
    await generateDemoProject(join(tmp, 'demo'), { seed: 1 });
    original = await readLabels(join(tmp, 'demo', 'masks', `${NAME}.png`));
    // A run whose prediction of the image is "nucleus" everywhere, to accept parts of it.
    const run = join(tmp, 'demo', 'runs', RUN);
    await mkdir(join(run, 'predictions'), { recursive: true });
    await writeFile(join(run, 'run.json'), JSON.stringify({ format: 'seglens-run', version: 1, id: RUN, status: 'finished' }));
    await writeFile(join(run, 'config.json'), '{}');
    const pred = Buffer.alloc(original.width * original.height, NUCLEUS);
    await sharp(pred, { raw: { width: original.width, height: original.height, channels: 1 } }).toColourspace('b-w').png().toFile(join(run, 'predictions', `${NAME}.png`));
    ({ server, browser, page, errors } = await openUi([], { SEGLENS_HOME: tmp }));
  }, 120_000);

  afterAll(async () => {
    await closeUi({ browser, server }, tmp);
  });

  let start: { x: number; y: number };
  let end: { x: number; y: number };
  let fills: ReturnType<typeof pickNuclei>;

  it('paints a stroke, fills a nucleus, undoes and redoes, and saves with ctrl+s', { timeout: 90_000 }, async () => {
    fills = pickNuclei();
    await page.goto(server.url);
    await page.click('[data-action=open-demo]');
    await page.waitForSelector('[data-testid=image-table] tbody tr');
    await openImage(page);
    expect(await page.getAttribute('[data-testid=save-status]', 'data-status')).toBe('saved');

    // Brush, nucleus class, 9 px.
    await page.click('[data-tool=brush]');
    await page.click('[data-class-pick=nucleus]');
    await page.fill('[data-testid=brush-size]', String(BRUSH));
    await page.press('[data-testid=brush-size]', 'Enter');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const a = await screenOf(page, STROKE_X[0], STROKE_Y);
    const b = await screenOf(page, STROKE_X[1], STROKE_Y);
    await page.mouse.move(a.sx, a.sy);
    start = await hovered(page);
    await page.mouse.down();
    await page.mouse.move(b.sx, b.sy, { steps: 25 });
    end = await hovered(page);
    await page.mouse.up();
    await settle(page);
    await screenOf(page, end.x, end.y); // the readout of a fresh move sees the painted pixel
    expect((await hovered(page)).gt).toBe('nucleus');
    expect(await page.getAttribute('[data-testid=save-status]', 'data-status')).toBe('dirty');
    await shot(page, 'editor-1-stroke');

    // Flood fill the first nucleus with boundary (key k), then the second one.
    await page.keyboard.press('k');
    await page.click('[data-class-pick=boundary]');
    for (const f of fills) {
      const s = await screenOf(page, f.x, f.y);
      expect((await hovered(page)).gt).toBe('nucleus');
      await page.mouse.click(s.sx, s.sy);
      await screenOf(page, f.x, f.y);
      expect((await hovered(page)).gt).toBe('boundary');
    }
    await shot(page, 'editor-2-fills');

    // Undo both fills, redo the first: the second stays undone.
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    for (const f of fills) {
      await screenOf(page, f.x, f.y);
      expect((await hovered(page)).gt).toBe('nucleus');
    }
    await page.keyboard.press('Control+Shift+z');
    await screenOf(page, fills[0].x, fills[0].y);
    expect((await hovered(page)).gt).toBe('boundary');
    await screenOf(page, fills[1].x, fills[1].y);
    expect((await hovered(page)).gt).toBe('nucleus');
    await settle(page);
    await shot(page, 'editor-3-undo-redo');

    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getAttribute('[data-testid=save-status]', 'data-status'), { timeout: 15_000 }).toBe('saved');
    expect(existsSync(join(tmp, 'demo', 'masks-edited', `${NAME}.png`))).toBe(true);
  });

  it('shows the saved edits after a reload of the page', { timeout: 60_000 }, async () => {
    await page.reload();
    await page.waitForSelector('[data-testid=image-table] tbody tr, [data-testid=editor-toolbar]');
    if (!(await page.$('[data-testid=editor-toolbar]'))) await openImage(page);
    await page.waitForFunction(() => (globalThis as unknown as { seglensPerf?: { firstImageAt: number | null } }).seglensPerf?.firstImageAt != null);
    await settle(page);
    await screenOf(page, Math.round((start.x + end.x) / 2), STROKE_Y);
    expect((await hovered(page)).gt).toBe('nucleus');
    await screenOf(page, fills[0].x, fills[0].y);
    expect((await hovered(page)).gt).toBe('boundary');
    await shot(page, 'editor-4-after-reload');
  });

  it('wrote exactly the stroke and the redone fill into masks-edited/, the imported mask untouched', async () => {
    const saved = await readLabels(join(tmp, 'demo', 'masks-edited', `${NAME}.png`));
    const imported = await readLabels(join(tmp, 'demo', 'masks', `${NAME}.png`));
    expect(imported.data).toEqual(original.data);
    expect([saved.width, saved.height]).toEqual([original.width, original.height]);
    const w = saved.width;
    const r = BRUSH / 2;
    // Distance of a pixel centre to the stroke's segment (hover gives the pixel; the pointer was inside it).
    const x0 = start.x + 0.5, x1 = end.x + 0.5, y0 = start.y + 0.5, y1 = end.y + 0.5;
    const dist = (x: number, y: number) => {
      const dx = x1 - x0, dy = y1 - y0;
      const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
      return Math.hypot(x - (x0 + t * dx), y - (y0 + t * dy));
    };
    let stroke = 0;
    for (let i = 0; i < saved.data.length; i++) {
      const x = (i % w) + 0.5, y = Math.floor(i / w) + 0.5;
      const d = dist(x, y);
      if (fills[0].px.has(i)) expect(saved.data[i], `filled pixel ${i}`).toBe(BOUNDARY);
      else if (d <= r - 1.5) expect(saved.data[i], `stroke pixel ${x - 0.5}, ${y - 0.5}`).toBe(NUCLEUS);
      else if (d > r + 1.5) expect(saved.data[i], `untouched pixel ${x - 0.5}, ${y - 0.5}`).toBe(original.data[i]);
      else expect([NUCLEUS, original.data[i]]).toContain(saved.data[i]);
      if (saved.data[i] !== original.data[i] && !fills[0].px.has(i)) stroke++;
    }
    expect(stroke).toBeGreaterThan(100);
    for (const i of fills[1].px) expect(saved.data[i]).toBe(NUCLEUS); // undone, not redone
    expect(errors).toEqual([]);
  });

  /** A brush stroke along image row y from x0 to x1 with the current tool and class. */
  async function strokeRow(y: number, x0: number, x1: number): Promise<void> {
    const a = await screenOf(page, x0, y);
    const b = await screenOf(page, x1, y);
    await page.mouse.move(a.sx, a.sy);
    await page.mouse.down();
    await page.mouse.move(b.sx, b.sy, { steps: 25 });
    await page.mouse.up();
  }
  const status = () => page.getAttribute('[data-testid=save-status]', 'data-status');
  const editedFile = () => join(tmp, 'demo', 'masks-edited', `${NAME}.png`);

  it('keeps a locked class under the brush and saves by itself after an idle pause', { timeout: 60_000 }, async () => {
    const before = await readLabels(editedFile());
    const w = before.width;
    // A row crossing nuclei and background, away from the earlier edits.
    let row = -1;
    for (let y = before.height - 20; y > STROKE_Y + 20 && row < 0; y--) {
      let n = 0;
      for (let x = 30; x < 220; x++) if (before.data[y * w + x] === NUCLEUS) n++;
      if (n > 30 && n < 150) row = y;
    }
    expect(row).toBeGreaterThan(0);
    await page.click('[data-lock=nucleus]');
    expect(await page.getAttribute('[data-lock=nucleus]', 'aria-pressed')).toBe('true');
    await page.click('[data-tool=brush]');
    await page.click('[data-class-pick=boundary]');
    await strokeRow(row, 30, 219);
    expect(await status()).not.toBe('saved');
    // No ctrl+s: the autosave after 2 s idle writes it.
    await expect.poll(status, { timeout: 15_000 }).toBe('saved');
    await shot(page, 'editor-5-locked-autosaved');
    const after = await readLabels(editedFile());
    let painted = 0;
    for (let x = 34; x < 215; x++) {
      const i = row * w + x;
      if (before.data[i] === NUCLEUS) expect(after.data[i], `locked nucleus pixel ${x}, ${row}`).toBe(NUCLEUS);
      else if (after.data[i] === BOUNDARY) painted++;
    }
    expect(painted).toBeGreaterThan(20);
    await page.click('[data-lock=nucleus]');
  });

  it('on a mask changed on disk, asks: overwrite keeps the edits, reload keeps the disk version', { timeout: 60_000 }, async () => {
    /** Another program writes the edited mask: a block of boundary in the top-left corner. */
    async function writeOnDisk(): Promise<Uint8Array> {
      const cur = await readLabels(editedFile());
      const d = cur.data.slice();
      for (let y = 0; y < 8; y++) d.fill(BOUNDARY, y * cur.width, y * cur.width + 8);
      await sharp(Buffer.from(d), { raw: { width: cur.width, height: cur.height, channels: 1 } }).toColourspace('b-w').png().toFile(editedFile());
      return d;
    }
    const y = STROKE_Y + 12;
    await page.click('[data-class-pick=background]');

    const external = await writeOnDisk();
    await strokeRow(y, 60, 180);
    await page.keyboard.press('Control+s');
    await page.waitForSelector('[data-testid=save-conflict]');
    expect(await status()).toBe('conflict');
    await shot(page, 'editor-6-conflict');
    await page.click('[data-action=conflict-overwrite]');
    await expect.poll(status, { timeout: 15_000 }).toBe('saved');
    const mine = await readLabels(editedFile());
    expect(mine.data[y * mine.width + 120]).toBe(0); // my stroke (background)
    expect(mine.data[0]).toBe(original.data[0]); // the other program's block is replaced
    expect(external[0]).toBe(BOUNDARY);

    const external2 = await writeOnDisk();
    await page.click('[data-class-pick=nucleus]');
    await strokeRow(y, 60, 180);
    await page.keyboard.press('Control+s');
    await page.waitForSelector('[data-testid=save-conflict]');
    await page.click('[data-action=conflict-reload]');
    await expect.poll(status, { timeout: 15_000 }).toBe('saved');
    await settle(page);
    await shot(page, 'editor-7-reloaded');
    await screenOf(page, 120, y);
    expect((await hovered(page)).gt).toBe('background'); // my discarded stroke is gone from the view
    await screenOf(page, 2, 2);
    expect((await hovered(page)).gt).toBe('boundary'); // the disk version is shown
    const disk = await readLabels(editedFile());
    expect(disk.data).toEqual(external2); // and was not written over
    expect(errors).toEqual([]);
  });

  it('saves the edits when the user goes to another image, and shows them on coming back', { timeout: 60_000 }, async () => {
    const y = STROKE_Y + 30;
    const before = await readLabels(editedFile());
    await page.click('[data-class-pick=boundary]');
    await strokeRow(y, 60, 180);
    expect(await status()).toBe('dirty');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('PageDown'); // next image, at once (no idle time for the autosave)
    await expect.poll(() => page.inputValue('[data-testid=image-select]')).not.toBe(NAME);
    await expect.poll(async () => (await readLabels(editedFile())).data[y * before.width + 120], { timeout: 10_000 }).toBe(BOUNDARY);
    await page.keyboard.press('PageUp');
    await expect.poll(() => page.inputValue('[data-testid=image-select]')).toBe(NAME);
    await expect.poll(async () => (await screenOf(page, 120, y), (await hovered(page)).gt), { timeout: 10_000 }).toBe('boundary');
    expect(await status()).toBe('saved');
    await shot(page, 'editor-8-back-to-image');
    expect(errors).toEqual([]);
  });

  it('erases to unlabelled or, chosen explicitly, to background', { timeout: 60_000 }, async () => {
    const y1 = STROKE_Y + 45;
    const y2 = STROKE_Y + 60;
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('x');
    expect(await page.getAttribute('[data-tool=eraser]', 'aria-pressed')).toBe('true');
    expect(await page.inputValue('[aria-label="Eraser target"]')).toBe('unlabelled');
    await strokeRow(y1, 40, 200);
    expect((await hovered(page)).gt).toBe('unlabelled'); // the readout follows the edit under the pointer
    await page.keyboard.press('u');
    expect(await page.inputValue('[aria-label="Eraser target"]')).toBe('background');
    await strokeRow(y2, 40, 200);
    expect((await hovered(page)).gt).toBe('background');
    await page.keyboard.press('Control+s');
    await expect.poll(status, { timeout: 15_000 }).toBe('saved');
    const m = await readLabels(editedFile());
    for (let x = 45; x < 195; x++) {
      expect(m.data[y1 * m.width + x], `erased pixel ${x}, ${y1}`).toBe(255);
      expect(m.data[y2 * m.width + x], `erased pixel ${x}, ${y2}`).toBe(0);
    }
    await shot(page, 'editor-9-erased');
    expect(errors).toEqual([]);
  });

  /** Drag a closed path through image points with the current tool. */
  async function drawPath(pts: [number, number][]): Promise<void> {
    const s = [];
    for (const [x, y] of pts) s.push(await screenOf(page, x, y));
    await page.mouse.move(s[0].sx, s[0].sy);
    await page.mouse.down();
    for (const q of s.slice(1)) await page.mouse.move(q.sx, q.sy, { steps: 10 });
    await page.mouse.up();
  }
  /** Whether pixel (x, y)'s centre is inside the axis-aligned box [x0, x1) x [y0, y1). */
  const inside = (x: number, y: number, b: number[]) => x >= b[0] && x < b[2] && y >= b[1] && y < b[3];

  it('fills a lasso with the class, and accepts the prediction inside a drawn region only', { timeout: 60_000 }, async () => {
    const before = await readLabels(editedFile());
    const w = before.width;
    // Lasso: a rectangle of boundary.
    const lasso = [150, 100, 190, 140];
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('l');
    await page.click('[data-class-pick=boundary]');
    await drawPath([[lasso[0], lasso[1]], [lasso[2], lasso[1]], [lasso[2], lasso[3]], [lasso[0], lasso[3]]]);
    // Accept the prediction (nucleus everywhere) inside another rectangle.
    await page.selectOption('[aria-label=Run]', RUN);
    await expect.poll(() => page.locator('[data-action=accept-class]').isEnabled(), { timeout: 10_000 }).toBe(true);
    const region = [40, 150, 90, 200];
    await page.click('[data-tool=accept]');
    await drawPath([[region[0], region[1]], [region[2], region[1]], [region[2], region[3]], [region[0], region[3]]]);
    await settle(page);
    await shot(page, 'editor-10-lasso-accept');
    await page.keyboard.press('Control+s');
    await expect.poll(status, { timeout: 15_000 }).toBe('saved');
    const m = await readLabels(editedFile());
    let changed = 0;
    for (let y = 0; y < m.height; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        // One pixel of slack at the edges: the path's corners are the hovered pixels (±1).
        const inL = inside(x, y, [lasso[0] + 2, lasso[1] + 2, lasso[2] - 1, lasso[3] - 1]);
        const inR = inside(x, y, [region[0] + 2, region[1] + 2, region[2] - 1, region[3] - 1]);
        const nearL = inside(x, y, [lasso[0] - 2, lasso[1] - 2, lasso[2] + 3, lasso[3] + 3]);
        const nearR = inside(x, y, [region[0] - 2, region[1] - 2, region[2] + 3, region[3] + 3]);
        if (inL) expect(m.data[i], `lasso pixel ${x}, ${y}`).toBe(BOUNDARY);
        else if (inR) expect(m.data[i], `accepted pixel ${x}, ${y}`).toBe(NUCLEUS);
        else if (!nearL && !nearR) expect(m.data[i], `pixel ${x}, ${y} outside both`).toBe(before.data[i]);
        if (m.data[i] !== before.data[i]) changed++;
      }
    expect(changed).toBeGreaterThan(500);
    expect(errors).toEqual([]);
  });
});
