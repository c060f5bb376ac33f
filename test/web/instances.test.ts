// Issue 13: two app instances on one project, as two real `seglens serve` processes. The first
// takes the project's edit lock; the second opens read-only and says who holds it, and its saves
// are refused with that reason. Once the first quits, the second saves, but a save based on a mask
// the first changed in between is a conflict (the file on disk is compared, not a cached index),
// and the edits index keeps both instances' edits.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from '../../src/api/index.ts';
import type { ContractClient } from '../../src/api/client.ts';
import { createWebTransport } from '../../src/api/transports/web.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { serve } from '../e2e/harness.ts';
import type { Served } from '../e2e/harness.ts';

let tmp: string;
let proj: string;
const running: Served[] = [];

function clientOf(s: Served): ContractClient {
  const url = new URL(s.url);
  return createClient(createWebTransport({ baseUrl: url.origin, token: url.searchParams.get('token')!, WebSocket: WebSocket as never }));
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-instances-'));
  proj = join(tmp, 'proj');
  await generateDemoProject(proj, { count: 3, size: 32, plantErrors: false });
});
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await rm(tmp, { recursive: true, force: true });
});

describe('two instances on one project', () => {
  it('the second is read-only and says why; nothing either saved is lost; a stale save is a conflict', { timeout: 180_000 }, async () => {
    const first = await serve([proj], {});
    running.push(first);
    const second = await serve([proj], {});
    running.push(second);
    expect(second.output()).toMatch(/Read-only: seglens \(pid \d+, since .*\) is editing the masks of/);
    const a = clientOf(first);
    const b = clientOf(second);
    expect((await a.appInfo()).project!.readOnly).toBeNull();
    const ro = (await b.appInfo()).project!.readOnly;
    expect(ro).toMatch(/seglens \(pid \d+, since .*\) is editing the masks of .*proj\. This window is read-only: close the project there/);

    // Both windows show demo_01 as imported.
    const m1a = await a.getMaskPixels({ name: 'demo_01' });
    const m1b = await b.getMaskPixels({ name: 'demo_01' });
    expect(m1b.version).toBe(m1a.version);
    const editA = Uint8Array.from(m1a.data).fill(1);
    const savedA = await a.saveMask({ name: 'demo_01', width: 32, height: 32, baseVersion: m1a.version, data: editA });

    // The read-only window cannot save, and is told why.
    const m2b = await b.getMaskPixels({ name: 'demo_02' });
    const editB = Uint8Array.from(m2b.data).fill(2);
    await expect(b.saveMask({ name: 'demo_02', width: 32, height: 32, baseVersion: m2b.version, data: editB })).rejects.toMatchObject({
      name: 'LockedError',
      message: expect.stringMatching(/^Not saved: seglens \(pid \d+, since .*\) is editing the masks/),
    });

    // The first quits (its lock goes with it); the second may now save...
    await first.stop();
    // ...but not over demo_01 from the version it loaded before the first saved: the file on disk changed.
    await expect(b.saveMask({ name: 'demo_01', width: 32, height: 32, baseVersion: m1b.version, data: Uint8Array.from(m1b.data) })).rejects.toMatchObject({
      name: 'ConflictError',
      details: { expectedVersion: m1b.version, actualVersion: savedA.version },
    });
    const savedB = await b.saveMask({ name: 'demo_02', width: 32, height: 32, baseVersion: m2b.version, data: editB });
    expect((await b.appInfo()).project!.readOnly).toBeNull();

    // Both edits are in the index and on disk.
    const index = JSON.parse(await readFile(join(proj, 'masks-edited', 'edits.json'), 'utf8')) as { masks: Record<string, { file: string }> };
    expect(Object.keys(index.masks).sort()).toEqual(['demo_01', 'demo_02']);
    expect(Array.from((await b.getMaskPixels({ name: 'demo_01' })).data)).toEqual(Array.from(editA));
    expect(Array.from((await b.getMaskPixels({ name: 'demo_02' })).data)).toEqual(Array.from(editB));
    expect((await b.getMaskPixels({ name: 'demo_02' })).version).toBe(savedB.version);
    // The imported masks are untouched.
    expect((await readdir(join(proj, 'masks'))).sort()).toEqual(['demo_01.png', 'demo_02.png', 'demo_03.png']);
  });
});
