// Issue 6, section 2: kill the engine at random moments during saves (50 times). The mask the app
// shows afterwards is always a valid image equal to the previous or the new state: the imported
// mask (before the first save completed), or one of the two masks being saved. Nothing torn.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/app/workspace.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { REPO } from '../helpers/paths.ts';

const KILLS = 50;

function runUntilKilled(dir: string, name: string, afterReadyMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'test', 'app', 'fixtures', 'save-loop.ts'), dir, name], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) setTimeout(() => child.kill('SIGKILL'), afterReadyMs);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`save loop exited ${code}: ${err}`))));
  });
}

describe('saves survive a killed engine', () => {
  let dir: string;
  const name = 'demo_01';
  let original: Uint8Array;
  let width: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seglens-crash-'));
    await generateDemoProject(dir, { count: 2, size: 256, plantErrors: false });
    const ws = new Workspace();
    await ws.openProject({ dir });
    const m = await ws.getMaskPixels({ name });
    original = Uint8Array.from(m.data);
    width = m.width;
    // Closed, so that the save loop's engine takes the edit lock (one window saves at a time).
    await ws.close();
  });

  it(`the shown mask is always old or new, over ${KILLS} kills at random moments`, { timeout: 600_000 }, async () => {
    const a = new Uint8Array(original.length).fill(1);
    const b = new Uint8Array(original.length);
    for (let i = 0; i < b.length; i++) b[i] = (i >> 5) % 3;
    const seen = { original: 0, a: 0, b: 0 };
    // Deterministic "random" moments spread over the first ~300 ms of saving.
    let s = 12345;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < KILLS; k++) {
      await runUntilKilled(dir, name, Math.floor(rand() * 300));
      const ws = new Workspace();
      await ws.openProject({ dir });
      const m = await ws.getMaskPixels({ name });
      await ws.close();
      expect(m.width).toBe(width);
      const d = Buffer.from(m.data);
      const which = d.equals(Buffer.from(original)) ? 'original' : d.equals(Buffer.from(a)) ? 'a' : d.equals(Buffer.from(b)) ? 'b' : null;
      expect(which, `kill ${k}: the mask is neither the previous nor the new state`).not.toBeNull();
      seen[which!]++;
    }
    // Every file in the edited-mask folder that is not a leftover temporary file decodes.
    for (const f of await readdir(join(dir, 'masks-edited'))) {
      if (f.endsWith('.png')) await expect(sharp(join(dir, 'masks-edited', f)).raw().toBuffer()).resolves.toBeInstanceOf(Buffer);
    }
    // The kills really landed during saves of both states.
    expect(seen.a + seen.b).toBeGreaterThan(KILLS / 2);
    expect(seen.a).toBeGreaterThan(0);
    expect(seen.b).toBeGreaterThan(0);
  });
});
