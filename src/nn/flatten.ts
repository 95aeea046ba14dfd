/**
 * Flatten: examples of any shape become vectors, [batch, c, h, w] → [batch, c·h·w], as a view.
 */
import { z } from 'zod';
import { reshape, sizeOf, type Tensor } from '../tensor/index.js';
import { type ForwardContext, StatelessLayer } from './layer.js';

/** The spec of a flatten layer. */
export const flattenSpec = z.object({
  type: z.literal('flatten'),
  name: z.string().optional(),
}).strict();

export type FlattenSpec = z.output<typeof flattenSpec>;

/**
 * Views each example as one vector (row-major, so [c, h, w] is read channel by channel).
 * @example
 * new Flatten({ type: 'flatten' }, [1, 28, 28]).outputShape; // [784]
 */
export class Flatten extends StatelessLayer {
  readonly type = 'flatten';
  readonly outputShape: readonly number[];

  constructor(private readonly config: FlattenSpec, readonly inputShape: readonly number[]) {
    super();
    this.outputShape = [sizeOf(inputShape)];
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    return reshape(x, [x.shape[0], ...this.outputShape]);
  }

  spec(): FlattenSpec {
    return { ...this.config };
  }
}
