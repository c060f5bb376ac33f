// The preload's bridge (electron/bridge.ts) and the renderer's IPC transport
// (src/api/transports/ipc.ts), alone and chained with the main process's handlers and the engine
// host, with stand-ins only where Electron itself would be: ipcRenderer/ipcMain routing and the
// utility process's message port (every hop copies with structuredClone, as Electron's IPC does).
import { describe, expect, it } from 'vitest';
import { createBridge } from '../../electron/bridge.ts';
import type { IpcRendererLike } from '../../electron/bridge.ts';
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../electron/channels.ts';
import { serveEngine } from '../../electron/engine.ts';
import type { ParentPortLike } from '../../electron/engine.ts';
import { EngineHost } from '../../electron/engine-host.ts';
import type { UtilityProcessLike } from '../../electron/engine-host.ts';
import { deliverEvent, registerIpc } from '../../electron/ipc-main.ts';
import type { InvokeEventLike } from '../../electron/ipc-main.ts';
import { APP_ORIGIN } from '../../electron/protocol.ts';
import { ContractError, ERROR_NAMES, EVENT_NAMES, createClient } from '../../src/api/index.ts';
import type { ContractEvent } from '../../src/api/index.ts';
import { BRIDGE_KEY, createIpcTransport, findBridge, pickTransport } from '../../src/api/transports/ipc.ts';
import type { IpcBridge } from '../../src/api/transports/ipc.ts';
import { fakeContract } from './helpers/fake-contract.ts';

type Listener = (event: unknown, ...args: unknown[]) => void;

/** A stand-in ipcRenderer that records its listeners and lets a test answer invokes. */
function fakeIpcRenderer(answer: (channel: string, args: unknown[]) => Promise<unknown>) {
  const listeners = new Map<string, Set<Listener>>();
  const ipc: IpcRendererLike = {
    invoke: (channel, ...args) => answer(channel, args),
    on(channel, l) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    },
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  };
  const emit = (channel: string, payload: unknown) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'the ipcRenderer itself' }, payload);
  };
  const count = () => [...listeners.values()].reduce((n, s) => n + s.size, 0);
  return { ipc, listeners, emit, count };
}

describe('channels', () => {
  it('has exactly one event channel per contract event', () => {
    expect(Object.keys(EVENT_CHANNELS).sort()).toEqual([...EVENT_NAMES].sort());
    expect(new Set(Object.values(EVENT_CHANNELS)).size).toBe(EVENT_NAMES.length);
  });
});

describe('createBridge', () => {
  it('exposes the transport functions and nothing else, frozen', () => {
    const f = fakeIpcRenderer(async () => null);
    const bridge = createBridge(f.ipc);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'download', 'subscribe', 'upload']);
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('sends each request kind on its fixed channel', async () => {
    const seen: [string, unknown[]][] = [];
    const f = fakeIpcRenderer(async (channel, args) => {
      seen.push([channel, args]);
      return { ok: true, result: null };
    });
    const b = createBridge(f.ipc);
    const frame = new Uint8Array([1, 2]);
    await b.call('appInfo', {});
    await b.download('getImagePixels', { name: 'a' });
    await b.upload('saveMask', frame);
    expect(seen).toEqual([
      [REQUEST_CHANNELS.call, ['appInfo', {}]],
      [REQUEST_CHANNELS.download, ['getImagePixels', { name: 'a' }]],
      [REQUEST_CHANNELS.upload, ['saveMask', frame]],
    ]);
  });

  it('subscribes to every contract event channel, delivers {type, payload} without the IPC event, and unsubscribes all', () => {
    const f = fakeIpcRenderer(async () => null);
    const got: unknown[] = [];
    const off = createBridge(f.ipc).subscribe((e) => got.push(e));
    expect([...f.listeners.keys()].sort()).toEqual(Object.values(EVENT_CHANNELS).sort());
    expect(f.count()).toBe(EVENT_NAMES.length);
    f.emit(EVENT_CHANNELS['task.progress'], { task: 't', done: 1, total: 2, item: null });
    f.emit('seglens:event:not-in-contract', { x: 1 });
    expect(got).toEqual([{ type: 'task.progress', payload: { task: 't', done: 1, total: 2, item: null } }]);
    off();
    off();
    expect(f.count()).toBe(0);
  });
});

describe('createIpcTransport and pickTransport', () => {
  const bridge = (answer: unknown): IpcBridge => ({
    call: async () => answer,
    download: async () => answer,
    upload: async () => answer,
    subscribe: () => () => {},
  });

  it('rebuilds the ContractError of an error envelope with its name and details', async () => {
    const t = createIpcTransport(bridge({ ok: false, error: { name: ERROR_NAMES.conflict, message: 'changed on disk', details: { file: 'm.png' } } }));
    const err = (await t.call('appInfo', {}).catch((e: unknown) => e)) as ContractError;
    expect(err).toBeInstanceOf(ContractError);
    expect(err.name).toBe(ERROR_NAMES.conflict);
    expect(err.details).toEqual({ file: 'm.png' });
  });

  it('refuses a malformed envelope and a download without bytes', async () => {
    await expect(createIpcTransport(bridge({ nope: 1 })).call('appInfo', {})).rejects.toMatchObject({ name: ERROR_NAMES.validation });
    await expect(createIpcTransport(bridge({ ok: true, result: 'text' })).download('getImagePixels', { name: 'a' })).rejects.toMatchObject({ name: ERROR_NAMES.transport });
  });

  it('turns a failed invoke into a TransportError', async () => {
    const b: IpcBridge = { ...bridge(null), call: async () => Promise.reject(new Error('Error invoking remote method')) };
    await expect(createIpcTransport(b).call('appInfo', {})).rejects.toMatchObject({ name: ERROR_NAMES.transport });
  });

  it('finds the bridge only when it has the four functions', () => {
    const b = bridge(null);
    expect(findBridge({ [BRIDGE_KEY]: b })).toBe(b);
    expect(findBridge({})).toBeNull();
    expect(findBridge({ [BRIDGE_KEY]: { call: () => {} } })).toBeNull();
    expect(pickTransport({ [BRIDGE_KEY]: b })).toBeTypeOf('object');
  });
});

/**
 * Renderer -> preload bridge -> main handlers -> engine host -> engine (serveEngine on a fake
 * contract), and events back, with structuredClone at every process boundary.
 */
function chain(opts: { senderUrl?: string } = {}) {
  let emitEvent: (e: ContractEvent) => void = () => {};
  const fake = fakeContract((e) => emitEvent(e));
  const fork = (): UtilityProcessLike => {
    const toHost = new Set<(m: unknown) => void>();
    const toEngine = new Set<(e: { data: unknown }) => void>();
    const port: ParentPortLike = {
      on: (_ev, l) => toEngine.add(l),
      postMessage: (m) => queueMicrotask(() => toHost.forEach((l) => l(structuredClone(m)))),
    };
    const child = {
      postMessage: (m: unknown) => queueMicrotask(() => toEngine.forEach((l) => l({ data: structuredClone(m) }))),
      on: (ev: string, l: (m: unknown) => void) => {
        if (ev === 'message') toHost.add(l);
        return child;
      },
      kill: () => true,
    } as UtilityProcessLike;
    serveEngine(port, fake.impl);
    emitEvent = (e) => port.postMessage({ kind: 'event', event: e });
    return child;
  };
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const r = fakeIpcRenderer(async (channel, args) => {
    const event: InvokeEventLike = { senderFrame: { url: opts.senderUrl ?? `${APP_ORIGIN}/index.html`, parent: null }, sender: { id: 7 } };
    return structuredClone(await handlers.get(channel)!(event, ...structuredClone(args)));
  });
  const page = { isDestroyed: () => false, mainFrame: { url: `${APP_ORIGIN}/index.html` }, send: (ch: string, p: unknown) => r.emit(ch, structuredClone(p)) };
  const host = new EngineHost({ fork, onEvent: (e) => deliverEvent(e, [page], APP_ORIGIN), log: () => {} });
  host.start();
  registerIpc({ handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) }, { origin: APP_ORIGIN, isAppWebContents: (id) => id === 7, engine: host, log: () => {} });
  const client = createClient(createIpcTransport(createBridge(r.ipc)));
  return { client, fake };
}

describe('the whole IPC chain with createClient', () => {
  it('answers JSON calls and binary downloads with the contract types', async () => {
    const { client } = chain();
    expect(await client.appInfo()).toEqual({ version: '9.9.9', project: null, demoDir: '/tmp/demo', training: { monitor: 'meanForegroundDice', minDelta: 0.001, patience: 10 } });
    const img = await client.getImagePixels({ name: 'a.tif' });
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(img.data)).toEqual([0, 1000, 65535, 42, 7, 9]);
    expect(img).toMatchObject({ width: 3, height: 2, bitDepth: 16 });
  });

  it('carries engine errors with their name and details', async () => {
    const { client } = chain();
    await expect(client.getImagePixels({ name: 'missing.tif' })).rejects.toMatchObject({ name: ERROR_NAMES.notFound, details: { value: 'missing.tif' } });
    await expect(client.listRuns()).rejects.toMatchObject({ name: ERROR_NAMES.notImplemented });
  });

  it('uploads a mask and delivers the event it causes', async () => {
    const { client, fake } = chain();
    const events: unknown[] = [];
    client.on('mask.saved', (p) => events.push(p));
    const data = new Uint8Array([0, 1, 255, 2]);
    expect(await client.saveMask({ name: 'a.tif', width: 2, height: 2, baseVersion: null, data })).toEqual({ name: 'a.tif', file: 'masks-edited/a.tif.png', version: 'v2' });
    const saved = fake.calls.find((c) => c.method === 'saveMask')!.params as { data: Uint8Array };
    expect(Array.from(saved.data)).toEqual([0, 1, 255, 2]);
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual([{ name: 'a.tif', file: 'masks-edited/a.tif.png', version: 'v2' }]);
  });

  it('a page of another origin gets AccessDenied and the engine is not called', async () => {
    const { client, fake } = chain({ senderUrl: 'https://evil.example/' });
    await expect(client.appInfo()).rejects.toMatchObject({ name: ERROR_NAMES.accessDenied });
    expect(fake.calls).toEqual([]);
  });
});
