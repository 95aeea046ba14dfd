/**
 * Upsampling by whole factors (nearest or bilinear): the parameter-free way up for a
 * convolutional decoder, an alternative to transposed convolutions and their checkerboards.
 */
import { z } from 'zod';
import { ShapeError } from '../errors.js';
import { type Tensor, upsample } from '../tensor/index.js';
import { pair, pairSchema } from './conv2d.js';
import { type ForwardContext, StatelessLayer } from './layer.js';

/** The spec of an upsampling layer. */
export const upsampleSpec = z.object({
  type: z.literal('upsample'),
  name: z.string().optional(),
  /** Whole factors, one for both axes or [height, width]. */
  scale: pairSchema(1).default(2),
  mode: z.enum(['nearest', 'bilinear']).default('nearest'),
}).strict();

export type UpsampleSpec = z.output<typeof upsampleSpec>;

/**
 * Images [channels, h, w] to [channels, h · scale, w · scale].
 * @example
 * new Upsample(upsampleSpec.parse({ type: 'upsample', scale: 2, mode: 'bilinear' }), [8, 7, 7]).outputShape; // [8, 14, 14]
 */
export class Upsample extends StatelessLayer {
  readonly type = 'upsample';
  readonly outputShape: readonly number[];
  private readonly scale: [number, number];

  constructor(private readonly config: UpsampleSpec, readonly inputShape: readonly number[]) {
    super();
    if (inputShape.length !== 3) throw new ShapeError(`upsample: takes images [channels, height, width], got input [${inputShape.join(', ')}]`);
    this.scale = pair(config.scale);
    this.outputShape = [inputShape[0], inputShape[1] * this.scale[0], inputShape[2] * this.scale[1]];
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    return upsample(x, this.scale, this.config.mode);
  }

  spec(): UpsampleSpec {
    return { ...this.config };
  }
}
