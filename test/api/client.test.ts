// createClient over a fake transport: params validated before they leave, results and events
// validated on arrival, pixel frames decoded to typed arrays, error envelopes turned into typed
// errors, listeners removed by their disposer or an AbortSignal.
import { describe, expect, it, vi } from 'vitest';
import {
  ContractError,
  createClient,
  decodeFrame,
  decodeSaveMask,
  encodeDownload,
  encodeFrame,
  encodeSaveMask,
  typedBody,
  unwrapResponse,
} from '../../src/api/index.ts';
import type { Transport } from '../../src/api/index.ts';
import { EVENT_SAMPLES, METHOD_SAMPLES } from './samples.ts';

function fakeTransport(over: Partial<Transport> = {}) {
  const handlers = new Set<(e: unknown) => void>();
  const t: Transport & { push(e: unknown): void; subscribed(): number } = {
    call: vi.fn(async (m: string) => METHOD_SAMPLES[m as keyof typeof METHOD_SAMPLES].result),
    download: vi.fn(async () => new Uint8Array()),
    upload: vi.fn(async () => METHOD_SAMPLES.saveMask.result),
    subscribe: vi.fn((h: (e: unknown) => void) => {
      handlers.add(h);
      return () => handlers.delete(h);
    }),
    push: (e) => handlers.forEach((h) => h(e)),
    subscribed: () => handlers.size,
    ...over,
  };
  return t;
}

describe('frames', () => {
  it('round-trips 16-bit pixels exactly, data aligned for a Uint16Array view', () => {
    const data = new Uint16Array([0, 1, 65535, 4096, 300, 7]);
    const frame = encodeFrame({ kind: 'x', w: 3 }, data);
    const { header, body } = decodeFrame(frame);
    expect(header).toEqual({ kind: 'x', w: 3 });
    expect(body.byteOffset % 8).toBe(0);
    expect(Array.from(typedBody(body, 'uint16', 6))).toEqual(Array.from(data));
  });

  it('copies when the frame sits at an odd offset', () => {
    const frame = encodeFrame({ a: 1 }, new Uint16Array([513, 2]));
    const shifted = new Uint8Array(frame.length + 1);
    shifted.set(frame, 1);
    const { body } = decodeFrame(shifted.subarray(1));
    expect(Array.from(typedBody(body, 'uint16', 2))).toEqual([513, 2]);
  });

  it('refuses frames that are not frames, truncated, or whose data length disagrees', () => {
    expect(() => decodeFrame(new TextEncoder().encode('{"json": true}'))).toThrow(/SGLF/);
    const frame = encodeFrame({ a: 1 }, new Uint8Array(4));
    const view = new DataView(frame.buffer);
    const bad = frame.slice();
    new DataView(bad.buffer).setUint32(4, 1_000_000, true);
    expect(() => decodeFrame(bad)).toThrow(/header length/);
    expect(view.getUint32(4, true)).toBeGreaterThan(0);
    expect(() => typedBody(decodeFrame(frame).body, 'uint8', 5)).toThrow(/holds 4 bytes/);
  });

  it('checks a download result against its header schema and pixel count', () => {
    const ok = { ...METHOD_SAMPLES.getImagePixels.result, data: new Uint16Array([1, 2]) } as never;
    expect(encodeDownload('getImagePixels', ok).byteLength).toBeGreaterThan(0);
    expect(() => encodeDownload('getImagePixels', { ...(ok as object), data: new Uint16Array(3) } as never)).toThrow(/3 values for 2/);
    expect(() => encodeDownload('getImagePixels', { ...(ok as object), max: NaN } as never)).toThrow(/max/);
  });

  it('checks a mask upload: header fields and the data length', () => {
    const p = { name: 'a', width: 2, height: 2, baseVersion: null, data: new Uint8Array([0, 1, 255, 1]) };
    const back = decodeSaveMask(encodeSaveMask(p));
    expect(back.name).toBe('a');
    expect(Array.from(back.data)).toEqual([0, 1, 255, 1]);
    expect(() => encodeSaveMask({ ...p, data: new Uint8Array(3) })).toThrow(/data: length 3/);
    expect(() => encodeSaveMask({ ...p, width: 2.5 })).toThrow(/width/);
    const forged = encodeFrame({ name: 'a', width: 2, height: 2, baseVersion: null }, new Uint8Array(5));
    expect(() => decodeSaveMask(forged)).toThrow(/holds 5 bytes/);
  });
});

describe('createClient', () => {
  it('sends valid params and returns the validated result', async () => {
    const t = fakeTransport();
    const c = createClient(t);
    await expect(c.openProject({ dir: '/data/p' })).resolves.toEqual(METHOD_SAMPLES.openProject.result);
    expect(t.call).toHaveBeenCalledWith('openProject', { dir: '/data/p' });
  });

  it('refuses invalid params before they reach the transport, naming the field', async () => {
    const t = fakeTransport();
    const c = createClient(t);
    await expect(c.startTraining({ epochs: NaN })).rejects.toMatchObject({ name: 'ValidationError', details: { issues: [{ path: 'epochs' }] } });
    await expect(c.previewSplit({ valFraction: Infinity })).rejects.toThrow(/valFraction/);
    expect(t.call).not.toHaveBeenCalled();
  });

  it('refuses a result that does not match its schema', async () => {
    const t = fakeTransport({ call: async () => ({ jobs: [{ jobId: 'x' }] }) });
    await expect(createClient(t).trainingStatus()).rejects.toThrow(/result of trainingStatus: jobs\[0\]\.runId/);
  });

  it('decodes pixel downloads to typed arrays with their header', async () => {
    const header = METHOD_SAMPLES.getImagePixels.result;
    const t = fakeTransport({ download: async () => encodeDownload('getImagePixels', { ...header, data: new Uint16Array([7, 65535]) } as never) });
    const img = await createClient(t).getImagePixels({ name: 'a' });
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(img.data)).toEqual([7, 65535]);
    expect(img.display).toEqual(header.display);
  });

  it('uploads masks as frames', async () => {
    const t = fakeTransport();
    const r = await createClient(t).saveMask({ name: 'a', width: 1, height: 2, baseVersion: null, data: new Uint8Array([1, 0]) });
    expect(r).toEqual(METHOD_SAMPLES.saveMask.result);
    const frame = (t.upload as ReturnType<typeof vi.fn>).mock.calls[0][1] as Uint8Array;
    expect(Array.from(decodeSaveMask(frame).data)).toEqual([1, 0]);
  });

  it('turns an error envelope into a ContractError with name and details', () => {
    const err = (() => {
      try {
        unwrapResponse({ ok: false, error: { name: 'ConflictError', message: 'changed on disk', details: { file: 'm.png' } } }, 'saveMask');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ContractError);
    expect(err).toMatchObject({ name: 'ConflictError', message: 'changed on disk', details: { file: 'm.png' } });
    expect(() => unwrapResponse({ ok: false, error: { name: 'X' } }, 'm')).toThrow(/response to m: error\.message/);
  });

  it('delivers valid events to typed listeners and drops invalid ones', () => {
    const t = fakeTransport();
    const invalid = vi.fn();
    const c = createClient(t, { onInvalidEvent: invalid });
    const got: unknown[] = [];
    const all: string[] = [];
    c.on('training.epoch', (p) => got.push(p.record.epoch));
    c.onAny((e) => all.push(e.type));
    t.push({ type: 'training.epoch', payload: EVENT_SAMPLES['training.epoch'] });
    t.push({ type: 'task.progress', payload: EVENT_SAMPLES['task.progress'] });
    t.push({ type: 'training.step', payload: { ...EVENT_SAMPLES['training.step'], loss: NaN } });
    t.push({ type: 'no.such.event', payload: {} });
    expect(got).toEqual([1]);
    expect(all).toEqual(['training.epoch', 'task.progress']);
    expect(invalid).toHaveBeenCalledTimes(2);
  });

  it('removes listeners by disposer and by AbortSignal, and unsubscribes the transport with the last one', () => {
    const t = fakeTransport();
    const c = createClient(t);
    const a = vi.fn();
    const b = vi.fn();
    const ctl = new AbortController();
    const off = c.on('mask.saved', a);
    c.on('mask.saved', b, { signal: ctl.signal });
    expect(t.subscribe).toHaveBeenCalledTimes(1);
    off();
    t.push({ type: 'mask.saved', payload: EVENT_SAMPLES['mask.saved'] });
    ctl.abort();
    t.push({ type: 'mask.saved', payload: EVENT_SAMPLES['mask.saved'] });
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
    expect(t.subscribed()).toBe(0);
  });
});
