// A zip archive writer (PKWARE APPNOTE 6.3: local headers, central directory, end record), enough
// for the few files of a bioimage.io package: deflated with zlib, UTF-8 names, no zip64 (the
// archive and each file stay below 4 GiB, which is checked), and a reader for the same subset so
// the tests and importers need no other library.
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { FileError } from '../errors.ts';

export interface ZipEntry {
  /** Path inside the archive, '/'-separated, no leading '/'. */
  name: string;
  data: Uint8Array;
}

const LIMIT = 0xffffffff;

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
  };
}

/** The bytes of a zip archive holding `entries` in that order. */
export function writeZip(entries: readonly ZipEntry[], when = new Date()): Uint8Array {
  const { time, date } = dosDateTime(when);
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  const seen = new Set<string>();
  for (const e of entries) {
    if (!e.name || e.name.startsWith('/') || e.name.split('/').includes('..') || seen.has(e.name)) {
      throw new RangeError(`writeZip: bad or repeated entry name "${e.name}".`);
    }
    seen.add(e.name);
    const name = new TextEncoder().encode(e.name);
    const deflated = deflateRawSync(e.data, { level: 6 });
    // Stored when compression does not help (random float weights barely shrink).
    const stored = deflated.length >= e.data.length;
    const body = stored ? e.data : deflated;
    if (e.data.length > LIMIT || offset > LIMIT) throw new RangeError(`writeZip: ${e.name} makes the archive larger than 4 GiB (zip64 is not written).`);
    const crc = crc32(e.data);
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true);
    l.setUint16(6, 0x0800, true); // UTF-8 names
    l.setUint16(8, stored ? 0 : 8, true);
    l.setUint16(10, time, true);
    l.setUint16(12, date, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, body.length, true);
    l.setUint32(22, e.data.length, true);
    l.setUint16(26, name.length, true);
    l.setUint16(28, 0, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, 0x0800, true);
    c.setUint16(10, stored ? 0 : 8, true);
    c.setUint16(12, time, true);
    c.setUint16(14, date, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, body.length, true);
    c.setUint32(24, e.data.length, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, entries.length, true);
  v.setUint16(10, entries.length, true);
  v.setUint32(12, cdSize, true);
  v.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The entries of a zip archive (stored or deflated, no zip64, no encryption), checked against their CRC. */
export function readZip(bytes: Uint8Array, source = 'zip archive'): ZipEntry[] {
  const bad = (why: string) => new FileError(source, `${source} is not a zip archive seglens reads (${why}).`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (v.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw bad('no end-of-central-directory record');
  const count = v.getUint16(end + 10, true);
  let at = v.getUint32(end + 16, true);
  const out: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (v.getUint32(at, true) !== 0x02014b50) throw bad('broken central directory');
    const method = v.getUint16(at + 10, true);
    const crc = v.getUint32(at + 16, true);
    const csize = v.getUint32(at + 20, true);
    const nameLen = v.getUint16(at + 28, true);
    const extraLen = v.getUint16(at + 30, true);
    const commentLen = v.getUint16(at + 32, true);
    const localAt = v.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLen));
    at += 46 + nameLen + extraLen + commentLen;
    if (v.getUint32(localAt, true) !== 0x04034b50) throw bad(`no local header for ${name}`);
    const dataAt = localAt + 30 + v.getUint16(localAt + 26, true) + v.getUint16(localAt + 28, true);
    const body = bytes.subarray(dataAt, dataAt + csize);
    let data: Uint8Array;
    if (method === 0) data = body.slice();
    else if (method === 8) data = new Uint8Array(inflateRawSync(body));
    else throw bad(`${name} uses compression method ${method}`);
    if (crc32(data) !== crc) throw bad(`${name} fails its CRC check`);
    if (!name.endsWith('/')) out.push({ name, data });
  }
  return out;
}
