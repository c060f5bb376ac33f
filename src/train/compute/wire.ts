// Messages of the compute protocol as binary frames, for transports without structured clone
// (a WebSocket, a Node IPC channel): the message as JSON with every typed array replaced by a
// reference, then the arrays' bytes, each at an offset aligned to 8 so the receiver views them in
// place. Layout: "SGLC", uint32 header length, header JSON, padding, array bytes. Little-endian.
const MAGIC = [0x53, 0x47, 0x4c, 0x43]; // "SGLC"
const MAX_HEADER = 16 << 20;

type Typed = Float32Array | Int32Array | Uint8Array;
const KINDS = { f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;
type Kind = keyof typeof KINDS;

interface ArrayRef {
  $array: number;
  kind: Kind;
}

function kindOf(v: unknown): Kind | null {
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Int32Array) return 'i32';
  if (v instanceof Uint8Array) return 'u8';
  return null;
}

const align8 = (n: number) => (n + 7) & ~7;

export function encodeMessage(message: unknown): Uint8Array {
  const arrays: Typed[] = [];
  // A walk of our own rather than a JSON.stringify replacer: a replacer sees a Node Buffer (a
  // Uint8Array) only after its toJSON has turned it into a list of numbers.
  const strip = (v: unknown): unknown => {
    const kind = kindOf(v);
    if (kind) {
      arrays.push(v as Typed);
      return { $array: arrays.length - 1, kind } satisfies ArrayRef;
    }
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, strip(x)]));
    return v;
  };
  const m = strip(message);
  const head = new TextEncoder().encode(JSON.stringify({ m, lengths: arrays.map((a) => a.byteLength) }));
  let offset = align8(8 + head.byteLength);
  const offsets = arrays.map((a) => {
    const o = offset;
    offset = align8(offset + a.byteLength);
    return o;
  });
  const out = new Uint8Array(offset);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, head.byteLength, true);
  out.set(head, 8);
  arrays.forEach((a, i) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offsets[i]));
  return out;
}

export function decodeMessage(frame: ArrayBuffer | Uint8Array): unknown {
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not a compute frame');
  const len = new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
  if (len > MAX_HEADER || 8 + len > bytes.length) throw new Error('compute frame header out of range');
  const { m, lengths } = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as { m: unknown; lengths: number[] };
  // A copy aligned at 0, so every array can be a view at its own aligned offset.
  const own = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  let offset = align8(8 + len);
  const arrays = lengths.map((n) => {
    if (offset + n > own.length) throw new Error('compute frame array out of range');
    const at = offset;
    offset = align8(offset + n);
    return { at, n };
  });
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
      const ref = v as Partial<ArrayRef>;
      if (typeof ref.$array === 'number' && ref.kind && ref.kind in KINDS) {
        const a = arrays[ref.$array];
        if (!a) throw new Error('compute frame refers to a missing array');
        const Ctor = KINDS[ref.kind];
        return new Ctor(own.buffer as ArrayBuffer, own.byteOffset + a.at, a.n / Ctor.BYTES_PER_ELEMENT);
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
    }
    return v;
  };
  return revive(m);
}
