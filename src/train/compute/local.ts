// A Compute in this thread, on whatever tfjs backend the injected `select` starts: the native CPU
// path or tfjs-node in Node (backend/select.ts), WebGPU or WebGL in a browser worker
// (compute/browser-backend.ts). Imports no Node module, so the same step code runs everywhere.
import { tf } from '../tf.ts';
import type { tfl } from '../tf.ts';
import { batchTensors } from '../data/batch.ts';
import { makeLoss } from '../losses/loss.ts';
import type { LossFn } from '../losses/loss.ts';
import { buildUNet, logitsModel } from '../model/unet.ts';
import { loadWeights, readWeights } from '../model/weights.ts';
import type { SerializedWeights } from '../model/weights.ts';
import { predictImage } from '../predict/tiled.ts';
import type { PredictInput } from '../predict/tiled.ts';
import { makeAdam, restoreOptimizer, saveOptimizer, setLearningRate } from '../trainer/optimizer.ts';
import type { LabelMap } from '../../seg/types.ts';
import { ShapeError } from '../../seg/errors.ts';
import type { BackendPreference, BackendReport, BatchArrays, Compute, ComputeInit, ComputePrediction, Tiling } from './types.ts';

/** Probabilities are clipped to [eps, 1 - eps] before taking logs for the validation loss. */
export const VAL_LOSS_EPS = 1e-7;

interface Parts {
  init: ComputeInit;
  model: tfl.LayersModel;
  logits: tfl.LayersModel;
  vars: tf.Variable[];
  opt: tf.AdamOptimizer;
  loss: LossFn;
}

export class LocalCompute implements Compute {
  private parts: Parts | null = null;
  private readonly select: (preference: BackendPreference) => Promise<BackendReport>;

  /**
   * `select` starts the backend this compute runs on and says which and why; it gets the
   * preference of ComputeInit.backend (a remote compute's only way to hear it).
   */
  constructor(select: (preference: BackendPreference) => Promise<BackendReport>) {
    this.select = select;
  }

  /** The model, for callers in the same thread (tests, the trainer's final model). */
  get model(): tfl.LayersModel | null {
    return this.parts?.model ?? null;
  }

  private get p(): Parts {
    if (!this.parts) throw new Error('compute used before init() or after dispose()');
    return this.parts;
  }

  async init(init: ComputeInit): Promise<BackendReport> {
    if (this.parts) throw new Error('compute initialised twice');
    const report = await this.select(init.backend ?? {});
    const model = buildUNet(init.model);
    try {
      if (init.weights) loadWeights(model, init.weights);
      const vars = model.trainableWeights.map((w) => w.read() as unknown as tf.Variable);
      const opt = makeAdam({ lr: init.optimizer.lr, beta1: init.optimizer.beta1, beta2: init.optimizer.beta2, epsilon: init.optimizer.epsilon }, init.optimizer.lr);
      try {
        if (init.optimizer.state) await restoreOptimizer(opt, init.optimizer.state, vars.map((v) => v.shape));
      } catch (e) {
        opt.dispose();
        throw e;
      }
      this.parts = { init, model, logits: logitsModel(model), vars, opt, loss: makeLoss(init.loss) };
    } catch (e) {
      model.dispose();
      throw e;
    }
    return report;
  }

  async step(batch: BatchArrays): Promise<number> {
    const { logits, opt, loss, vars } = this.p;
    const lossT = tf.tidy(() => {
      const { x, y } = batchTensors(batch);
      return opt.minimize(() => loss(logits.apply(x, { training: true }) as tf.Tensor4D, y), true, vars) as tf.Scalar;
    });
    try {
      return (await lossT.data())[0];
    } finally {
      lossT.dispose();
    }
  }

  async setLearningRate(lr: number): Promise<void> {
    setLearningRate(this.p.opt, lr);
  }

  async predict(image: PredictInput, tiling: Tiling, labels?: LabelMap): Promise<ComputePrediction> {
    const { model, init } = this.p;
    const K = init.model.numClasses;
    const pred = await predictImage(model, image, { ...tiling, head: init.model.head, numClasses: K });
    return { probs: pred.probs, tiles: pred.tiles, loss: labels ? await this.lossOfProbs(pred.probs, labels) : null };
  }

  /**
   * The training loss of blended probabilities: turned back into logits (log p for softmax, since
   * softmax(log p) = p; log(p / (1 - p)) for sigmoid), clipped at VAL_LOSS_EPS so a confident
   * error stays finite.
   */
  private async lossOfProbs(probs: Float32Array, labels: LabelMap): Promise<number> {
    const { init, loss } = this.p;
    const { width: W, height: H } = labels;
    const K = init.model.numClasses;
    if (probs.length !== W * H * K) throw new ShapeError(`validation loss: ${probs.length} probabilities for ${W} x ${H} x ${K}`);
    const l = tf.tidy(() => {
      const p = tf.clipByValue(tf.tensor4d(probs, [1, H, W, K]), VAL_LOSS_EPS, 1 - VAL_LOSS_EPS);
      const logits = (init.model.head === 'softmax' ? tf.log(p) : tf.sub(tf.log(p), tf.log(tf.sub(1, p)))) as tf.Tensor4D;
      return loss(logits, tf.tensor3d(Int32Array.from(labels.data), [1, H, W], 'int32'));
    });
    try {
      return (await l.data())[0];
    } finally {
      l.dispose();
    }
  }

  async snapshot(): Promise<{ weights: SerializedWeights; optimizer: { iterations: number; moments: SerializedWeights } }> {
    const { model, opt } = this.p;
    const weights = await readWeights(model);
    return { weights, optimizer: await saveOptimizer(opt) };
  }

  async setWeights(weights: SerializedWeights): Promise<void> {
    loadWeights(this.p.model, weights);
  }

  async dispose(): Promise<void> {
    if (!this.parts) return;
    this.parts.opt.dispose();
    this.parts.model.dispose();
    this.parts = null;
  }
}
