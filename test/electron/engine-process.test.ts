// The real engine process: out/node/engine.js (the bundle of engine-main.ts) -> the workspace
// service, forked as a Node child with a parentPort shim in place of Electron's utility process,
// driven through EngineHost, the main-process IPC handlers, the preload bridge and createClient.
// It opens the generated demo, reads the first image's pixels, survives malformed messages, and
// is restarted (with the project reopened) after being killed.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridge } from '../../electron/bridge.ts';
import { EngineHost } from '../../electron/engine-host.ts';
import type { UtilityProcessLike } from '../../electron/engine-host.ts';
import { deliverEvent, registerIpc } from '../../electron/ipc-main.ts';
import type { InvokeEventLike } from '../../electron/ipc-main.ts';
import { APP_ORIGIN } from '../../electron/protocol.ts';
import { createClient } from '../../src/api/index.ts';
import type { ContractClient } from '../../src/api/index.ts';
import { createIpcTransport } from '../../src/api/transports/ipc.ts';

const ENTRY = fileURLToPath(new URL('../../out/node/engine.js', import.meta.url));
const SHIM = new URL('./helpers/parent-port-shim.mjs', import.meta.url).href;

let home: string;
let host: EngineHost;
let client: ContractClient;
const children: ChildProcess[] = [];
let projectDir: string | null = null;
const events: string[] = [];

function forkEngine(): UtilityProcessLike {
  const child = fork(ENTRY, [], { execArgv: ['--import', SHIM], serialization: 'advanced', env: { ...process.env, SEGLENS_HOME: home }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.push(child);
  return {
    postMessage: (m) => void child.send(m as never),
    on: ((ev: 'message' | 'exit', l: (x: unknown) => void) => {
      if (ev === 'message') child.on('message', l);
      else child.on('exit', (code) => l(code ?? 1));
      return child;
    }) as UtilityProcessLike['on'],
    kill: () => child.kill(),
  };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'seglens-engine-'));
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  const listeners = new Map<string, Set<(e: unknown, p: unknown) => void>>();
  const page = {
    isDestroyed: () => false,
    mainFrame: { url: `${APP_ORIGIN}/index.html` },
    send: (ch: string, p: unknown) => listeners.get(ch)?.forEach((l) => l({}, structuredClone(p))),
  };
  host = new EngineHost({
    fork: forkEngine,
    onEvent: (e) => {
      events.push(e.type);
      if (e.type === 'project.opened') projectDir = e.payload.dir;
      deliverEvent(e, [page], APP_ORIGIN);
    },
    onRestart: async (send) => {
      if (projectDir) await send({ kind: 'call', method: 'openProject', params: { dir: projectDir } });
    },
    log: () => {},
  });
  host.start();
  registerIpc({ handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) }, { origin: APP_ORIGIN, isAppWebContents: () => true, engine: host, log: () => {} });
  const event: InvokeEventLike = { senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null }, sender: { id: 1 } };
  const bridge = createBridge({
    invoke: async (channel, ...args) => structuredClone(await handlers.get(channel)!(event, ...structuredClone(args))),
    on: (channel, l) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    },
    removeListener: (channel, l) => listeners.get(channel)?.delete(l),
  });
  client = createClient(createIpcTransport(bridge));
}, 60_000);

afterAll(async () => {
  await host?.shutdown(5_000);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(home, { recursive: true, force: true });
});

describe('the engine process', () => {
  it('opens the demo and serves the first image as 16-bit pixels', async () => {
    const opened = await client.openDemo();
    expect(opened.project.dir).toBe(join(home, 'demo'));
    expect(opened.project.isDemo).toBe(true);
    const list = await client.listImages();
    expect(list.images.length).toBeGreaterThan(0);
    const first = list.images[0];
    const img = await client.getImagePixels({ name: first.name });
    expect(img.bitDepth).toBe(16);
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect(img.data.length).toBe(img.width * img.height * img.channels);
    expect(img.max).toBeGreaterThan(img.min);
    expect(events).toContain('project.opened');
  }, 60_000);

  it('keeps answering after malformed messages sent straight to the process', async () => {
    const child = children[children.length - 1];
    for (const junk of ['junk', null, 42, { id: 'x' }, { kind: 'call' }, { id: 5_000_000, kind: 'call', method: 'nope', params: {} }]) child.send(junk as never);
    const info = await client.appInfo();
    expect(info.project?.isDemo).toBe(true);
  }, 30_000);

  it('is restarted after it dies, with the project reopened', async () => {
    const before = children.length;
    const exited = new Promise((r) => children[before - 1].once('exit', r));
    children[before - 1].kill('SIGKILL');
    await exited;
    expect(children.length).toBe(before + 1);
    // Requests wait until the restarted engine has reopened the project.
    const info = await client.appInfo();
    expect(info.project?.dir).toBe(join(home, 'demo'));
  }, 60_000);
});
