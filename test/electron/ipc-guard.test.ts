// The main process's IPC checks (electron/ipc-guard.ts, ipc-main.ts): sender frames, payload
// validation against the contract's schemas and limits, and that nothing refused reaches the engine.
import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../electron/channels.ts';
import type { RequestInput } from '../../electron/engine-host.ts';
import type { EngineResponse } from '../../electron/engine-wire.ts';
import { checkRequest, isTrustedFrame, validateRequest } from '../../electron/ipc-guard.ts';
import { deliverEvent, registerIpc } from '../../electron/ipc-main.ts';
import type { EventReceiver, InvokeEventLike, IpcMainLike } from '../../electron/ipc-main.ts';
import { APP_ORIGIN } from '../../electron/protocol.ts';
import { ERROR_NAMES, JSON_BODY_LIMIT, UPLOAD_LIMIT, encodeFrame, encodeSaveMask } from '../../src/api/index.ts';
import type { ContractError } from '../../src/api/index.ts';

function issuesOf(fn: () => unknown): { name: string; paths: string[] } {
  try {
    fn();
  } catch (e) {
    const err = e as ContractError;
    const issues = (err.details?.issues ?? []) as { path: string }[];
    return { name: err.name, paths: issues.map((i) => i.path) };
  }
  throw new Error('expected a refusal');
}

describe('isTrustedFrame', () => {
  it('accepts the top frame of the app origin', () => {
    expect(isTrustedFrame({ url: `${APP_ORIGIN}/index.html`, isMainFrame: true }, APP_ORIGIN)).toBe(true);
    expect(isTrustedFrame({ url: `${APP_ORIGIN}/`, isMainFrame: true }, APP_ORIGIN)).toBe(true);
  });
  it.each([
    ['a destroyed frame', null],
    ['a sub-frame of the app', { url: `${APP_ORIGIN}/index.html`, isMainFrame: false }],
    ['another origin', { url: 'https://example.com/', isMainFrame: true }],
    ['a file URL', { url: 'file:///tmp/index.html', isMainFrame: true }],
    ['a look-alike host', { url: 'seglens://app.evil.com/index.html', isMainFrame: true }],
    ['credentials in the URL', { url: 'seglens://app@evil/index.html', isMainFrame: true }],
    ['another host of the scheme', { url: 'seglens://other/index.html', isMainFrame: true }],
    ['a data URL', { url: 'data:text/html,<p>x', isMainFrame: true }],
    ['garbage', { url: 'not a url', isMainFrame: true }],
  ])('refuses %s', (_what, frame) => {
    expect(isTrustedFrame(frame, APP_ORIGIN)).toBe(false);
  });
});

describe('validateRequest', () => {
  it('passes valid requests on, with params as parsed by the contract', () => {
    expect(validateRequest('call', 'listImages', undefined)).toEqual({ kind: 'call', method: 'listImages', params: {} });
    expect(validateRequest('call', 'openProject', { dir: '/data/p' })).toEqual({ kind: 'call', method: 'openProject', params: { dir: '/data/p' } });
    expect(validateRequest('download', 'getImagePixels', { name: 'a.tif' })).toEqual({ kind: 'download', method: 'getImagePixels', params: { name: 'a.tif' } });
    const frame = encodeSaveMask({ name: 'a.tif', width: 2, height: 2, baseVersion: 'v1', data: new Uint8Array([0, 1, 2, 255]) });
    expect(validateRequest('upload', 'saveMask', frame)).toEqual({ kind: 'upload', method: 'saveMask', frame });
  });

  it('refuses methods that are not in the contract, or used as the wrong kind', () => {
    for (const m of ['constructor', '__proto__', 'toString', 'send', 'eval', 42, null]) {
      expect(issuesOf(() => validateRequest('call', m, {}))).toEqual({ name: ERROR_NAMES.validation, paths: ['method'] });
    }
    expect(issuesOf(() => validateRequest('call', 'getImagePixels', { name: 'a' })).paths).toEqual(['method']);
    expect(issuesOf(() => validateRequest('download', 'listImages', {})).paths).toEqual(['method']);
    expect(issuesOf(() => validateRequest('upload', 'openProject', new Uint8Array(8))).paths).toEqual(['method']);
  });

  it('names the bad field of invalid params', () => {
    expect(issuesOf(() => validateRequest('call', 'openProject', { dir: 5 }))).toEqual({ name: ERROR_NAMES.validation, paths: ['dir'] });
    expect(issuesOf(() => validateRequest('call', 'openProject', { dir: '/p', extra: true })).name).toBe(ERROR_NAMES.validation);
    expect(issuesOf(() => validateRequest('call', 'listImages', { unexpected: 1 })).name).toBe(ERROR_NAMES.validation);
    expect(issuesOf(() => validateRequest('download', 'getImagePixels', {})).paths).toEqual(['name']);
    expect(issuesOf(() => validateRequest('call', 'startTraining', { epochs: Number.NaN })).name).toBe(ERROR_NAMES.validation);
  });

  it('refuses oversized params and uploads before parsing them', () => {
    const big = { dir: 'x'.repeat(JSON_BODY_LIMIT + 1) };
    expect(issuesOf(() => validateRequest('call', 'openProject', big)).paths).toEqual(['params']);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(issuesOf(() => validateRequest('call', 'openProject', cyclic)).paths).toEqual(['params']);
    const huge = new Uint8Array(UPLOAD_LIMIT + 1);
    expect(issuesOf(() => validateRequest('upload', 'saveMask', huge)).paths).toEqual(['frame']);
  });

  it('refuses uploads that are not a valid mask frame', () => {
    expect(issuesOf(() => validateRequest('upload', 'saveMask', 'not bytes')).paths).toEqual(['frame']);
    expect(issuesOf(() => validateRequest('upload', 'saveMask', [1, 2, 3])).paths).toEqual(['frame']);
    expect(issuesOf(() => validateRequest('upload', 'saveMask', new Uint8Array([1, 2, 3]))).name).toBe(ERROR_NAMES.validation);
    // A well-formed frame whose data does not match width x height.
    const short = encodeFrame({ name: 'a.tif', width: 4, height: 4, baseVersion: 'v1' }, new Uint8Array(3));
    expect(issuesOf(() => validateRequest('upload', 'saveMask', short)).name).toBe(ERROR_NAMES.validation);
    // A header that fails the schema.
    const badHeader = encodeFrame({ name: '', width: -1, height: 1 }, new Uint8Array(0));
    expect(issuesOf(() => validateRequest('upload', 'saveMask', badHeader)).name).toBe(ERROR_NAMES.validation);
  });

  it('checkRequest answers a refusal as an error envelope', () => {
    const r = checkRequest('call', 'nope', {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.response).toMatchObject({ ok: false, error: { name: ERROR_NAMES.validation } });
  });
});

/** A stand-in ipcMain that records handlers, and an engine that records what reaches it. */
function setup(pickFolder?: () => Promise<string | null>) {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const ipc: IpcMainLike = {
    handle: (channel, l) => void handlers.set(channel, l),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const seen: RequestInput[] = [];
  const engine = {
    request: async (input: RequestInput): Promise<EngineResponse> => {
      seen.push(input);
      return { ok: true, result: { echoed: input.method } };
    },
  };
  const off = registerIpc(ipc, { origin: APP_ORIGIN, isAppWebContents: (id) => id === 1, engine, ...(pickFolder ? { pickFolder } : {}), log: () => {} });
  const event = (url: string, opts: { parent?: unknown; sender?: number; destroyed?: boolean } = {}): InvokeEventLike => ({
    senderFrame: opts.destroyed ? null : { url, parent: opts.parent ?? null },
    sender: { id: opts.sender ?? 1 },
  });
  return { handlers, seen, off, event };
}

describe('registerIpc', () => {
  it('registers exactly one handler per request channel and removes them', () => {
    const s = setup();
    expect([...s.handlers.keys()].sort()).toEqual(Object.values(REQUEST_CHANNELS).sort());
    s.off();
    expect(s.handlers.size).toBe(0);
  });

  it('forwards a valid request from the app window to the engine', async () => {
    const s = setup();
    const r = await s.handlers.get(REQUEST_CHANNELS.call)!(s.event(`${APP_ORIGIN}/index.html`), 'openProject', { dir: '/p' });
    expect(r).toEqual({ ok: true, result: { echoed: 'openProject' } });
    expect(s.seen).toEqual([{ kind: 'call', method: 'openProject', params: { dir: '/p' } }]);
  });

  it("answers pickFolder with the main process's dialog, never the engine (the engine has no window)", async () => {
    const s = setup(async () => '/home/u/data');
    const call = s.handlers.get(REQUEST_CHANNELS.call)!;
    expect(await call(s.event(`${APP_ORIGIN}/index.html`), 'pickFolder', {})).toEqual({ ok: true, result: { supported: true, dir: '/home/u/data' } });
    expect(s.seen).toEqual([]);
    // From an untrusted frame the dialog is not shown.
    expect(await call(s.event('https://evil.example/'), 'pickFolder', {})).toMatchObject({ ok: false });
    // Without a dialog (tests, a host without one) the call goes to the engine, which says unsupported.
    const plain = setup();
    await plain.handlers.get(REQUEST_CHANNELS.call)!(plain.event(`${APP_ORIGIN}/index.html`), 'pickFolder', {});
    expect(plain.seen).toEqual([{ kind: 'call', method: 'pickFolder', params: {} }]);
  });

  it('refuses untrusted senders without reaching the engine', async () => {
    const s = setup();
    const call = s.handlers.get(REQUEST_CHANNELS.call)!;
    const denied = [
      s.event('https://evil.example/'),
      s.event(`${APP_ORIGIN}/index.html`, { parent: {} }),
      s.event(`${APP_ORIGIN}/index.html`, { destroyed: true }),
      s.event(`${APP_ORIGIN}/index.html`, { sender: 2 }),
    ];
    for (const ev of denied) {
      expect(await call(ev, 'listImages', {})).toMatchObject({ ok: false, error: { name: ERROR_NAMES.accessDenied } });
    }
    expect(s.seen).toEqual([]);
  });

  it('answers invalid payloads with a ValidationError envelope without reaching the engine', async () => {
    const s = setup();
    const ev = s.event(`${APP_ORIGIN}/index.html`);
    expect(await s.handlers.get(REQUEST_CHANNELS.call)!(ev, 'openProject', { dir: 7 })).toMatchObject({ ok: false, error: { name: ERROR_NAMES.validation } });
    expect(await s.handlers.get(REQUEST_CHANNELS.upload)!(ev, 'saveMask', new Uint8Array(5))).toMatchObject({ ok: false, error: { name: ERROR_NAMES.validation } });
    expect(await s.handlers.get(REQUEST_CHANNELS.download)!(ev, 'getImagePixels', { name: ['a'] })).toMatchObject({ ok: false });
    expect(s.seen).toEqual([]);
  });
});

describe('deliverEvent', () => {
  it('sends each event on its own channel, only to live pages of the app origin', () => {
    const sent: [string, string, unknown][] = [];
    const target = (name: string, url: string, destroyed = false): EventReceiver => ({
      isDestroyed: () => destroyed,
      mainFrame: { url },
      send: (channel, payload) => void sent.push([name, channel, payload]),
    });
    const payload = { name: 'a.tif', file: 'masks-edited/a.png', version: 'v2' };
    deliverEvent({ type: 'mask.saved', payload }, [target('app', `${APP_ORIGIN}/index.html`), target('web', 'https://x.org/'), target('dead', `${APP_ORIGIN}/`, true)], APP_ORIGIN);
    expect(sent).toEqual([['app', EVENT_CHANNELS['mask.saved'], payload]]);
  });
});
