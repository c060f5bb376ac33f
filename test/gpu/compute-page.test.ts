// The desktop app's compute window page (dist/compute/page.html's script) in Chromium: given a
// MessagePort the way electron/compute-preload.ts hands it over, it starts the real compute worker
// on that port, which then trains and predicts on WebGPU (SwiftShader here) for whoever holds the
// other end: the path the engine's training jobs use in the desktop app, tested without Electron.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { REPO } from '../helpers/paths.ts';
import { bundle, launchGpuChromium, serveFiles, skipWithoutChromium } from './harness.ts';
import type { TestServer } from './harness.ts';

describe.skipIf(skipWithoutChromium('the compute window page'))('the compute window page hands its MessagePort to the compute worker', () => {
  let browser: Browser;
  let server: TestServer;
  beforeAll(async () => {
    const { buildComputeWorker } = await import('../../src/train/compute/bundle.mjs');
    const out = join(REPO, 'dist', 'compute');
    await buildComputeWorker(join(out, 'worker.js'));
    const js = 'text/javascript';
    server = await serveFiles({
      '/': ['text/html', '<!doctype html><meta charset="utf-8"><script src="page.js"></script><script src="client.js"></script>'],
      '/page.js': [js, await readFile(join(out, 'page.js'), 'utf8')],
      '/worker.js': [js, await readFile(join(out, 'worker.js'), 'utf8')],
      '/client.js': [js, await bundle('test/gpu/port-client.ts')],
    });
    browser = await launchGpuChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('trains two steps, predicts and snapshots through the port, on WebGPU', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + '/');
    const r = await page.evaluate(() => window.trainThroughPort());
    await page.close();
    expect(errors).toEqual([]);
    expect(r.backend).toBe('webgpu');
    expect(r.software).toBe(true);
    expect(r.losses).toHaveLength(2);
    for (const l of r.losses) expect(Number.isFinite(l) && l > 0).toBe(true);
    expect(r.probs).toBe(40 * 36 * 3);
    expect(r.sums).toBeLessThan(1e-3);
    expect(r.weights).toBeGreaterThan(10);
  });
});
