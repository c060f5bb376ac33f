// `seglens serve` and `seglens start` through the real binary: the printed URL carries the token
// and works, --host prints a warning, and `start` without a usable Electron says why and serves
// the demo (generated under $SEGLENS_HOME) instead. Ctrl-C / SIGTERM ends both processes.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { REPO } from '../helpers/paths.ts';

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-serve-cli-'));
  await generateDemoProject(join(tmp, 'p'), { count: 2, size: 32 });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Starts the CLI and resolves with its output once it has printed the URL. */
function launch(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; out: string; err: string; url: URL }> {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'seglens.js'), ...args], { env: { ...process.env, ...env, FORCE_COLOR: '0' } });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}\n${err}`)), 30_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /(http:\/\/\S+\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, out, err, url: new URL(m[1]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}\n${err}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function appInfo(url: URL): Promise<{ project: { dir: string } | null }> {
  const token = url.searchParams.get('token')!;
  const res = await fetch(new URL('/api/appInfo', url), { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{}' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { result: { project: { dir: string } | null } }).result;
}

describe('seglens serve', () => {
  it('opens the project, prints a working URL with the token, and stops on SIGTERM', { timeout: 60_000 }, async () => {
    const { child, url, out } = await launch(['serve', join(tmp, 'p'), '--port', '0']);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(out).toContain(`Serving ${join(tmp, 'p')}`);
    expect((await appInfo(url)).project!.dir).toBe(join(tmp, 'p'));
    const noToken = await fetch(new URL('/api/appInfo', url), { method: 'POST', body: '{}' });
    expect(noToken.status).toBe(401);
    // One server: the bundle's entry (out/node/web.js) serves once (a module that also served when
    // it was the process's main file once made a second server, read-only against the first).
    let all = out;
    child.stdout!.on('data', (d) => (all += d));
    await new Promise((r) => setTimeout(r, 1500));
    expect(all.match(/Open in a browser/g)).toHaveLength(1);
    expect(await stop(child)).toBe(0);
  });

  it('warns when asked to listen beyond this computer', { timeout: 60_000 }, async () => {
    const { child, err } = await launch(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(err).toMatch(/WARNING: listening on 0\.0\.0\.0/);
    await stop(child);
  });
});

describe('seglens start', () => {
  it('without a usable Electron, says why and serves the demo generated under SEGLENS_HOME', { timeout: 60_000 }, async () => {
    const home = join(tmp, 'home');
    const { child, out, url } = await launch(['start'], { SEGLENS_HOME: home });
    expect(out).toMatch(/Electron is not available: .+\. Starting browser mode on the demo project instead\./);
    // Probing Electron never starts its on-demand download (slow, and a stack trace when offline).
    expect(out).not.toContain('Downloading Electron binary');
    expect(existsSync(join(home, 'demo', 'seglens.json'))).toBe(true);
    expect((await appInfo(url)).project!.dir).toBe(join(home, 'demo'));
    await stop(child);
  });
});
