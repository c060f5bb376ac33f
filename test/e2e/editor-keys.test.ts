// The annotation editor as napari and QuPath users expect it (issue 11, section 7): a brush
// outline at the brush size, [ and ] change the size, keys are never stuck in a field (Enter,
// Escape, a choice in a list give them back), a flood fill of a large region asks first, the
// tools work in every pane of side by side, and the ground-truth layer says "edited".
// Screenshots: test-output/e2e/editor-keys-*.png.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { closeUi, ensureRendererBuilt, openUi, shot, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';

const NAME = 'demo_04';
let tmp: string;
let server: Served;
let browser: Browser;
let page: Page;
let errors: string[];
let gt: { data: Uint8Array; width: number; height: number };

/** The image pixel and ground-truth class the status bar reports under the mouse. */
async function hovered(p: Page): Promise<{ x: number; y: number; gt: string }> {
  const t = (await p.textContent('[data-testid=hover]')) ?? '';
  const m = /x (\d+), y (\d+): .*ground truth (\w+)/.exec(t);
  if (!m) {
    await shot(p, 'editor-keys-no-hover');
    throw new Error(`no hover readout: ${t}`);
  }
  return { x: Number(m[1]), y: Number(m[2]), gt: m[3] };
}

/** Screen position of image pixel (x, y) in a pane, found through the hover readout. */
async function screenOf(p: Page, pane: string, x: number, y: number): Promise<{ sx: number; sy: number }> {
  const box = (await p.locator(`[data-pane="${pane}"]`).boundingBox())!;
  await p.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  const a = await hovered(p);
  await p.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7);
  const b = await hovered(p);
  const scale = (box.width * 0.4) / (b.x - a.x);
  let sx = box.x + box.width * 0.3 + (x - a.x) * scale + scale / 2;
  let sy = box.y + box.height * 0.3 + (y - a.y) * scale + scale / 2;
  for (let i = 0; i < 4; i++) {
    await p.mouse.move(sx, sy);
    const h = await hovered(p);
    if (h.x === x && h.y === y) return { sx, sy };
    sx += (x - h.x) * scale * 0.9;
    sy += (y - h.y) * scale * 0.9;
  }
  throw new Error(`could not place the mouse on pixel ${x}, ${y} in pane ${pane}`);
}

const size = (p: Page) => p.inputValue('[data-testid=brush-size]').then(Number);

describe.skipIf(skipWithoutChromium('the editor keys browser test'))('editor ergonomics (issue 11)', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-e2e-keys-'));
    await generateDemoProject(join(tmp, 'demo'), { seed: 1 });
    const { data, info } = await sharp(join(tmp, 'demo', 'masks', `${NAME}.png`)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    gt = { data: new Uint8Array(data), width: info.width, height: info.height };
    ({ server, browser, page, errors } = await openUi([join(tmp, 'demo')], { SEGLENS_HOME: tmp }));
    await page.goto(server.url);
    await page.click(`[data-testid=image-table] [data-image="${NAME}"]`);
    await page.waitForFunction(() => (globalThis as unknown as { seglensPerf?: { firstImageAt: number | null } }).seglensPerf?.firstImageAt !== null);
  }, 120_000);

  afterAll(async () => {
    await closeUi({ browser, server }, tmp);
  });

  it('draws the brush outline at the brush size, and [ ] change the size', { timeout: 60_000 }, async () => {
    await page.click('[data-tool=brush]');
    await page.fill('[data-testid=brush-size]', '20');
    await page.press('[data-testid=brush-size]', 'Enter');
    // Enter gave the keys back: ] is a shortcut again, not a character in the field.
    await page.keyboard.press(']');
    await expect.poll(() => size(page)).toBe(24);
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    await expect.poll(() => size(page)).toBe(17); // steps of about 20 %: 24 -> 20 -> 17
    const box = (await page.locator('[data-pane=main]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const outline = page.locator('[data-pane=main] [data-testid=brush-outline]');
    await outline.waitFor();
    const zoom = Number((await page.textContent('[data-testid=zoom]'))!.replace(/[^\d.]/g, '')) / 100;
    expect(Number(await outline.getAttribute('data-r'))).toBeCloseTo((17 / 2) * zoom, 0);
    await shot(page, 'editor-keys-1-brush-outline');
    await page.click('[data-tool=none]');
    await page.mouse.move(box.x + box.width / 2 + 5, box.y + box.height / 2);
    expect(await outline.count()).toBe(0);
  });

  it('never leaves the keys in a field: Escape, Enter, and a choice in a list give them back', { timeout: 60_000 }, async () => {
    const gtShown = () => page.isChecked('[data-layer=gt]');
    expect(await gtShown()).toBe(true);
    await page.click('[data-testid=brush-size]');
    await page.keyboard.press('Escape');
    await page.keyboard.press('g');
    expect(await gtShown()).toBe(false);
    await page.selectOption('select[aria-label="Eraser target"]', 'background');
    await page.keyboard.press('g'); // not a letter typed into the list
    expect(await gtShown()).toBe(true);
    expect(await page.inputValue('select[aria-label="Eraser target"]')).toBe('background');
    await page.selectOption('select[aria-label="Eraser target"]', 'unlabelled');
  });

  it('asks before a fill larger than 5 % of the image, and the ground-truth layer then says edited', { timeout: 60_000 }, async () => {
    // A background pixel in the middle region of the image (the background is one large region).
    let at = { x: -1, y: -1 };
    for (let y = 100; y < 160 && at.x < 0; y++) for (let x = 100; x < 160; x++) if (gt.data[y * gt.width + x] === 0) { at = { x, y }; break; }
    expect(at.x).toBeGreaterThan(0);
    await page.click('[data-tool=fill]');
    await page.click('[data-class-pick=nucleus]');
    const p = await screenOf(page, 'main', at.x, at.y);
    await page.mouse.click(p.sx, p.sy);
    await page.waitForSelector('[data-testid=fill-confirm]');
    expect(await page.textContent('[data-testid=fill-confirm]')).toMatch(/more than 3,276 pixels/);
    await shot(page, 'editor-keys-2-fill-asks');
    await page.click('[data-action=fill-cancel]');
    await page.mouse.move(p.sx, p.sy);
    expect((await hovered(page)).gt).toBe('background'); // nothing changed
    expect(await page.getAttribute('[data-testid=save-status]', 'data-status')).toBe('saved');
    await page.mouse.click(p.sx, p.sy);
    await page.click('[data-action=fill-confirm]');
    await page.mouse.move(p.sx, p.sy);
    await expect.poll(async () => (await hovered(page)).gt).toBe('nucleus');
    expect(await page.textContent('[data-testid=gt-note]')).toMatch(/edited/);
    await expect.poll(() => page.textContent('[data-testid=gt-note]'), { timeout: 15_000 }).toMatch(/^edited: masks-edited\//);
    await page.mouse.move(p.sx, p.sy);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await hovered(page)).gt).toBe('background');
  });

  it('paints in every pane of side by side', { timeout: 60_000 }, async () => {
    await page.keyboard.press('s');
    await expect.poll(() => page.locator('[data-pane]').count()).toBe(3);
    await page.click('[data-tool=brush]');
    await page.click('[data-class-pick=boundary]');
    await page.fill('[data-testid=brush-size]', '6');
    await page.press('[data-testid=brush-size]', 'Enter');
    let at = { x: -1, y: -1 };
    for (let y = 60; y < 200 && at.x < 0; y++) for (let x = 60; x < 200; x++) if (gt.data[y * gt.width + x] === 0 && gt.data[y * gt.width + x + 3] === 0) { at = { x, y }; break; }
    for (const pane of ['original', 'prediction: none']) {
      const p = await screenOf(page, pane, at.x, at.y);
      await page.mouse.move(p.sx, p.sy);
      await page.mouse.down();
      await page.mouse.move(p.sx + 8, p.sy, { steps: 4 });
      await page.mouse.up();
      await page.mouse.move(p.sx, p.sy);
      await expect.poll(async () => (await hovered(page)).gt, { timeout: 5_000 }).toBe('boundary');
      expect(await page.locator(`[data-pane="${pane}"] [data-testid=brush-outline]`).count()).toBe(1);
      await page.keyboard.press('Control+z');
      await expect.poll(async () => (await hovered(page)).gt).toBe('background');
    }
    // Without a run, the prediction pane says why it is empty.
    expect(await page.textContent('[data-pane="prediction: none"] [data-testid=pane-note]')).toMatch(/No run yet/);
    await shot(page, 'editor-keys-3-side-by-side');
    await page.click('[data-tool=none]');
    await page.keyboard.press('s');
    expect(errors).toEqual([]);
  });
});
