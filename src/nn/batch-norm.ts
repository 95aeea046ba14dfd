/**
 * Batch normalisation (Ioffe & Szegedy 2015): each channel standardised by the batch's mean and
 * variance while training (over the batch for vectors [channels], over the batch and the pixels
 * for images [channels, height, width]), then scaled and shifted by learned γ and β. Running
 * averages of the statistics, saved with the model, stand in for the batch's at inference.
 * Written with the elementwise and reduction primitives, so its gradient is theirs.
 */
import { z } from 'zod';
import { ShapeError } from '../errors.js';
import { add, addScalar, mean, mul, powScalar, reshape, square, sub, Tensor } from '../tensor/index.js';
import { type ForwardContext, type Layer, type NamedBuffer, type NamedParameter, weightAndBias } from './layer.js';

/** The spec of a batch normalisation layer. */
export const batchNormSpec = z.object({
  type: z.literal('batch_norm'),
  name: z.string().optional(),
  /** How far each batch moves the running statistics: running ← (1 − m)·running + m·batch. */
  momentum: z.number().gt(0).lte(1).default(0.1),
  /** Added to the variance before its square root. */
  eps: z.number().gt(0).default(1e-5),
}).strict();

export type BatchNormSpec = z.output<typeof batchNormSpec>;

/**
 * Batch normalisation over vectors [channels] or images [channels, height, width].
 * @example
 * const bn = new BatchNorm(batchNormSpec.parse({ type: 'batch_norm' }), [16, 14, 14]);
 * bn.forward(x, { training: true, rng }); // per-channel standardised, running statistics updated
 */
export class BatchNorm implements Layer {
  readonly type = 'batch_norm';
  readonly outputShape: readonly number[];
  readonly gamma: Tensor;
  readonly beta: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  /** The batch axes the statistics are taken over, and the shape that broadcasts a channel's value. */
  private readonly axes: number[];
  private readonly channelShape: number[];

  constructor(private readonly config: BatchNormSpec, readonly inputShape: readonly number[]) {
    if (inputShape.length !== 1 && inputShape.length !== 3) {
      throw new ShapeError(`batch_norm: takes vectors [channels] or images [channels, height, width], got input [${inputShape.join(', ')}]`);
    }
    const channels = inputShape[0];
    this.outputShape = inputShape;
    this.axes = inputShape.length === 1 ? [0] : [0, 2, 3];
    this.channelShape = inputShape.length === 1 ? [1, channels] : [1, channels, 1, 1];
    this.gamma = Tensor.from(new Float32Array(channels).fill(1), [channels], true);
    this.beta = Tensor.zeros([channels], true);
    this.runningMean = Tensor.zeros([channels]);
    this.runningVar = Tensor.from(new Float32Array(channels).fill(1), [channels]);
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const { eps, momentum } = this.config;
    let normalised: Tensor;
    if (ctx.training) {
      const mu = mean(x, this.axes, true);
      const centred = sub(x, mu);
      const variance = mean(square(centred), this.axes, true);
      normalised = mul(centred, powScalar(addScalar(variance, eps), -0.5));
      // The running variance is the unbiased one, as PyTorch keeps it.
      const count = x.size / this.inputShape[0];
      const unbias = count > 1 ? count / (count - 1) : 1;
      const rm = this.runningMean.data;
      const rv = this.runningVar.data;
      for (let c = 0; c < rm.length; c++) {
        rm[c] = (1 - momentum) * rm[c] + momentum * mu.data[c];
        rv[c] = (1 - momentum) * rv[c] + momentum * variance.data[c] * unbias;
      }
    } else {
      const scale = Tensor.from(Float32Array.from(this.runningVar.data, (v) => 1 / Math.sqrt(v + eps)), this.channelShape);
      normalised = mul(sub(x, reshape(this.runningMean, this.channelShape)), scale);
    }
    return add(mul(normalised, reshape(this.gamma, this.channelShape)), reshape(this.beta, this.channelShape));
  }

  parameters(prefix: string): NamedParameter[] {
    return weightAndBias(prefix, this.gamma, this.beta);
  }

  /** The running statistics, named as PyTorch's BatchNorm names them. */
  buffers(prefix: string): NamedBuffer[] {
    return [
      { name: `${prefix}.running_mean`, tensor: this.runningMean },
      { name: `${prefix}.running_var`, tensor: this.runningVar },
    ];
  }

  spec(): BatchNormSpec {
    return { ...this.config };
  }

  penalty(): Tensor | null {
    return null;
  }
}
