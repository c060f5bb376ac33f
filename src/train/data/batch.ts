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

export function makeBatch(samples: readonly Sample[]): Batch {
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
  return { x: tf.tensor4d(x, [samples.length, p, p, c], 'float32'), y: tf.tensor3d(y, [samples.length, p, p], 'int32') };
}
