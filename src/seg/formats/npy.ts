// NumPy's .npy format, version 1.0 (numpy/lib/format.py): the magic "\x93NUMPY", the version, a
// little-endian uint16 header length, a Python dict literal {'descr', 'fortran_order', 'shape'}
// padded with spaces and a newline so the data starts at a multiple of 64 bytes, then the values
// in C order. Only what bioimage.io test tensors need: float32, uint8, uint16, little-endian.
import { FileError } from '../errors.ts';

export type NpyArray = Float32Array | Uint8Array | Uint16Array;

const DESCR = { float32: '<f4', uint8: '|u1', uint16: '<u2' } as const;
type NpyType = keyof typeof DESCR;

function typeOf(a: NpyArray): NpyType {
  return a instanceof Float32Array ? 'float32' : a instanceof Uint16Array ? 'uint16' : 'uint8';
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The .npy bytes of `data` with `shape` (C order); the product of `shape` must be data.length. */
export function encodeNpy(data: NpyArray, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new RangeError(`encodeNpy: shape [${shape.join(', ')}] does not hold ${data.length} values.`);
  }
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[typeOf(data)]}', 'fortran_order': False, 'shape': ${dims}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + head.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  const body = out.subarray(10 + head.length);
  if (LITTLE_ENDIAN || data instanceof Uint8Array) body.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  else {
    const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const size = data.BYTES_PER_ELEMENT;
    for (let i = 0; i < data.length; i++) {
      if (size === 4) v.setFloat32(i * 4, data[i], true);
      else v.setUint16(i * 2, data[i], true);
    }
  }
  return out;
}

/** Reads what encodeNpy writes (and numpy.save writes for these types); `source` names the file in errors. */
export function decodeNpy(bytes: Uint8Array, source = 'npy data'): { data: NpyArray; shape: number[] } {
  const bad = (why: string) => new FileError(source, `${source} is not a .npy file seglens reads (${why}).`);
  if (bytes.length < 10 || bytes[0] !== 0x93 || new TextDecoder().decode(bytes.subarray(1, 6)) !== 'NUMPY') throw bad('wrong magic bytes');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw bad('unreadable header');
  if (fortran === 'True') throw bad('Fortran order');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const body = bytes.slice(start + headLen);
  const type = (Object.keys(DESCR) as NpyType[]).find((t) => DESCR[t] === descr || (t === 'uint8' && descr === '<u1'));
  if (!type) throw bad(`data type ${descr}`);
  const size = type === 'float32' ? 4 : type === 'uint16' ? 2 : 1;
  if (body.length < n * size) throw bad(`${body.length} data bytes for ${n} values`);
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (type === 'uint8') return { data: body.subarray(0, n), shape };
  if (type === 'uint16') return { data: Uint16Array.from({ length: n }, (_, i) => v.getUint16(i * 2, true)), shape };
  return { data: Float32Array.from({ length: n }, (_, i) => v.getFloat32(i * 4, true)), shape };
}
