// What the UI and editor benchmarks share: a 4096 x 4096 16-bit demo image with its mask and a
// prediction run, the built renderer, `seglens serve` on it, and headless Chromium on the image.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { generateDemoProject } from '../src/seg/demo/index.ts';

export const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const CHROMIUM = '/usr/bin/chromium';
export const SIZE = 4096;
export const RUN = 'bench-run';

export const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : null);
  const r = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  return { n: s.length, median: r(q(0.5)), p95: r(q(0.95)), max: r(s.at(-1) ?? null), mean: r(s.length ? s.reduce((a, b) => a + b, 0) / s.length : null) };
};

/** One 4096 x 4096 demo image with its mask and a prediction (the mask shifted, boundary dropped). */
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

/** When one launch reached each point, performance.now() of this process. */
export interface LaunchTimes {
  /** `seglens serve` spawned. */
  spawned: number;
  /** The server printed its URL. */
  served: number;
  /** The page was opened (a new browser context, so nothing is cached from a launch before). */
  pageOpened: number;
  /** The first image on screen (the overview of a large image since issue 14). */
  firstImage: number;
  /** Its full resolution in (the same moment before issue 14). */
  fullImage: number;
  /**
   * The page's own seglensPerf: navigation to the first image and to its full resolution, ms, and
   * to each step the renderer marks on the way (`seglens:<step>` performance marks; none before them).
   */
  inPage: { first: number; full: number; steps: Record<string, number> };
}

export interface ReviewSession {
  browser: Browser;
  page: Page;
  /** This session's launch (the last of `launches`). */
  times: LaunchTimes;
  /** Every launch of the session, in order, this one last (see withReviewSession's `launches`). */
  launches: LaunchTimes[];
}

/**
 * Runs `use` with the image open in Chromium through the real server, then closes everything.
 * With `launches` > 1, the server is launched and the page opened on the image that many times
 * (each launch a fresh `seglens serve` and a fresh browser context, the one before stopped first),
 * and `use` gets the last one, with every launch's times. Returns `{skipped}` where Chromium is absent.
 */
export async function withReviewSession<T>(tag: string, use: (s: ReviewSession) => Promise<T>, opts: { launches?: number } = {}): Promise<T | { skipped: string }> {
  if (!existsSync(CHROMIUM)) return { skipped: `${CHROMIUM} is absent (apt-get install chromium)` };
  const { chromium } = await import('playwright-core');
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(REPO, 'renderer', 'vite.config.ts'), '--logLevel', 'warn'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const tmp = await mkdtemp(join(tmpdir(), `seglens-bench-${tag}-`));
  const project = join(tmp, 'project');
  let child: ReturnType<typeof spawn> | null = null;
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.once('exit', () => r());
      c.kill('SIGTERM');
    });
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
  try {
    const name = await makeProject(project);
    const launches: LaunchTimes[] = [];
    const count = Math.max(1, opts.launches ?? 1);
    for (let k = 0; k < count; k++) {
      const spawned = performance.now();
      const c = spawn(process.execPath, [join(REPO, 'bin', 'seglens.js'), 'serve', project, '--port', '0'], { cwd: REPO, env: { ...process.env, SEGLENS_HOME: tmp } });
      child = c;
      const url = await new Promise<string>((res, rej) => {
        let out = '';
        c.stdout!.on('data', (d) => {
          out += d;
          const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*\?token=[A-Za-z0-9_-]+)/.exec(out);
          if (m) res(m[1]);
        });
        c.stderr!.on('data', (d) => (out += d));
        c.once('exit', (code) => rej(new Error(`seglens serve exited ${code}: ${out}`)));
      });
      const served = performance.now();
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const pageOpened = performance.now();
      await page.goto(`${url}#/image/${encodeURIComponent(name)}?run=${RUN}`);
      await page.waitForFunction(() => (globalThis as unknown as { seglensPerf?: { firstImageAt: number | null } }).seglensPerf?.firstImageAt != null, undefined, { timeout: 120_000 });
      const firstImage = performance.now();
      // The full resolution (the editor and the readout work on it only); a renderer without overviews
      // (before issue 14's) has no fullImageAt and had it with the first image.
      await page.waitForFunction(() => (globalThis as unknown as { seglensPerf: { fullImageAt?: number | null } }).seglensPerf.fullImageAt !== null, undefined, { timeout: 120_000 });
      const fullImage = performance.now();
      const inPage = await page.evaluate(() => {
        const p = (globalThis as unknown as { seglensPerf: { firstImageAt: number; fullImageAt?: number | null } }).seglensPerf;
        const steps = Object.fromEntries(
          performance
            .getEntriesByType('mark')
            .filter((m) => m.name.startsWith('seglens:'))
            .map((m) => [m.name.slice('seglens:'.length), Math.round(m.startTime)]),
        );
        return { first: p.firstImageAt, full: p.fullImageAt ?? p.firstImageAt, steps };
      });
      const times = { spawned, served, pageOpened, firstImage, fullImage, inPage };
      launches.push(times);
      if (k === count - 1) return await use({ browser, page, times, launches });
      await page.context().close();
      await stop();
    }
    throw new Error('unreachable');
  } finally {
    await browser.close();
    await stop();
    await rm(tmp, { recursive: true, force: true });
  }
}
