/**
 * The tied dense layer: a decoder layer whose weight is its encoder partner's, transposed
 * (W* = Wᵀ), with a bias of its own.
 */
import { z } from 'zod';
import type { Activation } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import { linear, Tensor } from '../tensor/index.js';
import { activationSchema, type Dense, leakySlopeSchema } from './dense.js';
import { expectVector, formatDims, type ForwardContext, type Layer, type NamedBuffer, type NamedParameter } from './layer.js';
import { activityPenalties, activityRegularizerSchema, l2Schema, sumTerms } from './regularizers.js';

/** The spec of a tied dense layer: its units are its partner's inputs. */
export const tiedDenseSpec = z.object({
  type: z.literal('tied_dense'),
  name: z.string().optional(),
  /** The dense layer whose weight this one reads transposed, by name (e.g. "encoder.3"). */
  partner: z.string(),
  activation: activationSchema.default('identity'),
  leakySlope: leakySlopeSchema,
  activityRegularizer: activityRegularizerSchema.optional(),
  biasRegularizer: l2Schema.optional(),
}).strict();

/** A tied dense layer's spec as written. */
export type TiedDenseSpecInput = z.input<typeof tiedDenseSpec>;
/** A tied dense layer's spec with defaults filled in. */
export type TiedDenseSpec = z.output<typeof tiedDenseSpec>;

/**
 * A decoder layer tied to `source`: h = act(x · W + c), where W is `source.weight` itself (not a
 * copy), so the one tensor receives the gradients of both uses and the optimizer updates it once.
 * @example
 * const enc = new Dense({ type: 'dense', units: 64, activation: 'sigmoid' }, [784], new Prng(1));
 * const dec = new TiedDense({ type: 'tied_dense', partner: 'encoder.0', activation: 'sigmoid' }, [64], enc);
 * const xHat = dec.forward(enc.forward(x, INFERENCE), INFERENCE); // [batch, 784]
 */
export class TiedDense implements Layer {
  readonly type = 'tied_dense';
  /** The decoder's own bias, one per output (the encoder's input size). */
  readonly bias: Tensor;
  readonly outputShape: readonly number[];
  private readonly config: TiedDenseSpec;

  /**
   * @param spec the layer's spec
   * @param inputShape one input example's shape: [partner's units]
   * @param source the encoder layer whose weight this layer reads transposed
   */
  constructor(spec: TiedDenseSpecInput, readonly inputShape: readonly number[], readonly source: Dense) {
    this.config = tiedDenseSpec.parse(spec);
    expectVector('tied_dense', inputShape);
    if (inputShape[0] !== source.outputs) {
      throw new ShapeError(`tied_dense: its partner ${this.config.partner} has ${source.outputs} units, so it takes examples of shape [${source.outputs}], got ${formatDims(inputShape)}`);
    }
    this.outputShape = [source.inputs];
    this.bias = Tensor.zeros([source.inputs], true);
  }

  get activation(): Activation {
    return this.config.activation;
  }

  /** The shared weight, in the encoder's [encoder outputs, encoder inputs] layout. */
  get sharedWeight(): Tensor {
    return this.source.weight;
  }

  /** act(x · W + c) for x of shape [batch, inputs]. */
  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    return linear(x, this.source.weight, this.bias, this.activation, this.config.leakySlope, true);
  }

  /** Only the bias: the weight belongs to (and is saved with) the encoder layer. */
  parameters(prefix: string): NamedParameter[] {
    return [{ name: `${prefix}.bias`, tensor: this.bias, kind: 'bias', l2: this.config.biasRegularizer?.l2 ?? 0 }];
  }

  buffers(): NamedBuffer[] {
    return [];
  }

  spec(): TiedDenseSpec {
    return { ...this.config };
  }

  penalty(output: Tensor): Tensor | null {
    return sumTerms(activityPenalties(output, this.config.activityRegularizer));
  }
}
