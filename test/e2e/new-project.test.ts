// Issue 11's second acceptance: a project made in the app from a folder of images and masks, its
// class table edited in the UI (two stored grey levels merged into one class, classes named, the
// background chosen, colours left to the palette), then trained on. The folder is found with the
// folder browser of browser mode, which stays inside the user's home folder.
// Screenshots: test-output/e2e/new-project-*.png.
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { closeUi, ensureRendererBuilt, openUi, shot, skipWithoutChromium } from './harness.ts';
import type { Served } from './harness.ts';

let tmp: string;
let home: string;
let data: string;
let server: Served;
let browser: Browser;
let page: Page;
let errors: string[];

/**
 * Masks as another tool exported them: background 0, nuclei stored as two grey levels (100 on the
 * left half, 101 on the right: one class to the user), boundaries 200.
 */
async function exportMasks(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const f of await readdir(from)) {
    const { data: px, info } = await sharp(join(from, f)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const out = Buffer.alloc(px.length);
    for (let i = 0; i < px.length; i++) out[i] = px[i] === 1 ? (i % info.width < info.width / 2 ? 100 : 101) : px[i] === 2 ? 200 : 0;
    await sharp(out, { raw: { width: info.width, height: info.height, channels: 1 } }).toColourspace('b-w').png().toFile(join(to, f));
  }
}

describe.skipIf(skipWithoutChromium('the new-project browser test'))('a project made in the app (issue 11)', () => {
  beforeAll(async () => {
    ensureRendererBuilt();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-e2e-newproj-'));
    home = join(tmp, 'home');
    data = join(home, 'experiments', 'nuclei-2026');
    await generateDemoProject(join(tmp, 'source'), { count: 8, size: 128, seed: 4, plantErrors: false });
    await cp(join(tmp, 'source', 'images'), join(data, 'images'), { recursive: true });
    await exportMasks(join(tmp, 'source', 'masks'), join(data, 'labels'));
    ({ server, browser, page, errors } = await openUi([], { SEGLENS_HOME: join(tmp, 'seglens-home'), HOME: home }, { width: 1400, height: 950 }));
  }, 120_000);

  afterAll(async () => {
    await closeUi({ browser, server }, tmp);
  });

  it('finds the folder with the folder browser, shows every stored value, and writes the edited class table', { timeout: 120_000 }, async () => {
    await page.goto(server.url);
    await page.click('[data-action=new-project]');
    await page.waitForSelector('[data-testid=folder-list]');
    expect(await page.textContent('[data-testid=browse-dir]')).toBe(home);
    expect(await page.$('[data-folder=".."]')).toBeNull(); // the top: home
    await page.click('[data-folder=experiments]');
    await page.waitForSelector('[data-folder="nuclei-2026"]');
    expect(await page.textContent('li:has([data-folder="nuclei-2026"])')).toContain('images and masks');
    await shot(page, 'new-project-1-browse');
    await page.click('[data-folder="nuclei-2026"]');
    await page.click('[data-action=use-folder]');
    await page.waitForSelector('[data-testid=value-table]');
    // Every stored value with its pixel and image counts.
    const values = await page.locator('[data-testid=value-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value')));
    expect(values).toEqual(['0', '100', '101', '200']);
    const zero = await page.locator('[data-testid=value-table] tr[data-value="0"]').innerText();
    expect(zero).toMatch(/8 of 8/);
    await shot(page, 'new-project-2-proposal', true);

    // Edit: 100 and 101 become one class "nucleus", 200 "boundary", 0 "background"; the class
    // left without a value is removed; colours stay the palette's.
    const names = await page.locator('[data-testid=class-editor] [data-class-name]').count();
    expect(names).toBe(4);
    const nameOfValue = async (v: string) => (await page.locator(`[data-assign="${v}"] option:checked`).innerText()).trim();
    const cls100 = await nameOfValue('100');
    const cls101 = await nameOfValue('101');
    // Rename the classes init proposed for each value.
    const rename = async (from: string, to: string) => {
      const inputs = page.locator('[data-testid=class-editor] [data-class-name]');
      for (let i = 0; i < (await inputs.count()); i++) if ((await inputs.nth(i).inputValue()) === from) return inputs.nth(i).fill(to);
      throw new Error(`no class ${from}`);
    };
    await rename(await nameOfValue('0'), 'background');
    await rename(cls100, 'nucleus');
    await rename(await nameOfValue('200'), 'boundary');
    const nucleusKey = await page.locator('[data-assign="100"]').inputValue();
    await page.selectOption('[data-assign="101"]', nucleusKey);
    // The class init made for 101 has no value left: the editor says so until it is removed.
    await expect.poll(() => page.textContent('[data-testid=table-problem]')).toContain(`"${cls101}" has no stored value`);
    await page.locator(`[data-testid=class-editor] tr[data-class-row="${cls101}"]`).locator('button:has-text("remove")').click();
    await page.locator('[data-testid=class-editor] tr[data-class-row="background"] [data-background]').check();
    await expect.poll(() => page.locator('[data-testid=table-problem]').count()).toBe(0);
    await shot(page, 'new-project-3-edited', true);
    await page.click('[data-action=save-project]');
    await page.waitForSelector('[data-testid=image-table] tbody tr');
    await page.waitForSelector('[data-testid=ready]', { timeout: 60_000 });

    const written = JSON.parse(readFileSync(join(data, 'seglens.json'), 'utf8')) as { masks: string; classes: { classes: { name: string; values: number[]; color: string }[]; background: string; ignore: number[] } };
    expect(written.masks).toBe('labels');
    expect(written.classes.background).toBe('background');
    expect(written.classes.classes.map((c) => [c.name, c.values])).toEqual([
      ['background', [0]],
      ['nucleus', [100, 101]],
      ['boundary', [200]],
    ]);
    expect(written.classes.classes.every((c) => /^#[0-9a-f]{6}$/i.test(c.color))).toBe(true);
    const rows = page.locator('[data-testid=image-table] tbody tr');
    await expect.poll(() => rows.count()).toBe(8);
    expect(await rows.first().innerText()).toMatch(/%/); // class presence read through the new table
    await shot(page, 'new-project-4-opened', true);
  });

  it('trains on the new project from the Training view', { timeout: 240_000 }, async () => {
    await page.click('[data-view=training]');
    await page.click('[data-action=preview-split]');
    await page.waitForSelector('[data-testid=split-preview]');
    expect(await page.textContent('[data-testid=split-preview]')).toContain('nucleus');
    for (const [name, value] of Object.entries({ patch: '64', epochs: '2', stepsPerEpoch: '3', batchSize: '2', patience: '5' })) await page.fill(`input[name=${name}]`, value);
    await page.click('[data-action=start]');
    await expect.poll(() => page.textContent('[data-testid=training-state]'), { timeout: 90_000 }).toMatch(/finished/);
    await page.waitForSelector('[data-testid=best-epoch]');
    expect(await page.textContent('[data-testid=finished]')).toMatch(/all 2 epochs done/);
    expect(await page.textContent('[data-testid=finished]')).not.toMatch(/meanForegroundDice/); // words, not code names
    const runs = await readdir(join(data, 'runs'));
    expect(runs).toHaveLength(1);
    expect(existsSync(join(data, 'runs', runs[0], 'best'))).toBe(true);
    await shot(page, 'new-project-5-trained', true);
    expect(errors).toEqual([]);
  });
});
