// The GPU backends (WebGPU and WebGL, in Chromium on SwiftShader's software adapters) against the
// cpu backend: the project's filter gradient on odd sizes, both paddings, strides 1 and 2, and a
// whole U-Net training step (every kernel the step uses: convolutions and both gradients,
// transposed convolution, batch norm, max-pool and its gradient, concat, split, softmax, loss):
// loss and every gradient agree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { bundle, launchGpuChromium, serveFiles, skipWithoutChromium } from './harness.ts';
import type { TestServer } from './harness.ts';

describe.skipIf(skipWithoutChromium('GPU kernels in Chromium'))('GPU kernels in Chromium (SwiftShader)', () => {
  let browser: Browser;
  let server: TestServer;
  beforeAll(async () => {
    const script = await bundle('test/gpu/kernel-page.ts');
    server = await serveFiles({ '/': ['text/html', '<!doctype html><meta charset="utf-8"><script src="/page.js"></script>'], '/page.js': ['text/javascript', script] });
    browser = await launchGpuChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each(['webgpu', 'webgl'] as const)('%s: the filter gradient and a whole training step equal the cpu backend', async (backend) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url + '/');
    const r = await page.evaluate((b) => window.checkKernels(b), backend);
    await page.close();
    expect(errors).toEqual([]);
    expect(r.backend).toBe(backend);
    expect(r.reason).toMatch(/software|SwiftShader/i);
    expect(r.projectFilterGradient, "the project's filter gradient replaced the stock one").toBe(true);
    expect(r.checks.length).toBeGreaterThan(30);
    const bad = r.checks.filter((c) => !(c.error <= 1e-4));
    expect(bad, JSON.stringify(bad.slice(0, 5))).toEqual([]);
  });
});
