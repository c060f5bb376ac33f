// Training through the real compute worker: the trainer runs here (files, data, checkpoints) and
// its network runs in dist/compute/worker.js, started as a Web Worker by a page in Chromium, on
// WebGPU over SwiftShader, reached through the compute protocol on a WebSocket (what browser mode
// does). Two epochs of a tiny U-Net on the demo project; the run folder is complete, the backend
// and the adapter are recorded, and a resume continues through a fresh worker.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeBuilt } from '../../src/train/backend/native.ts';
import type { Browser, Page } from 'playwright-core';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { fromWebSocket } from '../../src/train/compute/node-ports.ts';
import { RemoteCompute } from '../../src/train/compute/rpc.ts';
import { Trainer } from '../../src/train/trainer/trainer.ts';
import type { TrainEvent } from '../../src/train/trainer/events.ts';
import { parseHistory } from '../../src/seg/history.ts';
import { launchGpuChromium, serveFiles, skipWithoutChromium } from './harness.ts';
import type { TestServer } from './harness.ts';

const PAGE = `<!doctype html><meta charset="utf-8"><script>
  const worker = new Worker('/worker.js');
  worker.onerror = (e) => console.error('worker error', e.message);
  worker.postMessage({ type: 'connect', url: location.origin.replace('http', 'ws') + '/compute' });
</script>`;

describe.skipIf(skipWithoutChromium('training through the compute worker'))('training through the compute worker (WebGPU on SwiftShader)', () => {
  let browser: Browser;
  let server: TestServer;
  let tmp = '';
  let project = '';
  beforeAll(async () => {
    const { buildComputeWorker, WORKER_BUNDLE } = await import('../../src/train/compute/bundle.mjs');
    tmp = await mkdtemp(join(tmpdir(), 'seglens-worker-train-'));
    const out = join(tmp, 'worker.js');
    await buildComputeWorker(out);
    expect(WORKER_BUNDLE).toMatch(/dist.compute.worker\.js$/);
    server = await serveFiles({ '/': ['text/html', PAGE], '/worker.js': ['text/javascript', await readFile(out, 'utf8')] });
    browser = await launchGpuChromium();
    project = join(tmp, 'demo');
    await generateDemoProject(project, { size: 64, count: 6, plantErrors: false, seed: 3 });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  async function workerCompute(): Promise<{ page: Page; compute: RemoteCompute; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
    const socket = server.nextSocket();
    await page.goto(server.url + '/');
    return { page, compute: new RemoteCompute(fromWebSocket(await socket)), errors };
  }

  const config = { model: { depth: 2, baseFilters: 4 }, patch: 32, batch: 2, stepsPerEpoch: 2, epochs: 2, validation: { tile: 32, overlap: 8, batch: 2 } };

  // Software WebGPU is slow, and slower still on a loaded 2-core machine: generous limits.
  it('trains two epochs, records the WebGPU adapter, and resumes through a fresh worker', { timeout: 480_000 }, async () => {
    const first = await workerCompute();
    const events: TrainEvent[] = [];
    const trainer = new Trainer({ project, out: join(tmp, 'runs'), compute: first.compute, backend: { allowSoftwareGpu: true }, config });
    const result = await trainer.fit({ onEvent: (e) => events.push(e) });
    trainer.dispose();
    await first.page.close();
    expect(first.errors, first.errors.join('\n')).toEqual([]);
    expect(result.status).toBe('finished');
    expect(result.epochs).toBe(2);
    const started = events[0];
    expect(started.type === 'started' && started.backend.name).toBe('webgpu');
    const info = JSON.parse(await readFile(join(result.runDir, 'run.json'), 'utf8')) as { sessions: Array<{ backend: { name: string; adapter?: { software: boolean; architecture: string } } }> };
    expect(info.sessions[0].backend.name).toBe('webgpu');
    expect(info.sessions[0].backend.adapter).toMatchObject({ software: true, architecture: 'swiftshader' });
    const history = parseHistory(await readFile(join(result.runDir, 'metrics.jsonl'), 'utf8'));
    expect(history.map((r) => r.epoch)).toEqual([1, 2]);
    for (const r of history) expect(Number.isFinite(r.trainLoss) && r.val.classes.length === 3).toBe(true);

    const second = await workerCompute();
    const resumed = new Trainer({ project, out: join(tmp, 'runs'), resume: result.runDir, epochs: 3, compute: second.compute, backend: { allowSoftwareGpu: true } });
    const r2 = await resumed.fit();
    resumed.dispose();
    await second.page.close();
    expect(second.errors).toEqual([]);
    expect(r2.epochs).toBe(3);
    expect(parseHistory(await readFile(join(result.runDir, 'metrics.jsonl'), 'utf8')).map((r) => r.epoch)).toEqual([1, 2, 3]);
  });

  it('stops with the reason when the compute goes away mid-run, and resumes on the native CPU path', { timeout: 480_000 }, async () => {
    const w = await workerCompute();
    const events: TrainEvent[] = [];
    const trainer = new Trainer({ project, out: join(tmp, 'runs'), compute: w.compute, backend: { allowSoftwareGpu: true }, config: { ...config, epochs: 5 } });
    const result = await trainer.fit({
      onEvent: (e) => {
        events.push(e);
        // The page goes away (a crash, a closed window) once epoch 1 is saved.
        if (e.type === 'checkpoint' && e.which === 'last' && e.epoch === 1) void w.page.close();
      },
    });
    trainer.dispose();
    expect(result.status).toBe('stopped');
    expect(result.epochs).toBe(1);
    const cpu = nativeBuilt() ? 'native' : 'wasm';
    expect(result.resumeOn).toBe(cpu);
    expect(result.reason).toContain(`--backend ${cpu}`);
    expect(result.reason).toMatch(/webgpu compute stopped working: .*--resume /);
    const info = JSON.parse(await readFile(join(result.runDir, 'run.json'), 'utf8')) as { status: string; sessions: Array<{ reason: string }> };
    expect(info.status).toBe('stopped');
    expect(info.sessions[0].reason).toMatch(/stopped working/);

    const onCpu = new Trainer({ project, out: join(tmp, 'runs'), resume: result.runDir, epochs: 2 });
    const r2 = await onCpu.fit();
    onCpu.dispose();
    expect(r2.status).toBe('finished');
    expect(parseHistory(await readFile(join(result.runDir, 'metrics.jsonl'), 'utf8')).map((r) => r.epoch)).toEqual([1, 2]);
  });
});
