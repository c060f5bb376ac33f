// `seglens train --backend webgpu` in plain Node, through the `webgpu` package (Dawn), on Mesa's
// llvmpipe (OpenGL ES, EGL surfaceless; .ci/run installs Mesa): a software adapter, so it is
// refused by default (the choice says why and the native path trains) and used with
// --allow-software-gpu, the backend and the adapter recorded in run.json.
import { createRequire } from 'node:module';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { seglens } from '../helpers/cli.ts';

const HAVE_WEBGPU = (() => {
  try {
    createRequire(import.meta.url).resolve('webgpu');
    return true;
  } catch {
    console.warn('SKIP webgpu in Node: the optional package webgpu is not installed (npm ci installs it where its prebuilt binary fits the platform).');
    return false;
  }
})();

const TINY = ['--epochs', '1', '--steps', '2', '--patch', '32', '--batch', '2'];

describe.skipIf(!HAVE_WEBGPU)('seglens train on WebGPU in Node (Dawn on Mesa llvmpipe)', () => {
  let tmp = '';
  let project = '';
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'seglens-webgpu-node-'));
    project = join(tmp, 'demo');
    await generateDemoProject(project, { size: 48, count: 5, plantErrors: false, seed: 4 });
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const runInfo = async (out: string) => {
    const [id] = await readdir(out);
    return JSON.parse(await readFile(join(out, id, 'run.json'), 'utf8')) as {
      sessions: Array<{ backend: { name: string; reason: string; tried: Array<{ package: string; ok: boolean; reason: string }>; adapter?: { software: boolean; device: string } } }>;
    };
  };

  it('refuses the software adapter by default, saying so, and trains on the native CPU path', async () => {
    const out = join(tmp, 'runs-default');
    const r = await seglens(['train', project, ...TINY, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const b = (await runInfo(out)).sessions[0].backend;
    expect(b.name).not.toBe('webgpu');
    const gpu = b.tried.find((t) => t.package === '@tensorflow/tfjs-backend-webgpu');
    expect(gpu?.ok).toBe(false);
    expect(gpu?.reason).toMatch(/software adapter .*--allow-software-gpu/);
    // The adapter probe runs in a child: Dawn's and Mesa's own warnings stay out of the output.
    expect(r.stderr).not.toMatch(/XDG_RUNTIME_DIR|Vulkan/);
  });

  it('trains with --backend webgpu --allow-software-gpu and records the adapter', async () => {
    const out = join(tmp, 'runs-webgpu');
    const r = await seglens(['train', project, ...TINY, '--out', out, '--backend', 'webgpu', '--allow-software-gpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^backend webgpu: WebGPU through .* \(software, not a GPU\)/m);
    expect(r.stdout).toMatch(/^epoch 1\/1 .*fg mean \d\.\d{3}/m);
    const b = (await runInfo(out)).sessions[0].backend;
    expect(b.name).toBe('webgpu');
    expect(b.adapter).toMatchObject({ software: true });
    expect(b.adapter?.device).toMatch(/llvmpipe|lavapipe|swiftshader/i);
  });
});
