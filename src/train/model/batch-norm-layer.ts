// The U-Net's "batch norm, then ReLU" as one layer, computed by the fused op of fused-ops.ts.
// Same weights, names and updates as tfjs-layers' BatchNormalization (gamma, beta, moving_mean,
// moving_variance; moving averages updated with the batch's biased variance, as tfjs-layers
// does), so weights saved before this layer existed load into it unchanged.
import { tf, tfl } from '../tf.ts';
import { batchNormInfer, batchNormTrain } from './fused-ops.ts';

export interface BatchNormReluArgs {
  name: string;
  momentum: number;
  epsilon: number;
  /** ReLU after the normalisation (true in the U-Net's blocks). */
  relu: boolean;
}

export class BatchNormRelu extends tfl.layers.Layer {
  static readonly className = 'SeglensBatchNormRelu';
  readonly momentum: number;
  readonly epsilon: number;
  readonly relu: boolean;
  private gamma!: tfl.LayerVariable;
  private beta!: tfl.LayerVariable;
  private movingMean!: tfl.LayerVariable;
  private movingVariance!: tfl.LayerVariable;

  constructor(args: BatchNormReluArgs) {
    super({ name: args.name });
    this.momentum = args.momentum;
    this.epsilon = args.epsilon;
    this.relu = args.relu;
    this.supportsMasking = true;
  }

  private weight(name: string, shape: number[], init: 'ones' | 'zeros', trainable: boolean): tfl.LayerVariable {
    return this.addWeight(name, shape, 'float32', init === 'ones' ? tfl.initializers.ones() : tfl.initializers.zeros(), undefined, trainable);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = shape[shape.length - 1];
    if (c == null) throw new Error(`${this.name}: the channel dimension must be known, got ${JSON.stringify(shape)}`);
    this.gamma = this.weight('gamma', [c], 'ones', true);
    this.beta = this.weight('beta', [c], 'zeros', true);
    this.movingMean = this.weight('moving_mean', [c], 'zeros', false);
    this.movingVariance = this.weight('moving_variance', [c], 'ones', false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const attrs = { epsilon: this.epsilon, relu: this.relu };
      const gamma = this.gamma.read() as tf.Tensor1D;
      const beta = this.beta.read() as tf.Tensor1D;
      if (!kwargs.training) {
        return batchNormInfer(x, gamma, beta, this.movingMean.read() as tf.Tensor1D, this.movingVariance.read() as tf.Tensor1D, attrs);
      }
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, attrs);
      const decay = 1 - this.momentum;
      for (const [variable, value] of [
        [this.movingMean, mean],
        [this.movingVariance, variance],
      ] as const) {
        // tfjs-layers' doMovingAverage: v <- v - (v - value) * (1 - momentum)
        tf.tidy(() => {
          const orig = variable.read();
          variable.write(tf.sub(orig, tf.mul(tf.sub(orig, value), decay)));
        });
      }
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, relu: this.relu };
  }
}

tf.serialization.registerClass(BatchNormRelu);
