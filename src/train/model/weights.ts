// Model weights as bytes, without tf.io handlers (they assume a browser or tfjs-node). The format
// is deliberately dull: a list of {name, shape} specs and the float32 values, little-endian, in
// spec order. The same model always serialises to the same bytes, so checkpoints can be compared.
import { tf } from '../tf.ts';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ShapeError } from '../../seg/errors.ts';
import type { SerializedWeights, WeightSpec } from './weight-bytes.ts';

export type { SerializedWeights, WeightSpec } from './weight-bytes.ts';
export { packWeights, unpackWeights } from './weight-bytes.ts';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function stableName(v: tfl.LayerVariable): string {
  // originalName is the scoped name before tfjs appends _1, _2... for a second model in the process.
  return v.originalName;
}

function toBytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return out;
}

function fromBytes(bytes: Uint8Array, offset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** All weights of the model (trainable and BatchNorm statistics), in model.weights order. */
export function serializeWeights(model: tfl.LayersModel): SerializedWeights {
  return joinWeights(model, model.weights.map((v) => toBytes(v.read().dataSync() as Float32Array)));
}

/** The same, read asynchronously: what GPU backends that cannot read synchronously need. */
export async function readWeights(model: tfl.LayersModel): Promise<SerializedWeights> {
  const chunks = await Promise.all(model.weights.map(async (v) => toBytes((await v.read().data()) as Float32Array)));
  return joinWeights(model, chunks);
}

function joinWeights(model: tfl.LayersModel, chunks: Uint8Array[]): SerializedWeights {
  const specs: WeightSpec[] = model.weights.map((v) => ({ name: stableName(v), shape: [...(v.shape as number[])], dtype: 'float32' }));
  const data = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    data.set(c, offset);
    offset += c.length;
  }
  return { specs, data };
}

/**
 * Writes saved weights into a model of the same architecture. Weights are matched by name and
 * every shape is checked, so a model built from another config fails with a message saying which
 * weight differs instead of loading garbage.
 */
export function loadWeights(model: tfl.LayersModel, saved: SerializedWeights): void {
  const offsets = new Map<string, { spec: WeightSpec; offset: number }>();
  let offset = 0;
  for (const spec of saved.specs) {
    offsets.set(spec.name, { spec, offset });
    offset += size(spec.shape) * 4;
  }
  if (offset !== saved.data.length) {
    throw new ShapeError(`Saved weights hold ${saved.data.length} bytes but their specs describe ${offset}.`, { bytes: saved.data.length, expected: offset });
  }
  const vars = model.weights;
  if (vars.length !== saved.specs.length) {
    throw new ShapeError(`The model has ${vars.length} weight tensors but the saved weights have ${saved.specs.length}: they come from a different architecture.`, { model: vars.length, saved: saved.specs.length });
  }
  const tensors = vars.map((v) => {
    const name = stableName(v);
    const entry = offsets.get(name);
    if (!entry) throw new ShapeError(`Saved weights have no tensor "${name}": they come from a different architecture.`, { name });
    if (entry.spec.shape.join('x') !== v.shape.join('x')) {
      throw new ShapeError(`Weight "${name}" has shape [${v.shape}] in the model but [${entry.spec.shape}] in the saved weights.`, { name, model: v.shape, saved: entry.spec.shape });
    }
    return tf.tensor(fromBytes(saved.data, entry.offset, size(v.shape as number[])), v.shape as number[], 'float32');
  });
  try {
    model.setWeights(tensors);
  } finally {
    tensors.forEach((t) => t.dispose());
  }
}
