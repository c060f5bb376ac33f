// Issue 16 in the app: the multi-label demo (nuclei with nucleoli) trained from the Training view,
// then the threshold panel: one slider per class, the Dice at the chosen threshold shown, and the
// Dice changing live as the nucleolus slider moves to a shared 0.5, equal to the run's validation
// curve there (thresholds.json); saved, the best weights apply it. Then the image view's per-class
// layers: the image predicted again, each class's TP/FP/FN by its own mask equal to the counts of the
// stored files, the nucleolus probability layer and the nucleus error map drawn (and gone when turned
// off), the probability under the pointer equal to the stored map. Screenshots:
// test-output/e2e/thresholds-*.png.
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOverlappingDemo } from '../../src/seg/demo/index.ts';
import { readRawMask } from '../../src/seg/image-io.ts';
import { collectErrors, ensureRendererBuilt, launchChromium, serve, shot, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';

let tmp: string;
let project: string;
let server: Served;
let browser: Browser;
let page: Page;
let errors: string[];

describe.skipIf(skipWithoutChromium('the threshold browser test'))('threshold sliders of an overlapping run (issue 16)', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-e2e-thresholds-'));
    project = join(tmp, 'nucleoli');
    await generateOverlappingDemo(project, { count: 8, size: 96, seed: 2 });
    server = await serve([project], { SEGLENS_HOME: join(tmp, 'seglens-home') });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = collectErrors(page);
    await page.goto(server.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('trains, then shows a slider per class whose Dice follows the validation curve', { timeout: 300_000 }, async () => {
    await page.click('[data-view=training]');
    for (const [name, value] of Object.entries({ patch: '48', epochs: '3', stepsPerEpoch: '10', batchSize: '4', patience: '5' })) await page.fill(`input[name=${name}]`, value);
    await page.click('[data-action=start]');
    await expect.poll(() => page.textContent('[data-testid=training-state]'), { timeout: 240_000 }).toMatch(/finished/);
    await page.waitForSelector('[data-testid=threshold-panel]', { timeout: 30_000 });
    const runs = await readdir(join(project, 'runs'));
    const th = JSON.parse(readFileSync(join(project, 'runs', runs[0], 'thresholds.json'), 'utf8')) as {
      classes: { name: string; threshold: number; dice: number | null; curve: { threshold: number; dice: number | null }[] }[];
    };
    const nucleolus = th.classes.find((c) => c.name === 'nucleolus')!;
    const slider = page.locator('[data-testid="threshold-nucleolus"]');
    expect(Number(await slider.inputValue())).toBeCloseTo(nucleolus.threshold, 2);
    const dice = page.locator('[data-testid="dice-nucleolus"]');
    const atCurve = (t: number) => nucleolus.curve.reduce((a, b) => (Math.abs(b.threshold - t) < Math.abs(a.threshold - t) ? b : a)).dice!.toFixed(3);
    expect(await dice.textContent()).toBe(atCurve(nucleolus.threshold));
    await shot(page, 'thresholds-1-chosen', true);
    await slider.fill('0.5');
    await expect.poll(() => dice.textContent()).toBe(atCurve(0.5));
    await slider.fill('0.9');
    await expect.poll(() => dice.textContent()).toBe(atCurve(0.9));
    await shot(page, 'thresholds-2-moved', true);
    // Saved: the best weights apply the moved threshold from now on.
    await page.click('[data-action=save-thresholds]');
    await expect.poll(() => page.textContent('[data-testid=applied-rule]')).toMatch(/set-by-hand.*nucleolus 0\.900/);
    const model = JSON.parse(readFileSync(join(project, 'runs', runs[0], 'best', 'model.json'), 'utf8')) as { thresholds: { rule: string; values: number[] } };
    expect(model.thresholds.rule).toBe('set-by-hand');
    expect(model.thresholds.values[2]).toBe(0.9);
    expect(await slider.inputValue()).toBe('0.9');
    expect(await page.isDisabled('[data-action=save-thresholds]')).toBe(true);
    await shot(page, 'thresholds-3-saved', true);
    // The image view says what its one-class-per-pixel layers cannot show for overlapping classes.
    await page.click('[data-view=project]');
    await page.click('[data-testid=image-table] [data-image="demo_01"]');
    await expect.poll(() => page.textContent('[data-testid=overlap-note]')).toMatch(/Overlapping classes: these layers show one class per pixel/);
    await shot(page, 'thresholds-4-image-view');

    // Saving the thresholds removed the stored predictions: predict this image again (a reload
    // gives the image list as it now is).
    await page.reload();
    await page.click('[data-view=project]');
    await page.click('[data-testid=image-table] [data-image="demo_01"]');
    await page.click('[data-action=predict-image]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=class-layers]', { timeout: 120_000 });
    const runDir = join(project, 'runs', runs[0]);
    const bin = async (f: string) => Array.from((await readRawMask(f)).data, (v) => v !== 0);
    for (const c of ['nucleus', 'nucleolus']) {
      const gt = await bin(join(project, 'masks', c, 'demo_01.png'));
      const pred = await bin(join(runDir, 'predictions', c, 'demo_01.png'));
      const want = { tp: 0, fp: 0, fn: 0 };
      gt.forEach((g, i) => (g && pred[i] ? want.tp++ : g ? want.fn++ : pred[i] ? want.fp++ : 0));
      const cell = page.locator(`[data-testid="class-counts-${c}"]`);
      await expect.poll(() => cell.getAttribute('data-tp')).toBe(String(want.tp));
      expect({ tp: Number(await cell.getAttribute('data-tp')), fp: Number(await cell.getAttribute('data-fp')), fn: Number(await cell.getAttribute('data-fn')) }).toEqual(want);
    }
    const pane = page.locator('[data-pane=main]');
    const plain = await pane.screenshot();
    await page.check('[data-class-prob=nucleolus]');
    await expect.poll(async () => Buffer.compare(await pane.screenshot(), plain) !== 0).toBe(true);
    await page.check('[data-class-error=nucleus]');
    expect(await page.isChecked('[data-class-prob=nucleolus]')).toBe(true);
    expect(await page.isChecked('[data-class-error=nucleus]')).toBe(true);
    expect(await page.isChecked('[data-class-error=nucleolus]')).toBe(false);
    await shot(page, 'thresholds-5-class-layers');
    // The probability under the pointer is the stored map's value there.
    const box = (await pane.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const status = (await page.textContent('[data-testid=hover]')) ?? '';
    const m = /x (\d+), y (\d+):.*probability nucleus ([\d.]+), nucleolus ([\d.]+)/.exec(status);
    expect(m, status).not.toBeNull();
    const probs = await readRawMask(join(runDir, 'predictions', 'probs', 'demo_01_nucleolus.png'));
    expect(probs.bitDepth).toBe(16);
    expect(m![4]).toBe((probs.data[Number(m![2]) * probs.width + Number(m![1])] / 65535).toFixed(3));
    // Both off again: the pane is as before.
    await page.uncheck('[data-class-prob=nucleolus]');
    await page.uncheck('[data-class-error=nucleus]');
    await page.mouse.move(0, 0);
    await expect.poll(async () => Buffer.compare(await pane.screenshot(), plain)).toBe(0);
    // The error map alone, zoomed in, for a look at the nucleus's own errors.
    await page.check('[data-class-error=nucleus]');
    await page.check('[data-class-error=nucleolus]');
    await shot(page, 'thresholds-6-class-errors');
    expect(errors).toEqual([]);
  });
});
