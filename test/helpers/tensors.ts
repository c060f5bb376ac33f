// Comparing a backend's kernels with the pure-JS cpu backend: the same inputs on both, outputs
// compared relative to the reference's scale (shared by the wasm and native kernel tests).
import { expect } from 'vitest';
import { tf } from '../../src/train/tf.ts';

/** Runs f on a backend with fresh copies of the inputs and returns its outputs' values. */
export function on(backend: 'cpu' | 'wasm', inputs: Array<{ values: Float32Array; shape: number[] }>, f: (...t: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const ts = inputs.map((i) => tf.tensor(i.values, i.shape));
    const out = f(...ts);
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

/** max |a - b| <= rtol * max |b| (float32 sums of a few hundred terms: about 1e-6 in practice). */
export function expectClose(actual: Float32Array, expected: Float32Array, label: string, rtol = 1e-4): void {
  expect(actual.length, label).toBe(expected.length);
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  expect(scale, `${label}: reference is all zeros, the test proves nothing`).toBeGreaterThan(0);
  expect(maxDiff / scale, label).toBeLessThanOrEqual(rtol);
}
