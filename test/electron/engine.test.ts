// The engine side (electron/engine.ts serveEngine) and the main side (engine-host.ts EngineHost) of
// the utility-process link, each against a stand-in of the other: malformed messages are dropped
// and the process keeps answering; a dying engine fails its pending requests with a
// TransportError and is restarted, up to a limit; shutdown kills an engine that does not exit.
import { describe, expect, it } from 'vitest';
import { serveEngine, eventSender, parentPortOf } from '../../electron/engine.ts';
import type { ParentPortLike } from '../../electron/engine.ts';
import { EngineHost } from '../../electron/engine-host.ts';
import type { UtilityProcessLike } from '../../electron/engine-host.ts';
import { ERROR_NAMES, decodeFrame } from '../../src/api/index.ts';
import type { ContractEvent } from '../../src/api/index.ts';
import { fakeContract } from './helpers/fake-contract.ts';

/** A port whose messages the test sends and reads. */
function testPort() {
  let listener: (e: { data: unknown }) => void = () => {};
  const out: unknown[] = [];
  const port: ParentPortLike = { on: (_e, l) => void (listener = l), postMessage: (m) => void out.push(m) };
  const send = (data: unknown) => listener({ data });
  const reply = async (id: number) => {
    for (let i = 0; i < 50; i++) {
      const r = out.find((m) => (m as { id?: number }).id === id);
      if (r) return r as { kind: 'reply'; id: number; response: { ok: boolean; result?: unknown; error?: { name: string } } };
      await new Promise((res) => setImmediate(res));
    }
    throw new Error(`no reply to ${id}`);
  };
  return { port, out, send, reply };
}

describe('serveEngine', () => {
  it('announces itself, answers calls and downloads by id', async () => {
    const t = testPort();
    serveEngine(t.port, fakeContract().impl);
    expect(t.out[0]).toEqual({ kind: 'ready' });
    t.send({ id: 1, kind: 'call', method: 'appInfo', params: {} });
    t.send({ id: 2, kind: 'download', method: 'getImagePixels', params: { name: 'a.tif' } });
    expect((await t.reply(1)).response).toEqual({ ok: true, result: { version: '9.9.9', project: null, demoDir: '/tmp/demo', training: { monitor: 'meanForegroundDice', minDelta: 0.001, patience: 10 } } });
    const frame = (await t.reply(2)).response.result as Uint8Array;
    expect(decodeFrame(frame).header).toMatchObject({ kind: 'image', width: 3, height: 2 });
  });

  it('answers malformed requests that have an id, drops the rest, and keeps answering', async () => {
    const t = testPort();
    const fake = fakeContract();
    serveEngine(t.port, fake.impl);
    const errors: string[] = [];
    const orig = console.error;
    console.error = (m: string) => void errors.push(m);
    try {
      for (const bad of [null, 'text', 42, {}, { id: 0, kind: 'call', method: 'appInfo' }, { id: 1, kind: 'eval', method: 'x' }, { id: 2, kind: 'upload', method: 'saveMask', frame: 'no' }, { id: 3, kind: 'download', method: 'getImagePixels', params: { name: 5 } }]) {
        t.send(bad);
      }
    } finally {
      console.error = orig;
    }
    // Those with a usable id (1, 2, 3) get a ValidationError; the five others cannot be answered.
    expect(errors).toHaveLength(5);
    for (const id of [1, 2, 3]) expect((await t.reply(id)).response).toMatchObject({ ok: false, error: { name: ERROR_NAMES.validation } });
    expect(fake.calls).toEqual([]);
    t.send({ id: 9, kind: 'call', method: 'appInfo', params: {} });
    expect((await t.reply(9)).response.ok).toBe(true);
  });

  it('answers requests for unknown methods, wrong kinds and bad params with errors', async () => {
    const t = testPort();
    const fake = fakeContract();
    serveEngine(t.port, fake.impl);
    t.send({ id: 1, kind: 'call', method: 'constructor', params: {} });
    t.send({ id: 2, kind: 'call', method: 'getImagePixels', params: { name: 'a.tif' } });
    t.send({ id: 3, kind: 'download', method: 'getImagePixels', params: { name: '' } });
    t.send({ id: 4, kind: 'upload', method: 'saveMask', frame: new Uint8Array([1, 2, 3]) });
    for (const id of [1, 2, 3, 4]) expect((await t.reply(id)).response).toMatchObject({ ok: false, error: { name: ERROR_NAMES.validation } });
    expect(fake.calls).toEqual([]);
  });

  it('calls onShutdown on a shutdown message', () => {
    const t = testPort();
    let stopped = 0;
    serveEngine(t.port, fakeContract().impl, () => stopped++);
    t.send({ kind: 'shutdown' });
    expect(stopped).toBe(1);
  });

  it('eventSender sends valid events only', () => {
    const t = testPort();
    const send = eventSender(t.port);
    const orig = console.error;
    console.error = () => {};
    try {
      send({ type: 'task.progress', payload: { task: 'x', done: 1, total: 1, item: null } });
      send({ type: 'task.progress', payload: { task: 'x', done: -1, total: 1, item: null } } as ContractEvent);
      send({ type: 'no.such.event', payload: {} } as unknown as ContractEvent);
    } finally {
      console.error = orig;
    }
    expect(t.out).toEqual([{ kind: 'event', event: { type: 'task.progress', payload: { task: 'x', done: 1, total: 1, item: null } } }]);
  });

  it('parentPortOf finds the port only inside a utility process', () => {
    expect(parentPortOf(process)).toBeNull();
    const port = { on: () => {}, postMessage: () => {} };
    expect(parentPortOf({ parentPort: port } as unknown as NodeJS.Process)).toBe(port);
  });
});

/** A stand-in utility process the test drives by hand. */
function fakeChild() {
  const message = new Set<(m: unknown) => void>();
  const exit = new Set<(code: number) => void>();
  const sent: unknown[] = [];
  let killed = 0;
  const child = {
    postMessage: (m: unknown) => void sent.push(m),
    on(ev: string, l: never) {
      (ev === 'message' ? message : exit).add(l);
      return child;
    },
    kill: () => {
      killed++;
      return true;
    },
  } as unknown as UtilityProcessLike;
  return {
    child,
    sent,
    killed: () => killed,
    reply: (m: unknown) => message.forEach((l) => l(m)),
    exit: (code: number) => exit.forEach((l) => l(code)),
  };
}

function hostWith(opts: { maxRestarts?: number } = {}) {
  const children: ReturnType<typeof fakeChild>[] = [];
  const events: ContractEvent[] = [];
  const logs: string[] = [];
  let restarted = 0;
  const host = new EngineHost({
    fork: () => {
      const c = fakeChild();
      children.push(c);
      return c.child;
    },
    onEvent: (e) => events.push(e),
    onRestart: () => void restarted++,
    log: (m) => logs.push(m),
    ...opts,
  });
  host.start();
  return { host, children, events, logs, restarted: () => restarted };
}

describe('EngineHost', () => {
  it('matches replies to requests by id and ignores unknown ids', async () => {
    const h = hostWith();
    const a = h.host.request({ kind: 'call', method: 'appInfo', params: {} });
    const b = h.host.request({ kind: 'call', method: 'listRuns', params: {} });
    const c = h.children[0];
    expect(c.sent).toEqual([
      { kind: 'call', method: 'appInfo', params: {}, id: 1 },
      { kind: 'call', method: 'listRuns', params: {}, id: 2 },
    ]);
    c.reply({ kind: 'reply', id: 99, response: { ok: true, result: 'stray' } });
    c.reply({ kind: 'reply', id: 2, response: { ok: true, result: 'B' } });
    c.reply({ kind: 'reply', id: 1, response: { ok: false, error: { name: 'X', message: 'm', details: {} } } });
    expect(await b).toEqual({ ok: true, result: 'B' });
    expect(await a).toEqual({ ok: false, error: { name: 'X', message: 'm', details: {} } });
  });

  it('ends a request whose reply is malformed', async () => {
    const h = hostWith();
    const p = h.host.request({ kind: 'call', method: 'appInfo', params: {} });
    h.children[0].reply({ kind: 'reply', id: 1, response: { ok: 'maybe' } });
    expect(await p).toMatchObject({ ok: false, error: { name: ERROR_NAMES.transport } });
  });

  it('drops malformed messages and invalid events, delivers valid events', () => {
    const h = hostWith();
    const c = h.children[0];
    c.reply('junk');
    c.reply({ kind: 'reply', id: 'x' });
    c.reply({ kind: 'event', event: { type: 'task.progress', payload: { task: 't', done: 'one' } } });
    c.reply({ kind: 'event', event: { type: 'nope', payload: {} } });
    c.reply({ kind: 'event', event: { type: 'task.progress', payload: { task: 't', done: 0, total: 2, item: 'a' } } });
    expect(h.events).toEqual([{ type: 'task.progress', payload: { task: 't', done: 0, total: 2, item: 'a' } }]);
    expect(h.logs).toHaveLength(4);
  });

  it('refuses a download reply without bytes', async () => {
    const h = hostWith();
    const p = h.host.request({ kind: 'download', method: 'getImagePixels', params: { name: 'a' } });
    h.children[0].reply({ kind: 'reply', id: 1, response: { ok: true, result: { not: 'bytes' } } });
    expect(await p).toMatchObject({ ok: false, error: { name: ERROR_NAMES.transport } });
  });

  it('fails pending requests when the engine dies, restarts it, and gives up after the limit', async () => {
    const h = hostWith({ maxRestarts: 2 });
    const pending = h.host.request({ kind: 'call', method: 'openDemo', params: {} });
    h.children[0].exit(139);
    expect(await pending).toMatchObject({ ok: false, error: { name: ERROR_NAMES.transport, details: { code: 139 } } });
    expect(h.children).toHaveLength(2);
    expect(h.restarted()).toBe(1);
    // The new engine answers.
    const next = h.host.request({ kind: 'call', method: 'appInfo', params: {} });
    await new Promise((r) => setImmediate(r));
    h.children[1].reply({ kind: 'reply', id: 2, response: { ok: true, result: 'alive' } });
    expect(await next).toEqual({ ok: true, result: 'alive' });
    h.children[1].exit(1);
    h.children[2].exit(1);
    expect(h.children).toHaveLength(3);
    expect(h.host.running).toBe(false);
    expect(await h.host.request({ kind: 'call', method: 'appInfo', params: {} })).toMatchObject({ ok: false, error: { name: ERROR_NAMES.transport } });
  });

  it('holds requests back until onRestart has restored the new engine', async () => {
    const children: ReturnType<typeof fakeChild>[] = [];
    const host = new EngineHost({
      fork: () => {
        const c = fakeChild();
        children.push(c);
        return c.child;
      },
      onEvent: () => {},
      onRestart: async (send) => {
        const r = await send({ kind: 'call', method: 'openProject', params: { dir: '/p' } });
        if (!r.ok) throw new Error('reopen failed');
      },
      log: () => {},
    });
    host.start();
    children[0].exit(1);
    const later = host.request({ kind: 'call', method: 'appInfo', params: {} });
    await new Promise((r) => setImmediate(r));
    // Only the reopen has reached the new engine so far.
    expect(children[1].sent).toEqual([{ kind: 'call', method: 'openProject', params: { dir: '/p' }, id: 1 }]);
    children[1].reply({ kind: 'reply', id: 1, response: { ok: true, result: {} } });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(children[1].sent).toHaveLength(2);
    children[1].reply({ kind: 'reply', id: 2, response: { ok: true, result: 'info' } });
    expect(await later).toEqual({ ok: true, result: 'info' });
  });

  it('shutdown asks the engine to stop, does not restart it, and kills it only if it does not exit', async () => {
    const h = hostWith();
    const done = h.host.shutdown(60_000);
    expect(h.children[0].sent).toEqual([{ kind: 'shutdown' }]);
    h.children[0].exit(0);
    await done;
    expect(h.children[0].killed()).toBe(0);
    expect(h.children).toHaveLength(1);

    const h2 = hostWith();
    await h2.host.shutdown(1);
    expect(h2.children[0].killed()).toBe(1);
  });
});
