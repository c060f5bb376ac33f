// The install-time build of the native addon (native/build.mjs) never fails the install: where
// it cannot build (here: a compiler that fails, or SEGLENS_NATIVE=0) it exits 0 and records why
// in native/build/status.json; and a missing addon makes the backend choice fall back to wasm with
// that reason. The build runs in a copy of native/, so the checkout's own addon is untouched.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/paths.ts';

const tmp = mkdtempSync(join(tmpdir(), 'seglens-native-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function buildCopy(name: string, env: Record<string, string>): { status: number | null; stdout: string; state: { ok: boolean; reason: string } } {
  const dir = join(tmp, name);
  const built = join(REPO, 'native', 'build');
  cpSync(join(REPO, 'native'), dir, { recursive: true, filter: (src) => src !== built && !src.startsWith(built + sep) });
  const r = spawnSync(process.execPath, [join(dir, 'build.mjs')], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, state: JSON.parse(readFileSync(join(dir, 'build', 'status.json'), 'utf8')) };
}

describe('native/build.mjs', () => {
  it('exits 0 and says why when the compiler fails', () => {
    const r = buildCopy('broken', { CXX: '/bin/false', CC: '/bin/false' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/not built: .*wasm path/);
    expect(r.state.ok).toBe(false);
    expect(r.state.reason).toMatch(/node-gyp failed|toolchain|oneDNN/);
  });

  it('skips the build under SEGLENS_NATIVE=0', () => {
    const r = buildCopy('skipped', { SEGLENS_NATIVE: '0' });
    expect(r.status).toBe(0);
    expect(r.state).toMatchObject({ ok: false, reason: expect.stringMatching(/SEGLENS_NATIVE=0/) });
  });
});

describe('a missing addon', () => {
  it('leaves the wasm path, with the reason in the choice', () => {
    const src = JSON.stringify(pathToFileURL(join(REPO, 'src/train/backend/select.ts')).href);
    const child = join(tmp, 'child.mts');
    writeFileSync(child, `const { selectBackend } = await import(${src});\nconst c = await selectBackend();\nconsole.log(JSON.stringify({ name: c.name, reason: c.reason }));\n`);
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const r = spawnSync(process.execPath, ['--import', tsx, child], { encoding: 'utf8', env: { ...process.env, SEGLENS_NATIVE_PATH: join(tmp, 'nowhere.node') }, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { name: string; reason: string };
    expect(out.name).toBe('wasm');
    expect(out.reason).toMatch(/native CPU path not used: the native addon is not built \(.*nowhere\.node is missing/);
  });
});
