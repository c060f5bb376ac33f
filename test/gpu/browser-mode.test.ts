// Browser mode end to end: `seglens serve` on a demo project, the app's page open in Chromium
// (SwiftShader's software WebGPU), the page's compute worker connected to the engine; a training
// started through the contract with backend webgpu runs its network in the page's worker, and
// with auto the engine's own CPU path trains instead, saying why the page's software adapter was
// not used.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { SHOTS, ensureRendererBuilt, serve } from '../e2e/harness.ts';
import type { Served } from '../e2e/harness.ts';
import { launchGpuChromium, skipWithoutChromium } from './harness.ts';

interface JobStatus {
  jobId: string;
  runId: string;
  state: string;
  reason: string | null;
  epoch: number;
  resumeOn: 'native' | 'wasm' | null;
  backend: { name: string; reason: string } | null;
}

describe.skipIf(skipWithoutChromium('browser mode with the GPU compute worker'))('browser mode: training on the page GPU compute worker', () => {
  let tmp = '';
  let served: Served;
  let browser: Browser;
  let page: Page;
  let api: (method: string, params: object) => Promise<unknown>;

  beforeAll(async () => {
    ensureRendererBuilt();
    const { buildComputeWorker } = await import('../../src/train/compute/bundle.mjs');
    await buildComputeWorker();
    tmp = await mkdtemp(join(tmpdir(), 'seglens-browser-gpu-'));
    const project = join(tmp, 'demo');
    await generateDemoProject(project, { size: 48, count: 6, plantErrors: false, seed: 6 });
    served = await serve([project], {});
    const url = new URL(served.url);
    const token = url.searchParams.get('token')!;
    api = async (method, params) => {
      const res = await fetch(`${url.origin}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(params) });
      const body = (await res.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
      if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
      return body.result;
    };
    browser = await launchGpuChromium();
    page = await browser.newPage();
    page.on('console', (m) => console.log(`[page ${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await page.goto(served.url);
    await page.waitForSelector('nav, [data-view], main', { timeout: 60_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function status(): Promise<JobStatus[]> {
    return ((await api('trainingStatus', {})) as { jobs: JobStatus[] }).jobs;
  }
  async function until(ok: () => Promise<boolean>, ms: number, what: string): Promise<void> {
    for (const deadline = Date.now() + ms; !(await ok()); ) {
      if (Date.now() > deadline) throw new Error(`waited for ${what} in vain\n${served.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  async function waitForGpu(): Promise<void> {
    await until(async () => Boolean(((await api('trainingStatus', {})) as { gpu: { offers: unknown[] } | null }).gpu?.offers.length), 60_000, 'the page compute worker');
  }

  async function train(options: object): Promise<{ job: JobStatus; run: { sessions: Array<{ backend: { name: string; reason: string; adapter?: { software: boolean; architecture: string } } }> } }> {
    // The page's worker connects and says what it offers; a training started before uses the CPU.
    for (const deadline = Date.now() + 60_000; ; ) {
      const { gpu } = (await api('trainingStatus', {})) as { gpu: { source: string; offers: Array<{ backend: string; software: boolean }> } | null };
      if (gpu?.offers.length) {
        expect(gpu.source).toBe('browser page');
        expect(gpu.offers.find((o) => o.backend === 'webgpu')?.software).toBe(true);
        break;
      }
      if (Date.now() > deadline) throw new Error('the page compute worker did not connect');
      await new Promise((r) => setTimeout(r, 250));
    }
    const { jobId } = (await api('startTraining', { epochs: 1, stepsPerEpoch: 2, patch: 32, batchSize: 2, ...options })) as { jobId: string };
    const deadline = Date.now() + 540_000;
    for (;;) {
      const { jobs } = (await api('trainingStatus', {})) as { jobs: JobStatus[] };
      const job = jobs.find((j) => j.jobId === jobId)!;
      if (['finished', 'stopped', 'failed', 'diverged', 'time-limit'].includes(job.state)) {
        const runDir = join(tmp, 'demo', 'runs', job.runId);
        return { job, run: JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) };
      }
      if (Date.now() > deadline) throw new Error(`training did not end: ${JSON.stringify(job)}\n${served.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('backend webgpu (software adapter allowed) trains in the page worker', { timeout: 600_000 }, async () => {
    const { job, run } = await train({ backend: 'webgpu', allowSoftwareGpu: true });
    expect(job.state, job.reason ?? '').toBe('finished');
    expect(run.sessions[0].backend.name).toBe('webgpu');
    expect(run.sessions[0].backend.adapter).toMatchObject({ software: true, architecture: 'swiftshader' });
  });

  it('auto leaves the page software adapter alone and trains on the engine CPU path, saying why', { timeout: 600_000 }, async () => {
    const { job, run } = await train({});
    expect(job.state, job.reason ?? '').toBe('finished');
    const b = run.sessions[0].backend;
    expect(['native', 'wasm']).toContain(b.name);
    expect(b.reason).toMatch(/GPU compute of the browser page not used: .*software/);
  });
  it('the training view shows the GPU it can use, and offers to resume on the CPU when that GPU goes away mid-run', { timeout: 600_000 }, async () => {
    await waitForGpu();
    await page.click('[data-view="training"]');
    await page.waitForSelector('[data-testid="gpu-offer"]:has-text("webgpu")', { timeout: 30_000 });
    expect(await page.textContent('[data-testid="gpu-offer"]')).toMatch(/webgpu on .*software emulation.*browser page/);
    const { jobId } = (await api('startTraining', { epochs: 4, stepsPerEpoch: 2, patch: 32, batchSize: 2, backend: 'webgpu', allowSoftwareGpu: true })) as { jobId: string };
    // Once epoch 1's checkpoint is saved, a second page opens: its compute worker replaces the first page's,
    // whose compute (lent to this training) goes away as a closed window's would.
    // (the checkpoint is renamed into place whole, so its folder means it is complete)
    await until(async () => {
      const j = (await status()).find((x) => x.jobId === jobId);
      return Boolean(j && j.runId !== 'pending' && existsSync(join(tmp, 'demo', 'runs', j.runId, 'last')));
    }, 540_000, 'the last checkpoint of epoch 1');
    const second = await browser.newPage();
    await second.goto(served.url);
    await second.waitForSelector('[data-view="training"]', { timeout: 60_000 });
    await until(async () => (await status()).find((j) => j.jobId === jobId)?.state === 'stopped', 120_000, 'the stop');
    const job = (await status()).find((j) => j.jobId === jobId)!;
    expect(job.reason).toMatch(/webgpu compute stopped working/);
    expect(['native', 'wasm']).toContain(job.resumeOn);
    await second.click('[data-view="training"]');
    await second.waitForSelector('[data-testid="finished"]', { timeout: 30_000 });
    await mkdir(SHOTS, { recursive: true });
    await second.screenshot({ path: join(SHOTS, 'gpu-lost-finished.png'), fullPage: true });
    await second.waitForSelector('[data-action="resume-cpu"]', { timeout: 30_000 });
    await second.screenshot({ path: join(SHOTS, 'gpu-lost-resume-cpu.png'), fullPage: true });
    await second.click('[data-action="resume-cpu"]');
    await until(async () => (await status()).some((j) => j.jobId !== jobId && j.runId === job.runId && ['finished', 'stopped', 'failed'].includes(j.state)), 540_000, 'the resumed run');
    const resumed = (await status()).find((j) => j.jobId !== jobId && j.runId === job.runId)!;
    expect(resumed.state, resumed.reason ?? '').toBe('finished');
    expect(resumed.backend?.name).toBe(job.resumeOn);
    await second.close();
    // The first page's worker was replaced: a reload connects it again for whatever runs next.
    await page.reload();
  });

});
