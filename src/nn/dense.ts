/**
 * The dense layer h = act(x · Wᵀ + b), with W stored [out, in] as nn.Linear stores it, and the
 * regularizers that attach to it: activity penalties on its output (KL sparsity, L1), the
 * contractive penalty on its Jacobian, and L2 on its kernel and bias.
 */
import { z } from 'zod';
import { type Activation, ACTIVATIONS } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import { linear, Tensor } from '../tensor/index.js';
import type { Prng } from '../util/prng.js';
import { INIT_SCHEMES, initWeight, type InitScheme } from './init.js';
import { expectVector, type ForwardContext, type Layer, type NamedBuffer, type NamedParameter, weightAndBias } from './layer.js';
import { activityPenalties, activityRegularizerSchema, contractivePenalty, l2Schema, sumTerms } from './regularizers.js';

/** The most values one layer's weight may hold: 2^28 float32s, 1 GiB. */
export const MAX_WEIGHT_VALUES = 2 ** 28;

/** The activations a layer can apply. */
export const activationSchema = z.enum(ACTIVATIONS as unknown as [Activation, ...Activation[]]);

/** The leaky relu's slope for negative inputs, shared by the layers that take an activation. */
export const leakySlopeSchema = z.number().min(0).max(1).default(0.01);

/** The spec of a dense layer. */
export const denseSpec = z.object({
  type: z.literal('dense'),
  name: z.string().optional(),
  /** Number of units (outputs). */
  units: z.number().int().positive().max(1 << 24),
  activation: activationSchema.default('identity'),
  leakySlope: leakySlopeSchema,
  /** How the weight is drawn; the bias starts at zero. */
  init: z.enum(INIT_SCHEMES as unknown as [InitScheme, ...InitScheme[]]).default('xavier-uniform'),
  /** Penalties on the layer's output: KL sparsity (needs a sigmoid), L1 activity. */
  activityRegularizer: activityRegularizerSchema.optional(),
  /** λ of the contractive penalty λ‖∂h/∂x‖²_F on this layer's Jacobian. */
  contractive: z.number().min(0).optional(),
  /** Coupled L2 on the weight: λ‖W‖², applied by the optimizer as its gradient 2λW. */
  kernelRegularizer: l2Schema.optional(),
  /** Coupled L2 on the bias. */
  biasRegularizer: l2Schema.optional(),
}).strict().superRefine((spec, ctx) => {
  if (spec.activityRegularizer?.kl && spec.activation !== 'sigmoid') {
    ctx.addIssue({ code: 'custom', path: ['activityRegularizer', 'kl'], message: 'the KL sparsity penalty needs activation "sigmoid": ρ̂ must be a mean activation in (0, 1)' });
  }
});

/** A dense layer's spec as written (defaults left out). */
export type DenseSpecInput = z.input<typeof denseSpec>;
/** A dense layer's spec with defaults filled in. */
export type DenseSpec = z.output<typeof denseSpec>;

/**
 * A fully connected layer.
 * @example
 * const layer = new Dense({ type: 'dense', units: 64, activation: 'sigmoid' }, [784], new Prng(1));
 * const h = layer.forward(x, INFERENCE); // [batch, 64]
 */
export class Dense implements Layer {
  readonly type = 'dense';
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly outputShape: readonly number[];
  private readonly config: DenseSpec;

  /**
   * @param spec the layer's spec (validated or not: defaults are filled in here)
   * @param inputShape the shape of one input example: [features]
   * @param rng draws the initial weight
   */
  constructor(spec: DenseSpecInput, readonly inputShape: readonly number[], rng: Prng) {
    this.config = denseSpec.parse(spec);
    expectVector('dense', inputShape);
    const [inputs] = inputShape;
    const outputs = this.config.units;
    if (inputs * outputs > MAX_WEIGHT_VALUES) {
      throw new ShapeError(`dense: a weight of ${outputs} × ${inputs} = ${(inputs * outputs).toExponential(2)} values (${(inputs * outputs * 4 / 2 ** 30).toFixed(1)} GiB) is more than one layer may hold (${MAX_WEIGHT_VALUES} values, 1 GiB)`);
    }
    this.outputShape = [outputs];
    this.weight = Tensor.zeros([outputs, inputs], true);
    this.bias = Tensor.zeros([outputs], true);
    initWeight(this.weight.data, inputs, outputs, this.config.init, rng);
  }

  get activation(): Activation {
    return this.config.activation;
  }

  get leakySlope(): number {
    return this.config.leakySlope;
  }

  /** Size of each input row. */
  get inputs(): number {
    return this.inputShape[0];
  }

  /** Number of units. */
  get outputs(): number {
    return this.config.units;
  }

  /** act(x · Wᵀ + b) for x of shape [batch, inputs]. */
  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    return linear(x, this.weight, this.bias, this.activation, this.leakySlope);
  }

  parameters(prefix: string): NamedParameter[] {
    return weightAndBias(prefix, this.weight, this.bias, { kernel: this.config.kernelRegularizer?.l2, bias: this.config.biasRegularizer?.l2 });
  }

  buffers(): NamedBuffer[] {
    return [];
  }

  spec(): DenseSpec {
    return { ...this.config };
  }

  penalty(output: Tensor): Tensor | null {
    const terms = activityPenalties(output, this.config.activityRegularizer);
    if (this.config.contractive) terms.push(contractivePenalty(output, this.weight, this.activation, this.config.contractive, this.leakySlope));
    return sumTerms(terms);
  }
}
