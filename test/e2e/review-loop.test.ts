// Issue 11's first acceptance, as a new user on the demo: `seglens train` refuses the demo until
// its planted mis-paired images are excluded (`seglens exclude`), then trains a short run; the app
// (`seglens serve`) opens that run, predicts it on demand, the metrics view states which images its
// headline counts (the validation images, the figure training recorded), and every deceptive point
// of the scatter, clicked in turn, opens its own image with its per-class scores and the error map
// of its worst class. Screenshots: test-output/e2e/review-*.png.
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seglens } from '../helpers/cli.ts';
import { closeUi, ensureRendererBuilt, openUi, shot, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';

let tmp: string;
let demo: string;
let server: Served;
let browser: Browser;
let page: Page;
let errors: string[];
let runId: string;
let recorded: { bestEpoch: number; value: number; val: string[] };

/** A deceptive point where it is drawn, clickable (nothing on top of it), or null. */
async function pointOf(p: Page, name: string): Promise<{ x: number; y: number } | null> {
  return p.locator(`[data-testid=scatter] circle.pt[data-image="${name}"]`).evaluate((el) => {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    return document.elementFromPoint(x, y) === el ? { x, y } : null;
  });
}

describe.skipIf(skipWithoutChromium('the review loop browser test'))('the review loop, closed (issue 11)', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-e2e-review-'));
    demo = join(tmp, 'demo');
  }, 60_000);

  afterAll(async () => {
    await closeUi({ browser, server }, tmp);
  });

  it('trains on the demo from the command line once the flagged images are excluded', { timeout: 240_000 }, async () => {
    expect((await seglens(['demo', demo])).code).toBe(0);
    const tiny = ['--epochs', '1', '--steps', '10', '--patch', '64', '--batch', '4', '--seed', '1'];
    const refused = await seglens(['train', demo, ...tiny]);
    expect(refused.code).toBe(1);
    const m = /CRITICAL \[pairing-suspect\][^\n]*\n(?:[^\n]*\n)*? +images: ([\w, ]+)/.exec(refused.stderr);
    expect(m, refused.stderr).not.toBeNull();
    const flagged = m![1].split(', ');
    expect((await seglens(['exclude', demo, ...flagged, '--reason', 'mask does not belong to the image (pairing-suspect)'])).code).toBe(0);
    const r = await seglens(['train', demo, ...tiny]);
    expect(r.code, r.stderr).toBe(0);
    [runId] = await readdir(join(demo, 'runs'));
    const info = JSON.parse(await readFile(join(demo, 'runs', runId, 'run.json'), 'utf8')) as { bestEpoch: number; bestValue: number };
    const split = JSON.parse(await readFile(join(demo, 'runs', runId, 'split.json'), 'utf8')) as { val: string[] };
    recorded = { bestEpoch: info.bestEpoch, value: info.bestValue, val: split.val };
    // The command line wrote no predictions: the app has to make them.
    expect(await readdir(join(demo, 'runs', runId))).not.toContain('predictions');
  });

  it('opens the run in the app, predicts it on demand, and states what the headline counts', { timeout: 240_000 }, async () => {
    ({ server, browser, page, errors } = await openUi([demo], { SEGLENS_HOME: tmp, HOME: tmp }, { width: 1400, height: 950 }));
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=image-table] tbody tr');
    await page.waitForSelector('[data-testid=ready]', { timeout: 60_000 });
    // Splits are visible: the project has none of its own, the run's is shown.
    expect(await page.textContent('h2:has-text("Images")')).toContain(`from the split run ${runId} trained on`);
    const valRow = page.locator(`[data-testid=image-table] tr:has([data-image="${recorded.val[0]}"])`);
    expect(await valRow.innerText()).toMatch(/\bval\b/);
    expect(await page.textContent('[data-testid=excluded]')).toMatch(/pairing-suspect/);
    await shot(page, 'review-01-project', true);

    await page.click('[data-view=metrics]');
    expect(await page.inputValue('[data-testid=metrics-run]')).toBe(runId);
    expect(await page.inputValue('[data-testid=metrics-split]')).toBe('val'); // the default scope
    await page.waitForSelector('[data-testid=predict-card]');
    expect(await page.textContent('[data-testid=predict-card]')).toContain(`${recorded.val.length} validation images`);
    await shot(page, 'review-02-predict');
    await page.click('[data-action=predict]');
    await page.waitForSelector('[data-testid=headline]', { timeout: 180_000 });
    const headline = (await page.textContent('[data-testid=headline]'))!;
    expect(Number(await page.textContent('[data-testid=headline-count]'))).toBe(recorded.val.length);
    expect(headline).toContain('validation images of the split this run trained on');
    // The same number as training recorded for the best epoch.
    expect(await page.textContent('[data-testid=headline-value]')).toBe(recorded.value.toFixed(3));
    expect(headline).toContain(`Training recorded ${recorded.value.toFixed(3)}`);
    await shot(page, 'review-03-metrics-val', true);

    // Every image: predict the rest too.
    await page.selectOption('[data-testid=metrics-split]', 'all');
    await page.waitForSelector('[data-action=predict]');
    await page.click('[data-action=predict]');
    await page.waitForSelector('[data-testid=predict-card]', { state: 'detached', timeout: 180_000 });
    await page.waitForSelector('[data-testid=scatter] circle.pt');
    await shot(page, 'review-04-metrics-all', true);
  });

  it('plots the deceptive images apart, lists them with the class at fault, and each click opens its own image with its scores and the error map of that class', { timeout: 240_000 }, async () => {
    const deceptive = await page.locator('[data-testid=deceptive-list] [data-image]').evaluateAll((els) => els.map((e) => e.getAttribute('data-image')!));
    expect(deceptive.length).toBeGreaterThanOrEqual(2);
    const faults = await page.locator('[data-testid=deceptive-list] .fault').allInnerTexts();
    for (const f of faults) expect(f).toMatch(/because of: (nucleus|boundary)/);
    const points = await page.locator('[data-testid=scatter] circle.pt[data-deceptive=true]').evaluateAll((els) => els.map((e) => e.getAttribute('data-image')!));
    expect([...points].sort()).toEqual([...deceptive].sort());
    // No point hides another: every one is on top where it is drawn.
    for (const name of points) expect(await pointOf(page, name), name).not.toBeNull();
    await page.click('[data-action=scatter-corner]');
    await page.waitForSelector('[data-testid=scatter-zoom]');
    await shot(page, 'review-05-scatter-corner');

    for (const [i, name] of deceptive.entries()) {
      if (i > 0) {
        await page.click('[data-view=metrics]');
        await page.waitForSelector('[data-testid=scatter] circle.pt');
      }
      const at = await pointOf(page, name);
      expect(at, `${name} is hidden`).not.toBeNull();
      await page.mouse.click(at!.x, at!.y);
      await expect.poll(() => page.inputValue('[data-testid=image-select]')).toBe(name);
      await page.waitForSelector('[data-testid=image-class-scores]');
      await expect.poll(() => page.textContent('[data-testid=review-note]')).toMatch(/Error map of (\w+), the class at fault/);
      const fault = /Error map of (\w+)/.exec((await page.textContent('[data-testid=review-note]'))!)![1];
      // The per-class scores are there, the class at fault marked, and its error map is on.
      const rows = await page.locator('[data-testid=image-class-scores] tbody tr').allInnerTexts();
      expect(rows).toHaveLength(3);
      expect(await page.locator('[data-testid=image-class-scores] tr.fault').innerText()).toContain(fault);
      expect(await page.textContent('[data-testid=image-deceptive]')).toContain('deceptive corner');
      expect(await page.isChecked('[data-layer=error]')).toBe(true);
      const focus = await page.inputValue('select[aria-label="Error map class"]');
      expect(await page.locator(`select[aria-label="Error map class"] option[value="${focus}"]`).innerText()).toBe(fault);
      const legend = await page.locator('[data-testid=error-legend] b').allInnerTexts();
      expect(legend.map(Number).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      await shot(page, `review-06-${name}`);
    }
    // Side by side, offered by the review note; the prediction pane shows the error map.
    await page.click('[data-action=review-side-by-side]');
    await expect.poll(() => page.locator('[data-pane]').count()).toBe(3);
    await shot(page, 'review-07-side-by-side');
    await page.keyboard.press('s');
  });

  it('shows any one class on the y axis', { timeout: 60_000 }, async () => {
    await page.click('[data-view=metrics]');
    await page.waitForSelector('[data-testid=scatter] circle.pt');
    const boundary = await page.locator('[data-testid=scatter-axis] option', { hasText: 'Dice of boundary' }).getAttribute('value');
    await page.selectOption('[data-testid=scatter-axis]', boundary!);
    await expect.poll(() => page.textContent('[data-testid=y-label]')).toBe('Dice of boundary');
    await shot(page, 'review-08-axis-boundary');
    expect(errors).toEqual([]);
  });
});
