// Issue 13: a user's group pattern cannot hold the server or the command. `^(a+)+$` on names of 40
// a's backtracks for longer than anyone waits; the split preview of a real `seglens serve` answers
// it with an error naming the pattern within a second, and requests sent all the while are answered
// at once (the pattern runs in a worker thread with a time limit, not on the server's event loop).
// `seglens split --group` refuses it the same way, exit 2.
import { request } from 'node:http';
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { serve } from '../e2e/harness.ts';
import type { Served } from '../e2e/harness.ts';
import { seglens } from '../helpers/cli.ts';

const EVIL = '^(a+)+$';
let tmp: string;
let proj: string;
let srv: Served;

/** One contract call; a server that does not answer within `timeoutMs` fails the test instead of hanging it. */
function call(method: string, params: unknown, timeoutMs = 5000): Promise<{ status: number; body: { ok: boolean; result?: unknown; error?: { name: string; message: string } } }> {
  const url = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(params);
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: `/api/${method}`, timeout: timeoutMs, headers: { Authorization: `Bearer ${url.searchParams.get('token')}`, 'Content-Type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method}: no answer within ${timeoutMs} ms (the server is blocked)`)));
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-pattern-'));
  proj = join(tmp, 'proj');
  await generateDemoProject(proj, { count: 4, size: 32, plantErrors: false });
  // Names a backtracking pattern chokes on: 40 a's, then what the pattern cannot match.
  for (const sub of ['images', 'masks']) {
    for (const f of await readdir(join(proj, sub))) await rename(join(proj, sub, f), join(proj, sub, f.replace('demo', 'a'.repeat(40))));
  }
  srv = await serve([proj], { SEGLENS_HOME: tmp });
}, 60_000);
afterAll(async () => {
  await srv?.stop();
  await rm(tmp, { recursive: true, force: true });
});

describe('a pathological group pattern', () => {
  it('the split preview returns an error naming it within a second, while other requests are answered', { timeout: 60_000 }, async () => {
    // A pattern that works, for comparison: the preview groups by it.
    const ok = await call('previewSplit', { groupPattern: '^(a+)_0[12]', seed: 1 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);

    const t0 = performance.now();
    let done = false;
    const slow = call('previewSplit', { groupPattern: EVIL, seed: 1 }, 10_000).then((r) => ((done = true), { ...r, ms: performance.now() - t0 }));
    // Requests all the while the pattern runs: each is answered at once.
    const answered: number[] = [];
    while (!done) {
      const t = performance.now();
      expect((await call('appInfo', {}, 2000)).status).toBe(200);
      answered.push(performance.now() - t);
      await new Promise((res) => setTimeout(res, 20));
    }
    const r = await slow;
    expect(answered.length).toBeGreaterThan(3);
    expect(r.status).toBe(422);
    expect(r.body.error!.name).toBe('ConfigError');
    expect(r.body.error!.message).toMatch(/The group pattern "\^\(a\+\)\+\$" ran longer than 0\.5 s on 4 image name\(s\), so it was stopped/);
    expect(r.ms).toBeLessThan(1000);
    // The other requests did not wait for the pattern.
    expect(Math.max(...answered)).toBeLessThan(400);
    // And the server is as it was.
    expect((await call('listImages', {})).status).toBe(200);
  });

  it('seglens split --group refuses it with exit 2 and writes nothing', { timeout: 60_000 }, async () => {
    const before = (await readdir(proj)).sort();
    const t0 = performance.now();
    const r = await seglens(['split', proj, '--seed', '1', '--group', EVIL]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/seglens: The group pattern "\^\(a\+\)\+\$" ran longer than 0\.5 s/);
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect((await readdir(proj)).sort()).toEqual(before);
  });
});
