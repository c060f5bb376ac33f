// Issue 14's "one list of findings" in the app: a project with a constant image and a mask of the
// wrong size shows both as findings about their files, marked as blocking training, counted in the
// image table; excluding the images concerned from the banner makes the project ready while the
// findings stay listed; the training view's split preview lists the duplicate planted beside them
// as a finding with its images. Screenshots: test-output/e2e/data-findings*.png.
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { closeUi, ensureRendererBuilt, openUi, shot, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';

let tmp: string;
let dir: string;
let server: Served;
let browser: Browser;
let page: Page;
let errors: string[];

describe.skipIf(skipWithoutChromium('the data findings browser test'))('data problems as findings in the project view', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-e2e-findings-'));
    dir = join(tmp, 'project');
    await generateDemoProject(dir, { count: 5, size: 64, seed: 3, plantErrors: false });
    // demo_02: every pixel 0 (a blank frame); demo_03: its mask at half the image's size.
    await sharp(Buffer.alloc(64 * 64 * 2), { raw: { width: 64, height: 64, channels: 1, premultiplied: false } })
      .toColourspace('grey16')
      .tiff()
      .toFile(join(dir, 'images', 'demo_02.tif'));
    const half = await sharp(await readFile(join(dir, 'masks', 'demo_03.png'))).resize(32, 32, { kernel: 'nearest' }).png().toBuffer();
    await writeFile(join(dir, 'masks', 'demo_03.png'), half);
    // demo_06: an exact copy of demo_01 (image and mask), which the split keeps on one side.
    await copyFile(join(dir, 'images', 'demo_01.tif'), join(dir, 'images', 'demo_06.tif'));
    await copyFile(join(dir, 'masks', 'demo_01.png'), join(dir, 'masks', 'demo_06.png'));
    ({ server, browser, page, errors } = await openUi([dir], { SEGLENS_HOME: join(tmp, 'seglens-home') }));
  }, 120_000);

  afterAll(async () => {
    await closeUi({ browser, server }, tmp);
  });

  it('lists each file problem once, with its file, marked as blocking, and counted for its image', { timeout: 60_000 }, async () => {
    await page.goto(server.url);
    await page.waitForSelector('[data-testid=findings]');
    const constant = page.locator('[data-testid=findings] li[data-id=constant-image]');
    const size = page.locator('[data-testid=findings] li[data-id=size-mismatch]');
    await expect.poll(() => constant.count()).toBe(1);
    expect(await size.count()).toBe(1);
    expect(await constant.getAttribute('data-blocking')).toBe('true');
    expect(await constant.innerText()).toContain('images/demo_02.tif');
    expect(await constant.innerText()).toMatch(/blocks training/);
    expect(await size.innerText()).toContain('masks/demo_03.png');
    expect(await size.innerText()).toMatch(/32 x 32/);
    const banner = await page.locator('[data-testid=blocked]').innerText();
    expect(banner).toMatch(/by 2 finding\(s\)/);
    expect(banner).toContain('demo_02');
    expect(banner).toContain('demo_03');
    const count = (name: string) => page.locator(`[data-testid=image-table] tr:has([data-image="${name}"]) td.num`).last().innerText();
    expect(await count('demo_02')).toBe('1');
    expect(await count('demo_03')).toBe('1');
    expect(await count('demo_01')).toBe('0');
    await shot(page, 'data-findings', true);
  });

  it('excluding the images concerned makes the project ready; the findings stay, no longer blocking', { timeout: 60_000 }, async () => {
    await page.click('[data-testid=blocked] [data-action=exclude-blocked]');
    await page.waitForSelector('[data-testid=ready]');
    const constant = page.locator('[data-testid=findings] li[data-id=constant-image]');
    await expect.poll(() => constant.getAttribute('data-blocking')).toBe('false');
    expect(await constant.innerText()).toContain('(excluded)');
    expect(await page.locator('[data-testid=excluded]').innerText()).toMatch(/demo_02[\s\S]*demo_03|demo_03[\s\S]*demo_02/);
  });

  it("the split preview lists the duplicate as the audit's finding, with both images", { timeout: 60_000 }, async () => {
    await page.click('[data-view=training]');
    await page.click('[data-action=preview-split]');
    const leak = page.locator('[data-testid=split-findings] li[data-id=split-leakage]');
    await leak.waitFor();
    const text = await leak.innerText();
    expect(text).toContain('demo_01');
    expect(text).toContain('demo_06');
    await shot(page, 'data-findings-split');
    expect(errors).toEqual([]);
  });
});
