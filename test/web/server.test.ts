// `seglens serve` as a real server on an ephemeral port, probed with raw HTTP and WebSocket:
// the token on every API route and the socket (the page and its assets carry none), origins, path traversal through the data and static routes,
// oversized and malformed messages (the server answers the next valid request), events delivered,
// and the browser transport + client end to end.
import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ContractError, createClient, encodeFrame, encodeSaveMask, parseEvent } from '../../src/api/index.ts';
import { createWebTransport } from '../../src/api/transports/web.ts';
import { Workspace } from '../../src/app/workspace.ts';
import { generateDemoProject } from '../../src/seg/demo/index.ts';
import { startServer } from '../../src/web/server.ts';
import type { RunningServer } from '../../src/web/server.ts';

let tmp: string;
let proj: string;
let srv: RunningServer;
const TOKEN = 'test-token-0123456789abcdef';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json(): { ok: boolean; result?: unknown; error?: { name: string; message: string; details: Record<string, unknown> } };
}

function http(method: string, path: string, o: { headers?: Record<string, string | number>; body?: Buffer | string; token?: string | null } = {}): Promise<Reply> {
  const headers: Record<string, string | number> = { ...o.headers };
  if (o.token !== null) headers.Authorization = `Bearer ${o.token ?? TOKEN}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) });
      });
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

const call = (method: string, params: unknown = {}, token?: string | null) =>
  http('POST', `/api/${method}`, { body: JSON.stringify(params), headers: { 'Content-Type': 'application/json' }, token });

/** The engine still answers a valid call. */
async function stillAlive(): Promise<void> {
  const r = await call('appInfo');
  expect(r.status).toBe(200);
  expect(r.json().ok).toBe(true);
}

function socket(query: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; status: number | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/events${query}`, { headers });
    ws.once('open', () => resolve({ ws, status: null }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? -1 }));
    ws.once('error', () => resolve({ ws, status: -1 }));
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'seglens-web-'));
  proj = join(tmp, 'project');
  await generateDemoProject(proj, { count: 3, size: 32, seed: 4 });
  // Links out of the project: an "image" pointing at a file outside it.
  await writeFile(join(tmp, 'secret.tif'), 'not for the browser');
  await symlink(join(tmp, 'secret.tif'), join(proj, 'images', 'leak.tif'));
  const renderer = join(tmp, 'renderer');
  await mkdir(join(renderer, 'assets'), { recursive: true });
  await writeFile(join(renderer, 'index.html'), '<!doctype html><html><head><title>seglens</title></head><body><script src="/assets/app.js"></script></body></html>');
  await writeFile(join(renderer, 'assets', 'app.js'), 'console.log("app")');
  // A source map left in the build (vite no longer writes them): present, but never served.
  await writeFile(join(renderer, 'assets', 'app.js.map'), '{"version":3,"sources":["../src/secret.ts"]}');
  await symlink(join(tmp, 'secret.tif'), join(renderer, 'assets', 'leak.js'));
  srv = await startServer({ token: TOKEN, rendererDir: renderer, engine: (emit) => new Workspace({ emit, demoDir: join(tmp, 'demo') }) });
  expect((await call('openProject', { dir: proj })).status).toBe(200);
});

afterAll(async () => {
  await srv.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('binding and the URL', () => {
  it('listens on 127.0.0.1 and prints a URL carrying the token', () => {
    expect(srv.host).toBe('127.0.0.1');
    expect(srv.exposed).toBe(false);
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/?token=${TOKEN}`);
  });

  it('makes a long random token when none is given', async () => {
    const a = await startServer({ engine: (emit) => new Workspace({ emit, demoDir: join(tmp, 'demo') }) });
    const b = await startServer({ engine: (emit) => new Workspace({ emit, demoDir: join(tmp, 'demo') }) });
    try {
      expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(a.token).not.toBe(b.token);
      expect(a.port).not.toBe(b.port);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('the token', () => {
  const routes: [string, string, (string | Buffer)?][] = [
    ['POST', '/api/appInfo', '{}'],
    ['POST', '/api/listImages', '{}'],
    ['GET', '/data/getImagePixels?name=demo_01'],
    ['GET', '/data/getMaskPixels?name=demo_01'],
    ['POST', '/data/saveMask', Buffer.alloc(16)],
    ['GET', '/events'],
  ];

  it.each(routes)('%s %s: refused without a token, with a wrong one, and with a wrong-length one', async (method, path, body) => {
    for (const token of [null, 'x'.repeat(TOKEN.length), 'short', TOKEN + 'x']) {
      const r = await http(method, path, { token, ...(body !== undefined ? { body } : {}) });
      expect(r.status, `${method} ${path} with ${token}`).toBe(401);
      if (path.startsWith('/api') || path.startsWith('/data')) expect(r.json().error!.name).toBe('AuthError');
      expect(r.body.toString()).not.toContain('demo_01.tif');
    }
    for (const token of ['wrong', TOKEN.slice(0, -1)]) {
      const q = path.includes('?') ? '&' : '?';
      const r = await http(method, `${path}${q}token=${token}`, { token: null, ...(body !== undefined ? { body } : {}) });
      expect(r.status, `${method} ${path}?token=${token}`).toBe(401);
    }
  });

  it('accepts the token as a bearer header only: a token in a URL (logs, history) opens no API call', async () => {
    expect((await http('GET', '/data/getImagePixels?name=demo_01')).status).toBe(200);
    expect((await http('GET', `/data/getImagePixels?name=demo_01&token=${TOKEN}`, { token: null })).status).toBe(401);
    expect((await http('POST', `/api/appInfo?token=${TOKEN}`, { token: null, body: '{}' })).status).toBe(401);
  });

  it('serves the page and its assets without the token and never hands it out: no meta tag, no cookie', async () => {
    for (const path of [`/?token=${TOKEN}`, '/', '/index.html', '/some/client/route']) {
      const page = await http('GET', path, { token: null });
      expect(page.status, path).toBe(200);
      expect(page.body.toString()).not.toContain(TOKEN);
      expect(page.headers['set-cookie'], path).toBeUndefined();
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['referrer-policy']).toBe('no-referrer');
    }
    const asset = await http('GET', '/assets/app.js', { token: null });
    expect(asset.status).toBe(200);
    expect(asset.body.toString()).toBe('console.log("app")');
    expect((await http('GET', '/no-such-thing.png', { token: null })).status).toBe(404);
  });

  it('serves no source maps', async () => {
    expect((await http('GET', '/assets/app.js.map', { token: null })).status).toBe(404);
    expect((await http('GET', '/assets/app.js.MAP', { token: null })).body.toString()).not.toContain('"sources"');
  });

  it('refuses API calls and the event socket from a page of another origin (another local port), even with the token', async () => {
    const other = { Origin: `http://127.0.0.1:${srv.port + 1}` };
    const r = await http('POST', '/api/appInfo', { body: '{}', headers: other });
    expect(r.status).toBe(403);
    expect(r.json().error!.name).toBe('AccessDeniedError');
    expect((await socket(`?token=${TOKEN}`, other)).status).toBe(403);
    const own = await socket(`?token=${TOKEN}`, { Origin: `http://127.0.0.1:${srv.port}` });
    expect(own.status).toBeNull();
    own.ws.close();
    expect((await http('POST', '/api/appInfo', { body: '{}', headers: { Origin: `http://127.0.0.1:${srv.port}` } })).status).toBe(200);
  });

  it('refuses requests addressed to another host name (DNS rebinding)', async () => {
    const r = await http('POST', '/api/appInfo', { body: '{}', headers: { Host: `evil.example:${srv.port}` } });
    expect(r.status).toBe(401);
    await stillAlive();
  });

  it('refuses the event socket without the token or with a wrong one, and accepts it with the token', async () => {
    expect((await socket('')).status).toBe(401);
    expect((await socket('?token=wrong')).status).toBe(401);
    expect((await socket('', { Authorization: 'Bearer wrong' })).status).toBe(401);
    const ok = await socket(`?token=${TOKEN}`);
    expect(ok.status).toBeNull();
    ok.ws.close();
    const viaHeader = await socket('', { Authorization: `Bearer ${TOKEN}` });
    expect(viaHeader.status).toBeNull();
    viaHeader.ws.close();
  });
});

describe('path traversal', () => {
  it.each([
    '..%2F..%2F..%2Fetc%2Fpasswd',
    '..%2Fmasks%2Fdemo_01',
    '%2Fetc%2Fpasswd',
    'images%2Fdemo_01.tif',
    'demo_01.tif',
    '%00',
  ])('image name %s is looked up, not joined: 404', async (name) => {
    for (const m of ['getImagePixels', 'getMaskPixels']) {
      const r = await http('GET', `/data/${m}?name=${name}`);
      expect(r.status, `${m} ${name}`).toBe(404);
      expect(r.json().error!.name).toBe('NotFoundError');
    }
  });

  it('refuses run ids that could leave the runs folder', async () => {
    for (const runId of ['..', '..%2F..', '%2Fetc', '.hidden']) {
      const r = await http('GET', `/data/getPredictionPixels?runId=${runId}&name=demo_01`);
      expect(r.status, runId).toBe(400);
      expect(r.json().error!.details.issues).toEqual([expect.objectContaining({ path: 'runId' })]);
    }
  });

  it('refuses an image that is a symbolic link out of the project', async () => {
    const r = await http('GET', '/data/getImagePixels?name=leak');
    expect(r.status).toBe(403);
    expect(r.json().error).toMatchObject({ name: 'AccessDeniedError', message: expect.stringContaining('outside the project') });
    expect(r.body.toString()).not.toContain('not for the browser');
  });

  it.each(['/..%2F..%2Fsecret.tif', '/%2e%2e/%2e%2e/secret.tif', '/assets/..%2F..%2Fsecret.tif', '/assets/leak.js', '/..\\..\\secret.tif'])(
    'static path %s stays inside the renderer folder',
    async (path) => {
      const r = await http('GET', path);
      expect(r.status).not.toBe(500);
      expect(r.body.toString()).not.toContain('not for the browser');
    },
  );
});

describe('malformed and oversized messages', () => {
  it('answers malformed JSON with 400 naming the body, then answers the next call', async () => {
    const r = await http('POST', '/api/openProject', { body: '{"dir": ', headers: { 'Content-Type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.json().error).toMatchObject({ name: 'ValidationError', details: { issues: [{ path: '(body)' }] } });
    await stillAlive();
  });

  it('answers an unknown method with 400 naming it', async () => {
    for (const path of ['/api/deleteEverything', '/api/__proto__', '/api/constructor', '/api/getImagePixels', '/data/openProject', '/data/deleteEverything']) {
      const r = path.startsWith('/data') ? await http('GET', path) : await http('POST', path, { body: '{}' });
      expect(r.status, path).toBe(400);
      expect(r.json().error!.details.issues).toEqual([expect.objectContaining({ path: 'method' })]);
    }
    await stillAlive();
  });

  it('answers invalid params with 400 naming the field, including non-finite numbers', async () => {
    const cases: [string, string, string][] = [
      ['openProject', '{"dir": 5}', 'dir'],
      ['openProject', '{}', 'dir'],
      ['startTraining', '{"epochs": 1e999}', 'epochs'],
      ['previewSplit', '{"valFraction": -1e999}', 'valFraction'],
      ['startTraining', '{"epochs": 3, "rm": "-rf"}', '(top level)'],
      ['metricsTable', '[1, 2]', '(top level)'],
    ];
    for (const [m, body, path] of cases) {
      const r = await http('POST', `/api/${m}`, { body, headers: { 'Content-Type': 'application/json' } });
      expect(r.status, `${m} ${body}`).toBe(400);
      expect(r.json().error!.details.issues, `${m} ${body}`).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    await stillAlive();
  });

  it('answers a JSON call larger than 1 MiB with 413, then the next call', async () => {
    const r = await http('POST', '/api/openProject', { body: JSON.stringify({ dir: 'x'.repeat(1024 * 1024 + 10) }) });
    expect(r.status).toBe(413);
    expect(r.json().error!.name).toBe('PayloadTooLarge');
    await stillAlive();
  });

  it('answers an upload declaring more than 64 MiB with 413 before reading it, then the next call', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(srv.port, '127.0.0.1', () => {
        s.write(`POST /data/saveMask HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: ${70 * 1024 * 1024}\r\n\r\n`);
      });
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('close', () => resolve(text));
      s.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413/);
    await stillAlive();
  });

  it('answers a malformed or inconsistent mask upload with 400, then the next call', async () => {
    const notFrame = await http('POST', '/data/saveMask', { body: Buffer.from('{"name": "demo_01"}') });
    expect(notFrame.status).toBe(400);
    const short = encodeFrame({ name: 'demo_01', width: 32, height: 32, baseVersion: null }, new Uint8Array(10));
    const r = await http('POST', '/data/saveMask', { body: Buffer.from(short) });
    expect(r.status).toBe(400);
    expect(r.json().error!.message).toMatch(/holds 10 bytes/);
    const badHeader = encodeFrame({ name: 'demo_01', width: NaN, height: 32, baseVersion: null }, new Uint8Array(32));
    const h = await http('POST', '/data/saveMask', { body: Buffer.from(badHeader) });
    expect(h.status).toBe(400);
    expect(h.json().error!.details.issues).toEqual([expect.objectContaining({ path: 'width' })]);
    await stillAlive();
  });

  it('answers bytes that are not HTTP with 400 and closes that connection only', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(srv.port, '127.0.0.1', () => s.write('\x00\x01garbage\r\n\r\n'));
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('close', () => resolve(text));
      s.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    await stillAlive();
  });

  it('refuses other HTTP methods', async () => {
    expect((await http('GET', '/api/appInfo')).status).toBe(405);
    expect((await http('DELETE', '/data/getImagePixels?name=demo_01')).status).toBe(405);
    expect((await http('PUT', '/index.html', { body: 'x' })).status).toBe(405);
    await stillAlive();
  });
});

describe('events and the browser transport', () => {
  it('delivers engine events over the socket, each valid against the contract', async () => {
    const { ws } = await socket(`?token=${TOKEN}`);
    const got: unknown[] = [];
    const opened = new Promise<void>((resolve) =>
      ws.on('message', (d) => {
        const ev = parseEvent(JSON.parse(String(d)));
        got.push(ev.type);
        if (ev.type === 'project.opened') resolve();
      }),
    );
    expect((await call('openProject', { dir: proj })).status).toBe(200);
    await opened;
    expect(got).toContain('project.opened');
    ws.close();
  });

  it('carries the whole contract through createWebTransport + createClient', async () => {
    const client = createClient(createWebTransport({ baseUrl: srv.origin, token: TOKEN, WebSocket: WebSocket as never, reconnectMs: 50 }));
    const seen: string[] = [];
    const savedEvent = new Promise<string>((resolve) => client.on('mask.saved', (p) => resolve(p.name)));
    client.onAny((e) => seen.push(e.type));
    await new Promise((r) => setTimeout(r, 100)); // let the socket open
    const list = await client.listImages();
    expect(list.images.map((i) => i.name)).toEqual(['demo_01', 'demo_02', 'demo_03', 'leak']);
    const img = await client.getImagePixels({ name: 'demo_02' });
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect(img.data.length).toBe(32 * 32);
    const m = await client.getMaskPixels({ name: 'demo_02' });
    const data = Uint8Array.from(m.data);
    data[0] = 1;
    const saved = await client.saveMask({ name: 'demo_02', width: 32, height: 32, baseVersion: m.version, data });
    expect(saved.file).toBe('masks-edited/demo_02.png');
    expect(await savedEvent).toBe('demo_02');
    // The stale version now conflicts: HTTP 409 arrives as a typed ContractError.
    const err = await client.saveMask({ name: 'demo_02', width: 32, height: 32, baseVersion: m.version, data }).catch((e) => e);
    expect(err).toBeInstanceOf(ContractError);
    expect(err).toMatchObject({ name: 'ConflictError', details: { expectedVersion: m.version, actualVersion: saved.version } });
    await expect(client.getImagePixels({ name: 'nope' })).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(seen).toContain('mask.saved');
    const wrong = createClient(createWebTransport({ baseUrl: srv.origin, token: 'wrong', WebSocket: WebSocket as never }));
    await expect(wrong.appInfo()).rejects.toMatchObject({ name: 'AuthError' });
    // A frame built by hand with a wrong pixel count is refused by the engine's own check.
    const r = await http('POST', '/data/saveMask', { body: Buffer.from(encodeSaveMask({ name: 'demo_02', width: 32, height: 32, baseVersion: null, data: new Uint8Array(1024) })) });
    expect(r.status).toBe(409);
  });
});

describe('without a built renderer', () => {
  it('serves a page that says how to build it, and the API still answers', async () => {
    const s = await startServer({ token: TOKEN, rendererDir: join(tmp, 'nowhere'), engine: (emit) => new Workspace({ emit, demoDir: join(tmp, 'demo') }) });
    try {
      const page = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port: s.port, path: `/?token=${TOKEN}` }, (res) => {
          let t = '';
          res.on('data', (d) => (t += d));
          res.on('end', () => resolve(t));
        })
          .on('error', reject)
          .end();
      });
      expect(page).toContain('not built');
      expect(page).toContain('vite build');
    } finally {
      await s.close();
    }
  });
});
