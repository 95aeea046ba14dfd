/**
 * Inverted dropout (Srivastava et al., JMLR 2014): while training each value is zeroed with
 * probability `rate` and the survivors scaled by 1/(1 − rate), so that inference, which passes
 * the input unchanged, sees the same expected activation.
 */
import { z } from 'zod';
import { mul, Tensor } from '../tensor/index.js';
import { type ForwardContext, StatelessLayer } from './layer.js';

/** The spec of a dropout layer. */
export const dropoutSpec = z.object({
  type: z.literal('dropout'),
  name: z.string().optional(),
  /** The probability of dropping each value, in [0, 1). */
  rate: z.number().min(0).lt(1),
}).strict();

export type DropoutSpec = z.output<typeof dropoutSpec>;

/**
 * Drops values while training, drawing the mask from the training loop's seeded generator.
 * @example
 * const drop = new Dropout({ type: 'dropout', rate: 0.5 }, [1000]);
 * const h2 = drop.forward(h, { training: true, rng }); // about half zeros, the rest doubled
 */
export class Dropout extends StatelessLayer {
  readonly type = 'dropout';
  readonly outputShape: readonly number[];

  constructor(private readonly config: DropoutSpec, readonly inputShape: readonly number[]) {
    super();
    this.outputShape = inputShape;
  }

  forward(x: Tensor, ctx: ForwardContext): Tensor {
    const { rate } = this.config;
    if (!ctx.training || !ctx.rng || rate === 0) return x;
    // x ⊙ mask through the mul primitive, so the gradient is the same mask with no backward here.
    const mask = Tensor.empty(x.shape);
    const scale = 1 / (1 - rate);
    const m = mask.data;
    for (let i = 0; i < m.length; i++) m[i] = ctx.rng.uniform() < rate ? 0 : scale;
    return mul(x, mask);
  }

  spec(): DropoutSpec {
    return { ...this.config };
  }
}
