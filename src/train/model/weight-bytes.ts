// The bytes of saved weights (the file format of weights.ts), apart from the TensorFlow.js code that
// reads them out of a model and writes them into one: checkpoints and model folders are read and
// written with these alone, so the engine does not load TensorFlow.js to list runs (issue 14).
import { FileError } from '../../seg/errors.ts';

export interface WeightSpec {
  /** Layer-scoped name such as 'enc0_conv0/kernel' (tfjs' per-process uniquifying suffix removed). */
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface SerializedWeights {
  specs: WeightSpec[];
  /** Concatenated float32 little-endian values of every spec, in spec order. */
  data: Uint8Array;
}

const MAGIC = 'SGLW';
const FORMAT_VERSION = 1;

/**
 * One self-contained byte string: 'SGLW', uint32 version, uint32 header length, JSON header
 * {specs}, zero padding to a multiple of 4, then the float data. For a single-file checkpoint.
 */
export function packWeights(w: SerializedWeights): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ specs: w.specs }));
  const dataStart = Math.ceil((12 + header.length) / 4) * 4;
  const out = new Uint8Array(dataStart + w.data.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, FORMAT_VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  out.set(w.data, dataStart);
  return out;
}

/** Inverse of packWeights; `source` names the file in errors. */
export function unpackWeights(bytes: Uint8Array, source = 'weights'): SerializedWeights {
  const bad = (why: string) => new FileError(source, `${source} is not a seglens weights file (${why}). Was it written by another program or cut short?`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw bad('wrong magic bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== FORMAT_VERSION) throw bad(`format version ${version}, this build reads ${FORMAT_VERSION}`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw bad('header longer than the file');
  let header: { specs?: WeightSpec[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch {
    throw bad('unreadable header');
  }
  if (!Array.isArray(header.specs)) throw bad('header without specs');
  const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
  return { specs: header.specs, data: bytes.slice(dataStart) };
}
