/**
 * Binarisation with the straight-through estimator (Bengio, Léonard & Courville 2013): the forward
 * pass rounds each value (in [0, 1], a sigmoid's output) to 0 or 1 at `threshold`, and the
 * backward pass treats the rounding as the identity, so the layers below learn through it. The
 * decoder then trains on the very bits that a hash code will hold.
 */
import { z } from 'zod';
import { add, Tensor } from '../tensor/index.js';
import { type ForwardContext, StatelessLayer } from './layer.js';

/** The spec of a binarisation layer. */
export const binarizeSpec = z.object({
  type: z.literal('binarize'),
  name: z.string().optional(),
  /** A value above it becomes 1, the rest 0. */
  threshold: z.number().finite().default(0.5),
}).strict();

export type BinarizeSpec = z.output<typeof binarizeSpec>;

/**
 * Rounds to bits, in training and inference alike, with the identity as its gradient.
 * @example
 * const bits = new Binarize({ type: 'binarize', threshold: 0.5 }, [32]);
 * bits.forward(sigmoidCode, INFERENCE); // every value 0 or 1
 */
export class Binarize extends StatelessLayer {
  readonly type = 'binarize';
  readonly outputShape: readonly number[];

  constructor(private readonly config: BinarizeSpec, readonly inputShape: readonly number[]) {
    super();
    this.outputShape = inputShape;
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    // x + (bits − x), the difference a constant: the sum's value is the bits, its gradient x's.
    const { threshold } = this.config;
    const offset = Tensor.empty(x.shape);
    const v = x.data;
    const o = offset.data;
    for (let i = 0; i < o.length; i++) o[i] = (v[i] > threshold ? 1 : 0) - v[i];
    return add(x, offset);
  }

  spec(): BinarizeSpec {
    return { ...this.config };
  }
}
