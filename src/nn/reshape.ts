/**
 * Reshape: each example viewed in another shape of the same size, [batch, 3136] → [batch, 64, 7, 7].
 */
import { z } from 'zod';
import { ShapeError } from '../errors.js';
import { reshape, sizeOf, type Tensor } from '../tensor/index.js';
import { formatDims, type ForwardContext, StatelessLayer } from './layer.js';

/** The spec of a reshape layer: the example shape it gives (batch axis left out). */
export const reshapeSpec = z.object({
  type: z.literal('reshape'),
  name: z.string().optional(),
  shape: z.array(z.number().int().positive()).min(1),
}).strict();

export type ReshapeSpec = z.output<typeof reshapeSpec>;

/**
 * Views each example in `spec.shape` (row-major, no copy).
 * @example
 * new Reshape({ type: 'reshape', shape: [64, 7, 7] }, [3136]).outputShape; // [64, 7, 7]
 */
export class Reshape extends StatelessLayer {
  readonly type = 'reshape';
  readonly outputShape: readonly number[];

  constructor(private readonly config: ReshapeSpec, readonly inputShape: readonly number[]) {
    super();
    if (sizeOf(config.shape) !== sizeOf(inputShape)) {
      throw new ShapeError(`reshape: cannot view examples of shape ${formatDims(inputShape)} (${sizeOf(inputShape)} values) as ${formatDims(config.shape)} (${sizeOf(config.shape)} values)`);
    }
    this.outputShape = [...config.shape];
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    return reshape(x, [x.shape[0], ...this.outputShape]);
  }

  spec(): ReshapeSpec {
    return { ...this.config };
  }
}
