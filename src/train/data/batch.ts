// The only tensor code of the data pipeline: stacking patches into the tensors a training step
// eats. The caller owns (and disposes) the returned tensors.
import { tf } from '../tf.ts';
import { ShapeError } from '../../seg/errors.ts';
import type { Sample } from './patch.ts';

export interface Batch {
  /** [B, P, P, C] float32 normalised images. */
  x: tf.Tensor4D;
  /** [B, P, P] int32 class ids, IGNORE (255) where a pixel must not count. */
  y: tf.Tensor3D;
}

/** A batch as plain arrays: what crosses to a compute worker (compute/). */
export interface BatchArrays {
  /** [B, P, P, C] float32 normalised images. */
  x: Float32Array;
  /** [B, P, P] int32 class ids, IGNORE (255) where a pixel must not count. */
  y: Int32Array;
  /** [B, P, P, C]. */
  shape: [number, number, number, number];
}

export function makeBatch(samples: readonly Sample[]): Batch {
  return batchTensors(batchArrays(samples));
}

export function batchTensors(b: BatchArrays): Batch {
  const [n, p, q] = b.shape;
  return { x: tf.tensor4d(b.x, b.shape, 'float32'), y: tf.tensor3d(b.y, [n, p, q], 'int32') };
}

export function batchArrays(samples: readonly Sample[]): BatchArrays {
  if (!samples.length) throw new ShapeError('makeBatch: no samples');
  const { size: p, channels: c } = samples[0];
  const x = new Float32Array(samples.length * p * p * c);
  const y = new Int32Array(samples.length * p * p);
  samples.forEach((s, b) => {
    if (s.size !== p || s.channels !== c) {
      throw new ShapeError(`makeBatch: sample ${b} is ${s.size}x${s.size}x${s.channels}, sample 0 is ${p}x${p}x${c}`, { index: b });
    }
    x.set(s.image, b * p * p * c);
    y.set(s.labels, b * p * p);
  });
  return { x, y, shape: [samples.length, p, p, c] };
}
