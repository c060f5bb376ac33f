// Binary frames for pixel data, the same on every transport (HTTP body, Electron IPC buffer):
//   bytes 0..3   "SGLF"
//   bytes 4..7   header length H (uint32, little-endian)
//   bytes 8..8+H the header, UTF-8 JSON
//   zero padding to a multiple of 8, then the raw typed array, little-endian.
// The padding lets the receiver view the data in place (a Uint16Array needs an even offset).
// Browser-safe: no node imports.
import { ContractError, ERROR_NAMES } from './errors.ts';

const MAGIC = [0x53, 0x47, 0x4c, 0x46]; // "SGLF"
const PREFIX = 8;
/** Largest header accepted; headers are a few hundred bytes. */
const MAX_HEADER = 64 * 1024;

export type Dtype = 'uint8' | 'uint16';
export const BYTES_PER: Record<Dtype, number> = { uint8: 1, uint16: 2 };

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new ContractError(ERROR_NAMES.transport, 'Pixel frames are little-endian and this machine is big-endian: not supported.');
  }
}

function bad(message: string): ContractError {
  return new ContractError(ERROR_NAMES.validation, `The pixel frame is not valid: ${message}.`, { where: 'pixel frame' });
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeFrame(header: unknown, data: Uint8Array | Uint16Array): Uint8Array {
  assertLittleEndian();
  const head = new TextEncoder().encode(JSON.stringify(header));
  const start = align8(PREFIX + head.byteLength);
  const out = new Uint8Array(start + data.byteLength);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, head.byteLength, true);
  out.set(head, PREFIX);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), start);
  return out;
}

export interface DecodedFrame {
  header: unknown;
  /** The raw data bytes, a view into the frame (offset is a multiple of 8 within it). */
  body: Uint8Array;
}

export function decodeFrame(frame: ArrayBuffer | Uint8Array): DecodedFrame {
  assertLittleEndian();
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (bytes.byteLength < PREFIX || MAGIC.some((m, i) => bytes[i] !== m)) throw bad('it does not start with "SGLF"');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (len > MAX_HEADER || PREFIX + len > bytes.byteLength) throw bad(`header length ${len} does not fit in ${bytes.byteLength} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX, PREFIX + len)));
  } catch {
    throw bad('the header is not JSON');
  }
  const start = Math.min(align8(PREFIX + len), bytes.byteLength);
  return { header, body: bytes.subarray(start) };
}

/**
 * The body as a typed array of `dtype` holding exactly `count` elements. A Uint16Array needs an
 * even byte offset; when the frame itself sits at an odd offset the bytes are copied.
 */
export function typedBody(body: Uint8Array, dtype: Dtype, count: number): Uint8Array | Uint16Array {
  const need = count * BYTES_PER[dtype];
  if (body.byteLength !== need) throw bad(`the data holds ${body.byteLength} bytes, the header says ${need} (${count} x ${dtype})`);
  if (dtype === 'uint8') return body;
  if (body.byteOffset % 2 === 0) return new Uint16Array(body.buffer, body.byteOffset, count);
  return new Uint16Array(body.slice().buffer);
}
