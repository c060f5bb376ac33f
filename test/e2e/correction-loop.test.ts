// The correction loop of issue 15 in Chromium against `seglens serve` on a demo project with a run
// trained on the command line (such a run holds no predictions yet): open an image, predict it
// with the run, accept the prediction's nuclei and correct it with the brush, save, "Fine-tune
// now" for one short epoch, and see the new run take over: its lineage points to the first run,
// the corrected mask was in its training data, and the next image's prediction shown is the new
// run's (its file written by the fine-tuning job). Screenshots: test-output/e2e/loop-*.png.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seglens } from '../helpers/cli.ts';
import { closeUi, ensureRendererBuilt, openUi, shot, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';

let tmp: string;
let demo: string;
let parent: string;
let server: Served;
let browser: Browser;
let page: Page;
let errors: string[];

async function settle(p: Page): Promise<void> {
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** The status bar's readout under the mouse at a fraction of the main pane. */
async function readout(p: Page, fx: number, fy: number): Promise<{ x: number; y: number; gt: string; pred: string }> {
  const box = (await p.locator('[data-pane=main]').boundingBox())!;
  await p.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
  const t = (await p.textContent('[data-testid=hover]')) ?? '';
  const m = /x (\d+), y (\d+): .*ground truth (\S+) · prediction (\S+)/.exec(t);
  if (!m) throw new Error(`no hover readout: ${t}`);
  return { x: Number(m[1]), y: Number(m[2]), gt: m[3], pred: m[4] };
}

describe.skipIf(skipWithoutChromium('the correction-loop browser test'))('correction loop in the browser', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-e2e-loop-'));
    demo = join(tmp, 'demo');
    expect((await seglens(['demo', demo, '--count', '8', '--size', '128', '--clean'])).code).toBe(0);
    const t = await seglens(['train', demo, '--epochs', '1', '--steps', '6', '--patch', '64', '--batch', '2']);
    expect(t.code, t.stdout + t.stderr).toBe(0);
    parent = (await readdir(join(demo, 'runs')))[0];
    ({ server, browser, page, errors } = await openUi([demo], { SEGLENS_HOME: tmp }, { width: 1500, height: 950 }));
  }, 180_000);

  afterAll(async () => {
    await closeUi({ browser, server }, tmp);
  });

  let image: string;
  let child: string;

  it('predicts the open image with the run, accepts and corrects it, and saves the correction', { timeout: 120_000 }, async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=image-table] tbody tr');
    image = (await page.getAttribute('[data-testid=image-table] [data-image]', 'data-image'))!;
    await page.click(`[data-testid=image-table] [data-image="${image}"]`);
    await page.waitForSelector('[data-testid=loop-bar]');
    await page.waitForFunction(() => (globalThis as unknown as { seglensPerf?: { firstImageAt: number | null } }).seglensPerf?.firstImageAt != null);
    expect(await page.textContent('[data-testid=prediction-run]')).toBe(`run ${parent}`);
    expect(await page.textContent('[data-testid=loop-bar]')).toContain('none of this image yet');
    expect((await readout(page, 0.5, 0.5)).pred).toBe('-');
    await shot(page, 'loop-1-no-prediction');

    await page.click('[data-action=predict-image]');
    await expect.poll(async () => (await readout(page, 0.5, 0.5)).pred, { timeout: 60_000 }).not.toBe('-');
    expect(existsSync(join(demo, 'runs', parent, 'predictions', `${image}.png`))).toBe(true);
    await settle(page);
    await shot(page, 'loop-2-predicted');

    // Accept the predicted nuclei, then paint a boundary stroke over the middle as a correction.
    await page.click('[data-class-pick=nucleus]');
    await page.click('[data-action=accept-class]');
    await page.click('[data-tool=brush]');
    await page.click('[data-class-pick=boundary]');
    await page.fill('[data-testid=brush-size]', '5');
    await page.press('[data-testid=brush-size]', 'Enter');
    const box = (await page.locator('[data-pane=main]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.5, { steps: 15 });
    await page.mouse.up();
    await settle(page);
    expect((await readout(page, 0.5, 0.5)).gt).toBe('boundary');
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getAttribute('[data-testid=save-status]', 'data-status'), { timeout: 15_000 }).toBe('saved');
    await shot(page, 'loop-3-corrected');
    const saved = join(demo, 'masks-edited', `${image}.png`);
    expect(existsSync(saved)).toBe(true);
    const { data, info } = await sharp(saved).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const row = Math.floor(info.height / 2);
    expect(Array.from(data.subarray(row * info.width + Math.floor(info.width * 0.4), row * info.width + Math.floor(info.width * 0.6)))).toEqual(new Array(Math.floor(info.width * 0.6) - Math.floor(info.width * 0.4)).fill(2));
  });

  it('fine-tunes now on the corrected masks and shows the new run\'s prediction of the next image', { timeout: 240_000 }, async () => {
    await page.fill('[data-testid=finetune-epochs]', '1');
    await page.click('[data-action=fine-tune]');
    await expect.poll(() => page.getAttribute('[data-testid=loop-status]', 'data-state'), { timeout: 30_000 }).toMatch(/running|done/);
    await shot(page, 'loop-4-fine-tuning');
    await expect.poll(() => page.getAttribute('[data-testid=loop-status]', 'data-state'), { timeout: 200_000 }).toBe('done');
    child = (await readdir(join(demo, 'runs'))).find((r) => r !== parent)!;
    expect(child).toBeTruthy();
    await expect.poll(() => page.textContent('[data-testid=prediction-run]'), { timeout: 30_000 }).toBe(`run ${child}`);
    expect(await page.textContent('[data-testid=loop-status]')).toContain(`fine-tuned from ${parent}`);
    const info = JSON.parse(readFileSync(join(demo, 'runs', child, 'run.json'), 'utf8'));
    expect(info.parent).toMatchObject({ runId: parent, head: 'kept' });
    const split = JSON.parse(readFileSync(join(demo, 'runs', child, 'split.json'), 'utf8'));
    const parentSplit = JSON.parse(readFileSync(join(demo, 'runs', parent, 'split.json'), 'utf8'));
    expect(split.val).toEqual(parentSplit.val);
    const cfg = JSON.parse(readFileSync(join(demo, 'runs', child, 'config.json'), 'utf8'));
    expect(cfg.epochs).toBe(1);
    expect(cfg.optimizer.lr).toBeCloseTo(JSON.parse(readFileSync(join(demo, 'runs', parent, 'config.json'), 'utf8')).optimizer.lr / 10, 12);
    await settle(page);
    await shot(page, 'loop-5-fine-tuned');

    // The next image: predicted by the fine-tuned run (the job predicted every image with it).
    await page.click('button[aria-label="Next image"]');
    await expect.poll(async () => (await readout(page, 0.5, 0.5)).pred, { timeout: 30_000 }).not.toBe('-');
    const next = await page.inputValue('[data-testid=image-select]');
    expect(next).not.toBe(image);
    expect(await page.textContent('[data-testid=prediction-run]')).toBe(`run ${child}`);
    expect(existsSync(join(demo, 'runs', child, 'predictions', `${next}.png`))).toBe(true);
    expect(await page.textContent('[data-testid=loop-bar]')).not.toContain('none of this image yet');
    await settle(page);
    await shot(page, 'loop-6-next-image');

    // The training view offers both runs to train from (the button starts a run like the loop's).
    await page.click('[data-view=training]');
    const options = await page.locator('[data-testid=from-run] option').allTextContents();
    expect(options.some((o) => o.startsWith(parent))).toBe(true);
    expect(options.some((o) => o.startsWith(child))).toBe(true);
    await page.selectOption('[data-testid=from-run]', child);
    expect(await page.isEnabled('[data-action=train-from]')).toBe(true);
    await shot(page, 'loop-7-train-from-run');
    expect(errors).toEqual([]);
  });
});
