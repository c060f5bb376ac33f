// The review UI in Chromium against `seglens serve` (browser mode), as a biologist uses it: open the
// demo, toggle overlays (and check the pixels on the canvas and the error-map counts), side by side
// with synced zoom, the scatter of a planted run with its deceptive images, click one, a short
// training whose curves move, stop it, export a report. Screenshots: test-output/e2e/.
// (issue 5, section 4)
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { closeUi, ensureRendererBuilt, openUi, shot, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';
import { PLANTED_RUN, expectedErrorCounts, expectedScores, plantReviewRun } from './review-fixture.ts';
import type { PlantedImage } from './review-fixture.ts';

let tmp: string;
let server: Served;
let browser: Browser;
let page: Page;
let errors: string[];
let planted: PlantedImage[];

/** Pixels of a pane's Konva canvas: how many are coloured (not grey), and a checksum. */
async function canvasStats(p: Page, pane = 'main'): Promise<{ coloured: number; sum: number; nonBlack: number }> {
  return p.evaluate((name) => {
    const c = document.querySelector(`[data-pane="${name}"] canvas`) as HTMLCanvasElement | null;
    if (!c) throw new Error(`no canvas in pane ${name}`);
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let coloured = 0;
    let sum = 0;
    let nonBlack = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - d[i + 1]) > 24 || Math.abs(d[i + 1] - d[i + 2]) > 24) coloured++;
      if (d[i] + d[i + 1] + d[i + 2] > 30) nonBlack++;
      sum = (sum + d[i] * 3 + d[i + 1] * 5 + d[i + 2] * 7) % 1_000_000_007;
    }
    return { coloured, sum, nonBlack };
  }, pane);
}

/** Waits for the panes to have drawn (two animation frames after the last change). */
async function settle(p: Page): Promise<void> {
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

describe.skipIf(skipWithoutChromium('the review UI browser test'))('review UI in the browser', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-e2e-'));
    // The demo as `Open the demo project` generates it (seed 1, 12 images of 256 x 256), made
    // beforehand so a planted run with known predictions can sit in it.
    await generateDemoProject(join(tmp, 'demo'), { seed: 1 });
    planted = await plantReviewRun(join(tmp, 'demo'));
    ({ server, browser, page, errors } = await openUi([], { SEGLENS_HOME: tmp }));
  }, 120_000);

  afterAll(async () => {
    await closeUi({ browser, server }, tmp);
  });

  it('opens the demo and lists its images with class presence and annotation status', { timeout: 60_000 }, async () => {
    await page.goto(server.url);
    // A folder that is not a project: the engine's error, by name, with what to do.
    await page.fill('#folder', join(tmp, 'no-such-project'));
    await page.press('#folder', 'Enter');
    const err = page.locator('[role=alert]');
    await err.waitFor();
    expect(await err.getAttribute('data-error-name')).toMatch(/Error$/);
    expect(await err.innerText()).toContain('no-such-project');
    expect(await err.innerText()).toContain('What to do');
    await shot(page, '00-open-error');
    await page.click('[role=alert] button[aria-label=Dismiss]');
    await page.click('[data-action=open-demo]');
    await page.waitForSelector('[data-testid=image-table] tbody tr');
    const rows = page.locator('[data-testid=image-table] tbody tr');
    await expect.poll(() => rows.count()).toBe(12);
    const first = await rows.first().innerText();
    expect(first).toContain('demo_01');
    expect(first).toContain('imported');
    expect(first).toContain(PLANTED_RUN);
    await page.waitForSelector('[data-testid=no-problems], [data-testid=problems], [data-testid=findings]');
    // The demo's planted pairing error is found from the pixels and shown with its images.
    expect(await page.locator('[data-testid=findings]').innerText()).toMatch(/pairing-suspect/);
    await shot(page, '01-project', true);
  });

  it('draws the image with its overlays, and the toggles change the pixels on the canvas', { timeout: 60_000 }, async () => {
    const target = planted[1]; // demo_02: nuclei shifted, boundary never predicted
    await page.click(`[data-testid=image-table] [data-image="${target.name}"]`);
    await page.waitForFunction(() => (globalThis as unknown as { seglensPerf?: { firstImageAt: number | null } }).seglensPerf?.firstImageAt !== null);
    await expect.poll(() => page.textContent('[data-testid=prediction-note]')).toContain(PLANTED_RUN);
    await settle(page);
    const all = await canvasStats(page);
    expect(all.nonBlack).toBeGreaterThan(10_000); // the image is on screen
    expect(all.coloured).toBeGreaterThan(1_000); // ground-truth outlines and the prediction fill
    await shot(page, '02-image-overlays');

    await page.uncheck('[data-layer=pred]');
    await settle(page);
    const gtOnly = await canvasStats(page);
    expect(gtOnly.coloured).toBeLessThan(all.coloured);
    await page.uncheck('[data-layer=gt]');
    await settle(page);
    const plain = await canvasStats(page);
    expect(plain.coloured).toBeLessThan(gtOnly.coloured / 10); // grey original only
    await page.keyboard.press('g'); // shortcut: ground truth back on
    await settle(page);
    expect((await canvasStats(page)).coloured).toBe(gtOnly.coloured);
    // Hiding one class removes its pixels: the nucleus outlines go, the boundary ones stay.
    await page.uncheck('[data-class=nucleus]');
    await settle(page);
    const boundaryOnly = await canvasStats(page);
    expect(boundaryOnly.coloured).toBeLessThan(gtOnly.coloured);
    expect(boundaryOnly.coloured).toBeGreaterThan(0);
    await page.check('[data-class=nucleus]');

    // The error map: its legend counts equal an independent count of the planted pair.
    await page.uncheck('[data-layer=gt]');
    await page.check('[data-layer=error]');
    const want = expectedErrorCounts(target);
    expect(want.fn).toBeGreaterThan(0);
    expect(want.fp).toBeGreaterThan(0);
    const legend = await page.locator('[data-testid=error-legend] b').allInnerTexts();
    expect(legend.map(Number)).toEqual([want.tp, want.fp, want.fn]);
    await settle(page);
    expect((await canvasStats(page)).coloured).toBeGreaterThan(plain.coloured + 1_000);
    await shot(page, '03-error-map');
  });

  it('shows the 16-bit value under the pointer and re-contrasts on the canvas without asking the engine', { timeout: 30_000 }, async () => {
    const target = planted[1];
    const { data } = await sharp(join(tmp, 'demo', 'images', `${target.name}.tif`)).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const raw = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
    const box = (await page.locator('[data-pane=main]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.45);
    const hover = (await page.textContent('[data-testid=hover]')) ?? '';
    const m = /x (\d+), y (\d+): value (\d+)/.exec(hover);
    expect(m, hover).not.toBeNull();
    const [x, y, v] = m!.slice(1).map(Number);
    expect(v).toBe(raw[y * target.width + x]);
    expect(hover).toMatch(/ground truth (background|nucleus|boundary)/);

    let pixelRequests = 0;
    page.on('request', (r) => r.url().includes('/data/') && pixelRequests++);
    await page.uncheck('[data-layer=error]');
    await settle(page);
    const before = await canvasStats(page);
    await page.fill('input[aria-label="Display maximum value"]', '1000');
    await page.press('input[aria-label="Display maximum value"]', 'Enter');
    await settle(page);
    const brighter = await canvasStats(page);
    expect(brighter.nonBlack).toBeGreaterThan(before.nonBlack);
    await page.click('button:has-text("Auto")');
    await settle(page);
    const lo = Number(await page.inputValue('input[aria-label="Display minimum value"]'));
    const hi = Number(await page.inputValue('input[aria-label="Display maximum value"]'));
    // Auto saturates 0.35 % at each end of this image's own values.
    const sorted = Float64Array.from(raw).sort();
    expect(lo).toBeGreaterThanOrEqual(sorted[Math.floor(sorted.length * 0.002)]);
    expect(lo).toBeLessThanOrEqual(sorted[Math.floor(sorted.length * 0.005)]);
    expect(hi).toBeGreaterThanOrEqual(sorted[Math.floor(sorted.length * 0.995)]);
    expect(hi).toBeLessThanOrEqual(sorted[Math.floor(sorted.length * 0.998)]);
    expect(pixelRequests).toBe(0);
    await shot(page, '04-contrast-auto');
    await page.click('button:has-text("Reset")');
  });

  it('shows original | ground truth | prediction side by side with one zoom for all panes', { timeout: 30_000 }, async () => {
    await page.check('[data-layer=gt]');
    await page.uncheck('[data-layer=error]');
    await page.check('[data-layer=pred]');
    await page.keyboard.press('s');
    await expect.poll(() => page.locator('[data-pane]').count()).toBe(3);
    await settle(page);
    const zoom0 = await page.textContent('[data-testid=zoom]');
    const before = await Promise.all(['original', 'ground truth', 'prediction'].map((p) => canvasStats(page, p)));
    expect(before[0].coloured).toBeLessThan(100); // the original pane has no overlay
    expect(before[1].coloured).toBeGreaterThan(500);
    expect(before[2].coloured).toBeGreaterThan(500);
    const box = (await page.locator('[data-pane="ground truth"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300); // zoom in about the pointer, in the middle pane
    await expect.poll(() => page.textContent('[data-testid=zoom]')).not.toBe(zoom0);
    await settle(page);
    const after = await Promise.all(['original', 'ground truth', 'prediction'].map((p) => canvasStats(page, p)));
    for (let i = 0; i < 3; i++) expect(after[i].sum).not.toBe(before[i].sum); // every pane followed
    await page.keyboard.press('?');
    await page.waitForSelector('[role=dialog][aria-label="Keyboard shortcuts"]');
    await shot(page, '05-side-by-side-help');
    await page.keyboard.press('Escape');
    await page.keyboard.press('s');
  });

  it('plots the planted run: the deceptive corner holds exactly the deceptive images, and a click opens one', { timeout: 60_000 }, async () => {
    await page.click('[data-view=metrics]');
    await page.selectOption('[data-testid=metrics-run]', PLANTED_RUN);
    await page.waitForSelector('[data-testid=scatter] circle.pt');
    const points = page.locator('[data-testid=scatter] circle.pt');
    expect(await points.count()).toBe(planted.length);
    const shown = await page.locator('[data-testid=scatter] circle.pt[data-deceptive=true]').evaluateAll((els) => els.map((e) => e.getAttribute('data-image')).sort());
    const want = planted.filter((p) => expectedScores(p).deceptive).map((p) => p.name).sort();
    expect(want.length).toBeGreaterThan(0);
    expect(shown).toEqual(want);
    // The findings name them too, and the table sorts (gap descending first: deceptive rows on top).
    const linked = await page.locator('[data-finding=deceptive-images] [data-image]').evaluateAll((els) => els.map((e) => e.getAttribute('data-image')).sort());
    expect(linked).toEqual(want);
    const topRows = await page.locator('[data-testid=metrics-table] tbody tr:not(.summary) [data-image]').evaluateAll((els) => els.map((e) => e.getAttribute('data-image')));
    expect(new Set(topRows.slice(0, want.length))).toEqual(new Set(want));
    await page.click('[data-sort=meanForegroundDice]');
    const byDice = await page.locator('[data-testid=metrics-table] tbody tr:not(.summary) [data-image]').evaluateAll((els) => els.map((e) => e.getAttribute('data-image')));
    const dice = byDice.map((n) => expectedScores(planted.find((p) => p.name === n)!).fgDice);
    expect(dice).toEqual([...dice].sort((a, b) => b - a)); // descending on the first click
    await shot(page, '06-metrics-scatter', true);

    // Images with the same scores (demo_01 has demo_03's mask: a planted pairing error) are drawn
    // side by side; click, as a user would, a deceptive point where it is drawn.
    const target = await page.locator('[data-testid=scatter] circle.pt[data-deceptive=true]').evaluateAll((els) => {
      for (const el of els) {
        const r = el.getBoundingClientRect();
        const x = r.left + r.width / 2;
        const y = r.top + r.height / 2;
        if (document.elementFromPoint(x, y) === el) return { name: el.getAttribute('data-image')!, x, y };
      }
      return null;
    });
    expect(target).not.toBeNull();
    const pick = target!.name;
    await page.mouse.click(target!.x, target!.y);
    await expect.poll(() => page.inputValue('[data-testid=image-select]')).toBe(pick);
    await expect.poll(() => page.textContent('[data-testid=prediction-note]')).toContain(PLANTED_RUN);
    // Opened from the scatter: the error map of the class at fault is on (boundary: never predicted).
    await expect.poll(() => page.textContent('[data-testid=review-note]')).toMatch(/Error map of boundary, the class at fault/);
    expect(await page.isChecked('[data-layer=error]')).toBe(true);
    expect(await page.inputValue('select[aria-label="Error map class"]')).toBe('2');
    await settle(page);
    await shot(page, '07-deceptive-image');
  });

  it('trains briefly: split preview, live curves and backend, stop, report export, resume', { timeout: 240_000 }, async () => {
    await page.click('[data-view=training]');
    // The demo's planted pairing errors block training, as in `seglens train`, until excluded.
    await page.waitForSelector('[data-testid=training-blocked]');
    expect(await page.isDisabled('[data-action=start]')).toBe(true);
    expect(await page.textContent('[data-testid=training-blocked]')).toContain('pairing-suspect');
    await page.click('[data-testid=training-blocked] [data-action=exclude-blocked]');
    await page.waitForSelector('[data-testid=training-blocked]', { state: 'detached' });
    await page.waitForSelector('[data-testid=form-excluded]');
    await page.click('[data-action=preview-split]');
    await page.waitForSelector('[data-testid=split-preview]');
    expect(await page.textContent('[data-testid=split-preview]')).toContain('val');
    expect(await page.textContent('[data-testid=split-excluded]')).toMatch(/demo_0[12]/);
    for (const [name, value] of Object.entries({ patch: '64', epochs: '20', stepsPerEpoch: '3', batchSize: '2', patience: '20' })) await page.fill(`input[name=${name}]`, value);
    await page.click('[data-action=start]');
    await expect.poll(() => page.textContent('[data-testid=training-state]'), { timeout: 60_000 }).toMatch(/running/);
    await page.waitForSelector('[data-testid=backend]', { timeout: 60_000 });
    // The step-loss curve moves, then the first epoch's validation Dice arrives.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=loss-chart]')?.getAttribute('data-points')) >= 2, undefined, { timeout: 60_000 });
    const early = Number(await page.getAttribute('[data-testid=loss-chart]', 'data-points'));
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=dice-chart]')?.getAttribute('data-points')) >= 1, undefined, { timeout: 90_000 });
    expect(Number(await page.getAttribute('[data-testid=loss-chart]', 'data-points'))).toBeGreaterThan(early);
    await page.waitForSelector('[data-testid=preview] canvas', { timeout: 30_000 });
    // The rule for "best" is stated with its number, and the preview can be enlarged.
    expect(await page.textContent('[data-testid=best-rule]')).toMatch(/by more than 0\.001/);
    await page.click('[data-action=enlarge-preview]');
    const large = page.locator('[data-testid=preview-large] canvas').first();
    await large.waitFor();
    expect((await large.boundingBox())!.width).toBeGreaterThan(400);
    await shot(page, '08-training-preview-large');
    await page.click('[data-testid=preview-large] button[aria-label=Close]');
    await shot(page, '08-training-live', true);

    await page.click('[data-action=stop]');
    await expect.poll(() => page.textContent('[data-testid=training-state]'), { timeout: 90_000 }).toMatch(/stopped|finished/);
    await page.waitForSelector('[data-testid=finished]');
    if ((await page.textContent('[data-testid=training-state]'))!.includes('stopped')) await page.waitForSelector('[data-action=resume-this]');
    await page.click('[data-action=export-report]');
    await page.waitForSelector('[data-testid=report-file], [data-testid=training-live] [data-error-name]', { timeout: 180_000 });
    const file = await page.locator('[data-testid=report-file] code').textContent({ timeout: 100 }).catch(() => null);
    const shownError = file ? null : await page.locator('[data-testid=training-live] [data-error-name]').innerText().catch(() => null);
    expect(file, `no report file; the UI shows: ${shownError}`).toBeTruthy();
    expect(existsSync(file!)).toBe(true);
    expect(statSync(file!).size).toBeGreaterThan(1000);
    expect(readFileSync(file!, 'utf8')).toMatch(/mean foreground Dice/i);
    // The report opens from a link (its HTML handed to the browser as a page of its own).
    const [report] = await Promise.all([page.context().waitForEvent('page'), page.click('[data-testid=report-link]')]);
    await report.waitForLoadState();
    expect(await report.textContent('body')).toMatch(/mean foreground Dice/i);
    expect(await report.textContent('#excluded')).toMatch(/demo_0[12]/);
    await report.close();
    await shot(page, '09-training-stopped-report', true);

    // Resume the stopped run: it continues after its last epoch, the curves keep their history.
    const epochsBefore = Number(await page.getAttribute('[data-testid=dice-chart]', 'data-points'));
    await expect.poll(() => page.inputValue('select[aria-label="Run to resume"]'), { timeout: 10_000 }).not.toBe('');
    await page.click('[data-action=resume]');
    await expect.poll(() => page.textContent('[data-testid=training-state]'), { timeout: 60_000 }).toMatch(/running/);
    expect(Number(await page.getAttribute('[data-testid=dice-chart]', 'data-points'))).toBeGreaterThanOrEqual(epochsBefore);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=dice-chart]')?.getAttribute('data-points')) > n, epochsBefore, { timeout: 90_000 });
    await page.click('[data-action=stop]');
    await expect.poll(() => page.textContent('[data-testid=training-state]'), { timeout: 90_000 }).toMatch(/stopped|finished/);
    await shot(page, '10-training-resumed-stopped', true);
    expect(errors).toEqual([]);
  });
});
