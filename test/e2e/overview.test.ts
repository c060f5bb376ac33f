// Issue 14, launch to first image: an image larger than its pane is drawn first from the engine's
// overview (image and mask reduced to the pane), then from its full resolution, which alone feeds
// the pixel readout and the editor. A 1024 x 1024 16-bit demo image in a small window (the pane's
// longest side under 400 px, so the overview is reduced 3 times).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { closeUi, ensureRendererBuilt, openUi, shot, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';

const NAME = 'demo_01';
const SIZE = 1024;
let tmp: string;
let server: Served;
let browser: Browser;
let page: Page;
let errors: string[];

type Perf = { firstImageAt: number | null; fullImageAt: number | null };
const perfOf = (p: Page) => p.evaluate(() => ({ ...(globalThis as unknown as { seglensPerf: Perf }).seglensPerf, draws: undefined }));

describe.skipIf(skipWithoutChromium('the overview browser test'))('first image from the overview (issue 14)', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-e2e-overview-'));
    await generateDemoProject(join(tmp, 'demo'), { seed: 2, count: 1, size: SIZE, plantErrors: false });
    ({ server, browser, page, errors } = await openUi([join(tmp, 'demo')], { SEGLENS_HOME: tmp }, { width: 720, height: 520 }));
  }, 120_000);

  afterAll(async () => {
    await closeUi({ browser, server }, tmp);
  });

  it('draws the overview first, then the full resolution, whose 16-bit values and class ids the readout shows', { timeout: 90_000 }, async () => {
    const overviews: string[] = [];
    page.on('request', (r) => {
      const m = /\/data\/(getImageOverview|getMaskOverview|getImagePixels|getMaskPixels)\?/.exec(r.url());
      if (m) overviews.push(m[1]);
    });
    await page.goto(`${server.url}#/image/${NAME}`);
    await page.waitForFunction(() => (globalThis as unknown as { seglensPerf: Perf }).seglensPerf.fullImageAt !== null, undefined, { timeout: 60_000 });
    const perf = await perfOf(page);
    expect(perf.firstImageAt).not.toBeNull();
    expect(perf.fullImageAt!).toBeGreaterThan(perf.firstImageAt!);
    // The overviews were asked for first, then the full resolution.
    expect(overviews.slice(0, 2).sort()).toEqual(['getImageOverview', 'getMaskOverview']);
    expect(overviews.slice(2, 4).sort()).toEqual(['getImagePixels', 'getMaskPixels']);
    await expect.poll(() => page.textContent('[data-testid=hover]')).toBe(`${SIZE} × ${SIZE}, grey 16-bit`);
    await shot(page, 'overview-full');

    // The readout at a pixel: the full image's 16-bit value and the full mask's class there.
    const { data } = await sharp(join(tmp, 'demo', 'images', `${NAME}.tif`)).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const img = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
    const box = (await page.locator('[data-pane=main]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.41, box.y + box.height * 0.57);
    const t = (await page.textContent('[data-testid=hover]')) ?? '';
    const m = /x (\d+), y (\d+): value (\d+)/.exec(t);
    expect(m, t).not.toBeNull();
    const [x, y, v] = [Number(m![1]), Number(m![2]), Number(m![3])];
    expect(v).toBe(img[y * SIZE + x]);
    expect(errors).toEqual([]);
  });
});
