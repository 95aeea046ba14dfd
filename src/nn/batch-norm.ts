/**
 * Batch normalisation (Ioffe & Szegedy 2015): each channel standardised by the batch's mean and
 * variance while training (over the batch for vectors [channels], over the batch and the pixels
 * for images [channels, height, width]), then scaled and shifted by learned γ and β. Running
 * averages of the statistics, saved with the model, stand in for the batch's at inference.
 */
import { z } from 'zod';
import { ShapeError } from '../errors.js';
import { batchNorm, channelStatistics, Tensor } from '../tensor/index.js';
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

  constructor(private readonly config: BatchNormSpec, readonly inputShape: readonly number[]) {
    if (inputShape.length !== 1 && inputShape.length !== 3) {
      throw new ShapeError(`batch_norm: takes vectors [channels] or images [channels, height, width], got input [${inputShape.join(', ')}]`);
    }
    const channels = inputShape[0];
    this.outputShape = inputShape;
    this.gamma = Tensor.from(new Float32Array(channels).fill(1), [channels], true);
    this.beta = Tensor.zeros([channels], true);
    this.runningMean = Tensor.zeros([channels]);
    this.runningVar = Tensor.from(new Float32Array(channels).fill(1), [channels]);
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const { eps, momentum } = this.config;
    if (!ctx.training) {
      return batchNorm(x, this.gamma, this.beta, { mean: this.runningMean.data, variance: this.runningVar.data, eps, fromBatch: false });
    }
    const batch = channelStatistics(x);
    // The running variance is the unbiased one, as PyTorch keeps it.
    const count = x.size / this.inputShape[0];
    const unbias = count > 1 ? count / (count - 1) : 1;
    const rm = this.runningMean.data;
    const rv = this.runningVar.data;
    for (let c = 0; c < rm.length; c++) {
      rm[c] = (1 - momentum) * rm[c] + momentum * batch.mean[c];
      rv[c] = (1 - momentum) * rv[c] + momentum * batch.variance[c] * unbias;
    }
    return batchNorm(x, this.gamma, this.beta, { ...batch, eps, fromBatch: true });
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
