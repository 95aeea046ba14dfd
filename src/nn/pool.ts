/**
 * Max pooling, and the unpooling that SegNet's decoder uses (Badrinarayanan, Kendall & Cipolla
 * 2017): each unpooling layer puts its values back where its partner pooling layer found its
 * maxima, in the same forward pass, so that the decoder recovers where the edges were.
 */
import { z } from 'zod';
import { ShapeError, UsageError } from '../errors.js';
import { convOutputSize, maxPool2d, maxUnpool2d, type PoolOptions, type Tensor } from '../tensor/index.js';
import { pair, pairSchema } from './conv2d.js';
import { type ForwardContext, StatelessLayer } from './layer.js';

/** The spec of a max pooling layer. */
export const maxPool2dSpec = z.object({
  type: z.literal('max_pool2d'),
  name: z.string().optional(),
  kernel: pairSchema(1),
  /** Default: the kernel (windows side by side). */
  stride: pairSchema(1).optional(),
  padding: pairSchema(0).default(0),
}).strict();

/** The spec of a max unpooling layer. */
export const maxUnpool2dSpec = z.object({
  type: z.literal('max_unpool2d'),
  name: z.string().optional(),
  /** The max_pool2d layer whose indices it unpools with (a path such as "encoder.3", or a layer's name). */
  partner: z.string(),
}).strict();

export type MaxPool2dSpec = z.output<typeof maxPool2dSpec>;
export type MaxUnpool2dSpec = z.output<typeof maxUnpool2dSpec>;

/**
 * Max pooling over images [channels, height, width]; keeps the indices of its last forward pass.
 * @example
 * const pool = new MaxPool2d({ type: 'max_pool2d', kernel: 2, padding: 0 }, [16, 28, 28]);
 * pool.outputShape; // [16, 14, 14]
 */
export class MaxPool2d extends StatelessLayer {
  readonly type = 'max_pool2d';
  readonly outputShape: readonly number[];
  private readonly options: PoolOptions;
  /**
   * Where the last forward pass found each maximum, until the partner unpooling layer takes them,
   * with the output that owns them (the buffer is recycled once that output is freed).
   */
  private last: { indices: Int32Array; owner: Tensor } | null = null;

  constructor(private readonly config: MaxPool2dSpec, readonly inputShape: readonly number[]) {
    super();
    if (inputShape.length !== 3) throw new ShapeError(`max_pool2d: takes images [channels, height, width], got input [${inputShape.join(', ')}]`);
    const kernel = pair(config.kernel);
    this.options = { kernel, stride: pair(config.stride ?? config.kernel), padding: pair(config.padding) };
    const [c, h, w] = inputShape;
    const out = [c, convOutputSize(h, kernel[0], this.options.stride[0], this.options.padding[0]), convOutputSize(w, kernel[1], this.options.stride[1], this.options.padding[1])];
    if (out[1] < 1 || out[2] < 1) throw new ShapeError(`max_pool2d: input [${inputShape.join(', ')}] is smaller than the kernel [${kernel.join(', ')}]`);
    if (2 * this.options.padding[0] > kernel[0] || 2 * this.options.padding[1] > kernel[1]) {
      throw new ShapeError(`max_pool2d: padding [${this.options.padding.join(', ')}] must be at most half the kernel [${kernel.join(', ')}]`);
    }
    this.outputShape = out;
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    const { y, indices } = maxPool2d(x, this.options);
    this.last = { indices, owner: y };
    return y;
  }

  /**
   * The indices of the last forward pass, once: a second call gives null, and so does a call
   * after that pass's output was freed (its tidy() scope ended), when the buffer may already hold
   * another pass's indices.
   */
  takeIndices(): Int32Array | null {
    const last = this.last;
    this.last = null;
    return last && !last.owner.isFreed ? last.indices : null;
  }

  spec(): MaxPool2dSpec {
    return { ...this.config };
  }
}

/**
 * Puts values back at the places where its partner pooling layer found its maxima (zeros elsewhere).
 * @example
 * const unpool = new MaxUnpool2d({ type: 'max_unpool2d', partner: 'encoder.1' }, [16, 14, 14], pool);
 * unpool.outputShape; // [16, 28, 28], the partner's input
 */
export class MaxUnpool2d extends StatelessLayer {
  readonly type = 'max_unpool2d';
  readonly outputShape: readonly number[];

  constructor(private readonly config: MaxUnpool2dSpec, readonly inputShape: readonly number[], readonly partner: MaxPool2d) {
    super();
    const pooled = partner.outputShape;
    if (inputShape.length !== 3 || inputShape.some((d, i) => d !== pooled[i])) {
      throw new ShapeError(`max_unpool2d: input [${inputShape.join(', ')}] is not the shape its partner "${config.partner}" pools to ([${pooled.join(', ')}])`);
    }
    this.outputShape = partner.inputShape;
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    // Taken, not read: indices left from another batch must never place this one's values.
    const indices = this.partner.takeIndices();
    if (!indices || indices.length !== x.size) {
      throw new UsageError(`max_unpool2d: needs the indices its partner "${this.config.partner}" found for these same examples, in the same forward pass (a SegNet-style decoder cannot decode codes on their own; reconstruct the inputs instead)`);
    }
    const [, h, w] = this.outputShape;
    return maxUnpool2d(x, indices, [h, w]);
  }

  spec(): MaxUnpool2dSpec {
    return { ...this.config };
  }
}
