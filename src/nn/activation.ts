/**
 * An activation on its own, for where a layer's output must be transformed after something else
 * acted on it: the code of a semantic-hashing autoencoder is dense → noise → sigmoid, so that the
 * noise pushes the sigmoid's inputs away from 0 and its outputs towards 0 or 1.
 */
import { z } from 'zod';
import { type Tensor, unary } from '../tensor/index.js';
import { activationSchema, leakySlopeSchema } from './dense.js';
import { type ForwardContext, StatelessLayer } from './layer.js';

/** The spec of an activation layer. */
export const activationSpec = z.object({
  type: z.literal('activation'),
  name: z.string().optional(),
  activation: activationSchema,
  leakySlope: leakySlopeSchema,
}).strict();

export type ActivationSpec = z.output<typeof activationSpec>;

/**
 * act(x), elementwise.
 * @example
 * new ActivationLayer({ type: 'activation', activation: 'sigmoid', leakySlope: 0.01 }, [32]).forward(x);
 */
export class ActivationLayer extends StatelessLayer {
  readonly type = 'activation';
  readonly outputShape: readonly number[];

  constructor(private readonly config: ActivationSpec, readonly inputShape: readonly number[]) {
    super();
    this.outputShape = inputShape;
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    const { activation, leakySlope } = this.config;
    return activation === 'identity' ? x : unary(activation, x, leakySlope);
  }

  spec(): ActivationSpec {
    return { ...this.config };
  }
}
