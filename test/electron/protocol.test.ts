// The app scheme's confinement (electron/protocol.ts), in plain Node: real folders, files and
// symbolic links in a temp dir, and Request objects as Electron's protocol.handle passes them.
// Every traversal attempt must be refused and must not return the secret's bytes.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ORIGIN, CSP, PROJECT_PREFIX, handleAppRequest, resolveConfined, urlPathSegments } from '../../electron/protocol.ts';
import type { AppProtocolContext } from '../../electron/protocol.ts';

const SECRET = 'TOP-SECRET-CONTENT';
let base: string;
let renderer: string;
let project: string;
let ctx: AppProtocolContext;
const refusals: string[] = [];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'seglens-protocol-'));
  renderer = join(base, 'renderer');
  project = join(base, 'project');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await mkdir(join(project, 'images', 'sub dir'), { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(renderer, 'assets', 'app.js.map'), '{"version":3,"sources":["../src/x.ts"]}');
  await writeFile(join(project, 'images', 'a.png'), 'PNGDATA');
  await writeFile(join(project, 'images', 'sub dir', 'b c.png'), 'SPACED');
  await writeFile(join(base, 'secret.txt'), SECRET);
  // Links: one escaping the project (file), one escaping through a folder, one staying inside.
  await symlink(join(base, 'secret.txt'), join(project, 'images', 'evil.png'));
  await symlink(base, join(project, 'images', 'up'));
  await symlink(join(project, 'images', 'a.png'), join(project, 'images', 'alias.png'));
  ctx = { rendererDir: renderer, projectDir: () => project, log: (m) => refusals.push(m) };
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

async function get(url: string, method = 'GET'): Promise<{ status: number; body: string; res: Response }> {
  const res = await handleAppRequest(new Request(url, { method }), ctx);
  return { status: res.status, body: await res.text(), res };
}

describe('urlPathSegments (string checks)', () => {
  it('decodes plain relative paths', () => {
    expect(urlPathSegments('/images/sub%20dir/b%20c.png')).toEqual({ ok: true, segments: ['images', 'sub dir', 'b c.png'] });
    expect(urlPathSegments('images//a.png')).toEqual({ ok: true, segments: ['images', 'a.png'] });
  });
  it.each([
    ['dot-dot segment', '/images/../../secret.txt'],
    ['single dot segment', '/./a.png'],
    ['encoded dot-dot with encoded slash', '/%2e%2e%2fsecret.txt'],
    ['encoded dot-dot alone', '/images/%2E%2E/x'],
    ['encoded slash', '/images%2f..%2f..%2fsecret.txt'],
    ['encoded backslash', '/..%5c..%5csecret.txt'],
    ['raw backslash', '/..\\..\\secret.txt'],
    ['NUL byte', '/images/a.png%00.js'],
    ['other control character', '/images/a%0a.png'],
    ['drive letter', '/C:/Windows/win.ini'],
    ['encoded drive letter', '/c%3A%5Cwindows'],
    ['malformed encoding', '/images/%E0%A4%A'],
  ])('refuses %s', (_what, path) => {
    const r = urlPathSegments(path);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.status).toBe(400);
  });
});

describe('resolveConfined (file system)', () => {
  it('resolves a file inside the root, links inside included', async () => {
    const r = await resolveConfined(project, '/images/alias.png');
    expect(r).toEqual({ ok: true, file: join(project, 'images', 'a.png') });
  });
  it('refuses a symbolic link to a file outside the root with 403', async () => {
    expect(await resolveConfined(project, '/images/evil.png')).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses a path through a linked folder that leaves the root', async () => {
    expect(await resolveConfined(project, '/images/up/secret.txt')).toMatchObject({ ok: false, status: 403 });
  });
  it('answers 404 for missing files and folders, 400 for traversal', async () => {
    expect(await resolveConfined(project, '/images/nope.png')).toMatchObject({ ok: false, status: 404 });
    expect(await resolveConfined(project, '/images')).toMatchObject({ ok: false, status: 404 });
    expect(await resolveConfined(project, '/../secret.txt')).toMatchObject({ ok: false, status: 400 });
    expect(await resolveConfined(join(base, 'missing-root'), '/a')).toMatchObject({ ok: false, status: 404 });
  });
});

describe('handleAppRequest', () => {
  it('serves the renderer with the CSP, index.html for /', async () => {
    const r = await get(`${APP_ORIGIN}/`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>app</title>');
    expect(r.res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.res.headers.get('content-security-policy')).toBe(CSP);
    expect(r.res.headers.get('x-content-type-options')).toBe('nosniff');
    const js = await get(`${APP_ORIGIN}/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.res.headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('serves no source maps, even one left in the build', async () => {
    const map = await get(`${APP_ORIGIN}/assets/app.js.map`);
    expect(map.status).toBe(404);
    expect(map.body).not.toContain('sources');
  });

  it('serves project files under the prefix, names with spaces included', async () => {
    expect(await get(`${APP_ORIGIN}${PROJECT_PREFIX}images/a.png`)).toMatchObject({ status: 200, body: 'PNGDATA' });
    expect(await get(`${APP_ORIGIN}${PROJECT_PREFIX}images/sub%20dir/b%20c.png`)).toMatchObject({ status: 200, body: 'SPACED' });
  });

  // Raw URLs as a hostile page could request them. The URL parser removes plain and %2e dot
  // segments before the handler sees them, which keeps them inside the renderer folder; the rest
  // reaches the handler's own checks. None may return the secret.
  it.each([
    `${APP_ORIGIN}/../secret.txt`,
    `${APP_ORIGIN}/../../../../../../etc/passwd`,
    `${APP_ORIGIN}/%2e%2e/secret.txt`,
    `${APP_ORIGIN}/%2e%2e%2fsecret.txt`,
    `${APP_ORIGIN}/%2e%2e%2f%2e%2e%2fsecret.txt`,
    `${APP_ORIGIN}${PROJECT_PREFIX}../secret.txt`,
    `${APP_ORIGIN}${PROJECT_PREFIX}%2e%2e%2fsecret.txt`,
    `${APP_ORIGIN}${PROJECT_PREFIX}images%2f..%2f..%2fsecret.txt`,
    `${APP_ORIGIN}${PROJECT_PREFIX}..%5csecret.txt`,
    `${APP_ORIGIN}${PROJECT_PREFIX}images/evil.png`,
    `${APP_ORIGIN}${PROJECT_PREFIX}images/up/secret.txt`,
    `${APP_ORIGIN}${PROJECT_PREFIX}images/a.png%00.html`,
    `${APP_ORIGIN}${PROJECT_PREFIX}%2Ftmp%2Fsecret.txt`,
    `${APP_ORIGIN}//etc/passwd`,
    `${APP_ORIGIN}${PROJECT_PREFIX}/etc/passwd`,
  ])('refuses %s', async (url) => {
    const r = await get(url);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body).not.toContain(SECRET);
  });

  it('refuses an absolute path spelled into the URL even when the file exists', async () => {
    const abs = join(base, 'secret.txt');
    const r = await get(`${APP_ORIGIN}${PROJECT_PREFIX}${encodeURIComponent(abs)}`);
    expect(r.status).toBe(400);
    const r2 = await get(`${APP_ORIGIN}${PROJECT_PREFIX}${abs}`);
    expect(r2.body).not.toContain(SECRET);
  });

  it('logs refusals (not plain 404s)', async () => {
    refusals.length = 0;
    await get(`${APP_ORIGIN}${PROJECT_PREFIX}images/evil.png`);
    await get(`${APP_ORIGIN}/nothing-here.js`);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('evil.png');
  });

  it('refuses other hosts, other methods, and project files when no project is open', async () => {
    expect((await get('seglens://other/index.html')).status).toBe(404);
    expect((await get(`${APP_ORIGIN}/index.html`, 'POST')).status).toBe(405);
    const closed = await handleAppRequest(new Request(`${APP_ORIGIN}${PROJECT_PREFIX}images/a.png`), { ...ctx, projectDir: () => null });
    expect(closed.status).toBe(404);
  });

  it('answers HEAD without a body', async () => {
    const r = await get(`${APP_ORIGIN}/index.html`, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });

  it('shows a "not built" page when the renderer is missing', async () => {
    const res = await handleAppRequest(new Request(`${APP_ORIGIN}/`), { ...ctx, rendererDir: join(base, 'no-renderer') });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('npx vite build');
  });
});

describe('CSP', () => {
  it('allows only the app origin for scripts, with no eval of any kind', () => {
    const directives = Object.fromEntries(CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['img-src']).toEqual(["'self'", 'data:', 'blob:']);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(CSP).not.toMatch(/unsafe-eval|wasm-unsafe-eval/);
  });
});
