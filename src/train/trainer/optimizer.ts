// Adam and its state as bytes. tfjs optimizers expose getWeights()/setWeights(): for Adam the
// iteration counter, then the first moments, then the second moments, one per trained variable in
// the order the variables were first updated (the order of the varList passed to minimize). The
// trainer always passes the model's trainable weights in model order, so a restored optimizer
// pairs each moment with the same variable as before.
import { tf } from '../tf.ts';
import { ShapeError } from '../../seg/errors.ts';
import type { SerializedWeights, WeightSpec } from '../model/weights.ts';
import type { TrainConfig } from './config.ts';

/**
 * One Adam update of one variable as a kernel: inputs value, m, v, g and the scalars
 * oneMinusAccBeta1/2; attrs learningRate, beta1, beta2, epsilon; outputs the new value, m and v.
 * Backends that register it (the native CPU path) update each variable in one pass instead of
 * tfjs's thirteen kernels; the arithmetic is tfjs's own, in the same order.
 */
export const ADAM_STEP = 'SeglensAdam';

/** The private state of tfjs-core 4.22's AdamOptimizer that applyGradients works on. */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

/**
 * tfjs's Adam, with each variable's update in one ADAM_STEP kernel where the backend has it and
 * tfjs's own applyGradients everywhere else. Same state, same getWeights/setWeights.
 */
class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!tf.getKernel(ADAM_STEP, tf.getBackend())) return super.applyGradients(variableGradients);
    const self = this as unknown as AdamInternals;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const attrs = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, self.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, self.accBeta2);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        const moment = (which: 'm' | 'v') => ({ originalName: `${name}/${which}`, variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)) });
        self.accumulatedFirstMoment[i] ??= moment('m');
        self.accumulatedSecondMoment[i] ??= moment('v');
        const g = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (g == null) return;
        const m = self.accumulatedFirstMoment[i]!.variable;
        const v = self.accumulatedSecondMoment[i]!.variable;
        const [nextValue, nextM, nextV] = tf.engine().runKernel<tf.Tensor[]>(ADAM_STEP, { value, m, v, g, oneMinusAccBeta1, oneMinusAccBeta2 }, attrs);
        m.assign(nextM);
        v.assign(nextV);
        value.assign(nextValue);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, this.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

export function makeAdam(cfg: TrainConfig['optimizer'], lr: number): tf.AdamOptimizer {
  return new FusedAdam(lr, cfg.beta1, cfg.beta2, cfg.epsilon);
}

/** The learning rate Adam uses from its next step on (it reads the field at every step). */
export function setLearningRate(opt: tf.AdamOptimizer, lr: number): void {
  (opt as unknown as { learningRate: number }).learningRate = lr;
}

export interface OptimizerState {
  iterations: number;
  /** Moments, m then v, as saved weights (names end in /m and /v). */
  moments: SerializedWeights;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export async function saveOptimizer(opt: tf.AdamOptimizer): Promise<OptimizerState> {
  if (!LITTLE_ENDIAN) throw new ShapeError('Saving optimizer state needs a little-endian machine.');
  const named = await opt.getWeights();
  const [iter, ...moments] = named;
  const iterations = (await iter.tensor.data())[0];
  iter.tensor.dispose(); // a fresh scalar made by getWeights; the moments are the optimizer's own variables
  const specs: WeightSpec[] = moments.map((m) => ({ name: m.name, shape: [...m.tensor.shape], dtype: 'float32' }));
  const arrays = await Promise.all(moments.map((m) => m.tensor.data() as Promise<Float32Array>));
  const data = new Uint8Array(arrays.reduce((n, a) => n + a.byteLength, 0));
  let offset = 0;
  for (const a of arrays) {
    data.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offset);
    offset += a.byteLength;
  }
  return { iterations, moments: { specs, data } };
}

/**
 * Restores a fresh optimizer to a saved state. `shapes` are the shapes of the trained variables in
 * order: the saved moments must match them one for one.
 */
export async function restoreOptimizer(opt: tf.AdamOptimizer, saved: OptimizerState, shapes: readonly number[][]): Promise<void> {
  const { specs, data } = saved.moments;
  if (specs.length !== 0 && specs.length !== 2 * shapes.length) {
    throw new ShapeError(`The saved optimizer state has ${specs.length} moments for ${shapes.length} trained weights: it belongs to another model.`, { moments: specs.length, weights: shapes.length });
  }
  specs.forEach((s, i) => {
    const want = shapes[i % shapes.length];
    if (s.shape.join('x') !== want.join('x')) {
      throw new ShapeError(`Saved optimizer moment "${s.name}" has shape [${s.shape}] but the weight it belongs to has [${want}].`, { name: s.name });
    }
  });
  const tensors: tf.Tensor[] = [];
  let offset = 0;
  const copy = new Uint8Array(data); // aligned copy: Float32Array views need a 4-byte aligned offset
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    tensors.push(tf.tensor(new Float32Array(copy.buffer, offset, n).slice(), s.shape, 'float32'));
    offset += n * 4;
  }
  const iter = tf.scalar(saved.iterations, 'int32');
  try {
    await opt.setWeights([{ name: 'iter', tensor: iter }, ...specs.map((s, i) => ({ name: s.name, tensor: tensors[i] }))]);
  } finally {
    // setWeights makes variables sharing these tensors' data (reference-counted): ours can go.
    tf.dispose([iter, ...tensors]);
  }
}
