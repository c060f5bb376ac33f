// The review UI under load, in Chromium (`/usr/bin/chromium`, software rendering: --disable-gpu):
//   - launch to first image: `seglens serve PROJECT` spawned -> URL printed -> page opened at
//     #/image/<name> -> the 4096 x 4096 16-bit image drawn (the page's seglensPerf.firstImageAt);
//   - frame time while panning (mouse drags) and zooming (wheel) with three overlays on (ground
//     truth, prediction, error map), single pane and side by side: intervals between animation
//     frames (what the user sees) and the duration of each pane draw (our work per frame);
//   - the time to recompute the overlays after a class toggle (done once per change, not per frame).
// The project is generated: one synthetic 4096 x 4096 16-bit demo image, its mask, and a planted
// run whose prediction is the mask shifted by 5 pixels with the boundary class dropped.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { generateDemoProject } from '../src/seg/demo/index.ts';
import type { Benchmark } from './main.ts';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CHROMIUM = '/usr/bin/chromium';
const SIZE = 4096;
const RUN = 'bench-run';
const FRAMES = 90;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : null);
  const r = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  return { n: s.length, median: r(q(0.5)), p95: r(q(0.95)), max: r(s.at(-1) ?? null), mean: r(s.length ? s.reduce((a, b) => a + b, 0) / s.length : null) };
};

async function makeProject(dir: string): Promise<string> {
  await generateDemoProject(dir, { seed: 3, count: 1, size: SIZE, plantErrors: false });
  const truth = JSON.parse(await readFile(join(dir, 'demo-truth.json'), 'utf8')) as { images: { name: string; mask: string }[] };
  const im = truth.images[0];
  const { data, info } = await sharp(join(dir, im.mask)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  const w = info.width;
  const pred = new Uint8Array(data.length);
  for (let y = 5; y < info.height; y++) for (let x = 5; x < w; x++) pred[y * w + x] = data[(y - 5) * w + x - 5] === 1 ? 1 : 0;
  const run = join(dir, 'runs', RUN);
  await mkdir(join(run, 'predictions'), { recursive: true });
  await writeFile(join(run, 'run.json'), JSON.stringify({ format: 'seglens-run', version: 1, id: RUN, status: 'finished' }));
  await writeFile(join(run, 'config.json'), '{}');
  await sharp(Buffer.from(pred), { raw: { width: w, height: info.height, channels: 1 } }).png().toFile(join(run, 'predictions', `${im.name}.png`));
  return im.name;
}

function buildRenderer(): void {
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(REPO, 'renderer', 'vite.config.ts'), '--logLevel', 'warn'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
}

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
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} is absent (apt-get install chromium)` };
  const { chromium } = await import('playwright-core');
  buildRenderer();
  const tmp = await mkdtemp(join(tmpdir(), 'seglens-bench-ui-'));
  const project = join(tmp, 'project');
  let child: ReturnType<typeof spawn> | null = null;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  try {
    const name = await makeProject(project);
    const t0 = performance.now();
    child = spawn(process.execPath, [join(REPO, 'bin', 'seglens.js'), 'serve', project, '--port', '0'], { cwd: REPO, env: { ...process.env, SEGLENS_HOME: tmp } });
    const url = await new Promise<string>((res, rej) => {
      let out = '';
      child!.stdout!.on('data', (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*\?token=[A-Za-z0-9_-]+)/.exec(out);
        if (m) res(m[1]);
      });
      child!.stderr!.on('data', (d) => (out += d));
      child!.once('exit', (c) => rej(new Error(`seglens serve exited ${c}: ${out}`)));
    });
    const tServer = performance.now();
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const tPage = performance.now();
    await page.goto(`${url}#/image/${encodeURIComponent(name)}?run=${RUN}`);
    await page.waitForFunction(() => (globalThis as unknown as { seglensPerf?: { firstImageAt: number | null } }).seglensPerf?.firstImageAt != null, undefined, { timeout: 120_000 });
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
  } finally {
    await browser.close();
    if (child && child.exitCode === null) {
      const c = child;
      await new Promise<void>((r) => {
        c.once('exit', () => r());
        c.kill('SIGTERM');
      });
    }
    await rm(tmp, { recursive: true, force: true });
  }
}

export const uiBenchmark: Benchmark = {
  name: 'ui',
  description: 'review UI in Chromium: launch to first 4096 x 4096 16-bit image, frame time panning/zooming with three overlays',
  run: benchUi,
};
