// The review UI under load, in Chromium (`/usr/bin/chromium`, software rendering: --disable-gpu):
//   - launch to first image: `seglens serve PROJECT` spawned -> URL printed -> page opened at
//     #/image/<name> -> the 4096 x 4096 16-bit image drawn (the page's seglensPerf.firstImageAt);
//   - frame time while panning (mouse drags) and zooming (wheel) with three overlays on (ground
//     truth, prediction, error map), single pane and side by side: intervals between animation
//     frames (what the user sees) and the duration of each pane draw (our work per frame);
//   - the time to recompute the overlays after a class toggle (done once per change, not per frame).
// The project is generated: one synthetic 4096 x 4096 16-bit demo image, its mask, and a planted
// run whose prediction is the mask shifted by 5 pixels with the boundary class dropped.
import type { Page } from 'playwright-core';
import type { Benchmark } from './main.ts';
import { SIZE, stats, withReviewSession } from './review-session.ts';

const FRAMES = 90;

/** Frame intervals and draw durations while `drive` moves the view. */
async function measure(page: Page, drive: () => Promise<void>): Promise<{ frameIntervalMs: ReturnType<typeof stats>; drawMs: ReturnType<typeof stats> }> {
  // A string, not a function: tsx's keep-names helper (__name) does not exist in the page.
  await page.evaluate(`(() => {
    const g = globalThis;
    g.seglensPerf.draws.length = 0;
    g.__frames = [];
    g.__stop = false;
    function tick(t) {
      g.__frames.push(t);
      if (!g.__stop) requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
  })()`);
  await drive();
  const r = await page.evaluate(() => {
    const g = globalThis as unknown as { seglensPerf: { draws: number[] }; __frames: number[]; __stop: boolean };
    g.__stop = true;
    return { frames: g.__frames, draws: [...g.seglensPerf.draws] };
  });
  const intervals = r.frames.slice(1).map((t, i) => t - r.frames[i]);
  return { frameIntervalMs: stats(intervals), drawMs: stats(r.draws) };
}

async function panAndZoom(page: Page, pane: string): Promise<void> {
  const box = (await page.locator(`[data-pane="${pane}"]`).boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  for (let i = 0; i < FRAMES / 3; i++) await page.mouse.wheel(0, i < FRAMES / 6 ? -60 : 60);
  await page.mouse.down();
  for (let i = 0; i < FRAMES; i++) await page.mouse.move(cx + 150 * Math.sin(i / 9), cy + 100 * Math.cos(i / 7));
  await page.mouse.up();
}

export async function benchUi(): Promise<unknown> {
  return withReviewSession('ui', async ({ page, times }) => {
    const t0 = times.spawned;
    const tServer = times.served;
    const tPage = times.pageOpened;
    const tFirst = performance.now();
    const inPage = await page.evaluate(() => (globalThis as unknown as { seglensPerf: { firstImageAt: number } }).seglensPerf.firstImageAt);

    // Three overlays: ground truth (outline), prediction (fill), error map (fill).
    for (const l of ['gt', 'pred', 'error']) await page.check(`[data-layer=${l}]`);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const tToggle = performance.now();
    await page.uncheck('[data-class=nucleus]');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const recomputeMs = performance.now() - tToggle;
    await page.check('[data-class=nucleus]');

    const single = await measure(page, () => panAndZoom(page, 'main'));
    await page.keyboard.press('s');
    await page.waitForSelector('[data-pane="prediction"]');
    const sideBySide = await measure(page, () => panAndZoom(page, 'ground truth'));
    const memory = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null);
    return {
      image: { width: SIZE, height: SIZE, bitDepth: 16, overlays: ['ground truth (outline)', 'prediction (fill)', 'error map (fill)'] },
      launchToFirstImage: {
        totalMs: Math.round(tFirst - t0),
        serverStartMs: Math.round(tServer - t0),
        pageOpenToFirstImageMs: Math.round(tFirst - tPage),
        inPageNavigationToFirstImageMs: Math.round(inPage),
        note: 'total = spawn of `seglens serve` to the image drawn; Chromium was launched before (its start is not counted)',
      },
      overlayRecomputeAfterClassToggleMs: Math.round(recomputeMs),
      panZoomSinglePane: single,
      panZoomSideBySide: sideBySide,
      jsHeapBytes: memory,
      note: 'frameIntervalMs: time between animation frames while wheel/drag events stream in (16.7 = 60 fps); drawMs: one pane draw (Konva layer, visible part of 4 bitmaps)',
    };
  });
}

export const uiBenchmark: Benchmark = {
  name: 'ui',
  description: 'review UI in Chromium: launch to first 4096 x 4096 16-bit image, frame time panning/zooming with three overlays',
  run: benchUi,
};
