/**
 * Convolutional layers over images [channels, height, width]: the convolution act(W ∗ x + b),
 * and the transposed convolution that a convolutional decoder climbs back up with. Weights are
 * laid out as PyTorch's Conv2d ([out, in / groups, kh, kw]) and ConvTranspose2d ([in, out /
 * groups, kh, kw]) lay them out.
 */
import { z } from 'zod';
import type { Activation } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import { conv2d, type ConvOptions, convOutputSize, convTranspose2d, convTransposeOutputSize, Tensor, unary } from '../tensor/index.js';
import type { Prng } from '../util/prng.js';
import { activationSchema, leakySlopeSchema, MAX_WEIGHT_VALUES } from './dense.js';
import { INIT_SCHEMES, initWeight, type InitScheme } from './init.js';
import { type ForwardContext, type Layer, type NamedBuffer, type NamedParameter, weightAndBias } from './layer.js';
import { l2Schema } from './regularizers.js';

/** A size per spatial axis: one number for both, or [height, width]. */
export const pairSchema = (min: number) => {
  const size = z.number().int().min(min).max(1 << 12);
  return z.union([size, z.tuple([size, size])]);
};

/** [height, width] from a pair spec. */
export function pair(value: number | readonly [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : [value[0], value[1]];
}

const common = {
  name: z.string().optional(),
  /** Output channels. */
  filters: z.number().int().positive().max(1 << 16),
  kernel: pairSchema(1),
  stride: pairSchema(1).default(1),
  padding: pairSchema(0).default(0),
  dilation: pairSchema(1).default(1),
  /** Channels split into this many groups, each convolved on its own (both channel counts must divide by it). */
  groups: z.number().int().positive().default(1),
  activation: activationSchema.default('identity'),
  leakySlope: leakySlopeSchema,
  /** How the weight is drawn (fan-in = input channels per group × kernel taps); the bias starts at zero. */
  init: z.enum(INIT_SCHEMES as unknown as [InitScheme, ...InitScheme[]]).default('he-normal'),
  kernelRegularizer: l2Schema.optional(),
  biasRegularizer: l2Schema.optional(),
};

/** The spec of a convolution layer. */
export const conv2dSpec = z.object({ type: z.literal('conv2d'), ...common }).strict();
/** The spec of a transposed convolution layer. */
export const convTranspose2dSpec = z.object({
  type: z.literal('conv_transpose2d'),
  ...common,
  /** Added to one side of the output: picks among the input sizes that a strided convolution maps to one output size. */
  outputPadding: pairSchema(0).default(0),
}).strict();

export type Conv2dSpec = z.output<typeof conv2dSpec>;
export type ConvTranspose2dSpec = z.output<typeof convTranspose2dSpec>;

/** Checks that an input shape is an image [channels, height, width] whose channels divide into the groups. */
function expectImage(layer: string, inputShape: readonly number[], groups: number, filters: number): [number, number, number] {
  if (inputShape.length !== 3) {
    throw new ShapeError(`${layer}: takes images [channels, height, width], got input [${inputShape.join(', ')}]; put a reshape layer before it`);
  }
  const [c, h, w] = inputShape;
  if (c % groups !== 0 || filters % groups !== 0) {
    throw new ShapeError(`${layer}: ${c} input channels and ${filters} filters must both divide into ${groups} groups`);
  }
  return [c, h, w];
}

/** What both convolutional layers share: a weight, a bias, an activation after. */
abstract class ConvLayerBase<S extends Conv2dSpec | ConvTranspose2dSpec> implements Layer {
  abstract readonly type: S['type'];
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly outputShape: readonly number[];
  protected readonly options: ConvOptions;

  protected constructor(protected readonly config: S, readonly inputShape: readonly number[], weightShape: number[], outputShape: number[], rng: Prng) {
    this.options = { stride: pair(config.stride), padding: pair(config.padding), dilation: pair(config.dilation), groups: config.groups };
    if (outputShape[1] < 1 || outputShape[2] < 1) {
      throw new ShapeError(`${config.type}: input [${inputShape.join(', ')}] gives no output with kernel [${pair(config.kernel).join(', ')}], stride [${this.options.stride.join(', ')}], padding [${this.options.padding.join(', ')}]`);
    }
    const values = weightShape.reduce((a, b) => a * b, 1);
    if (values > MAX_WEIGHT_VALUES) {
      throw new ShapeError(`${config.type}: a weight [${weightShape.join(', ')}] of ${values.toExponential(2)} values is more than one layer may hold (${MAX_WEIGHT_VALUES} values, 1 GiB)`);
    }
    this.outputShape = outputShape;
    this.weight = Tensor.zeros(weightShape, true);
    this.bias = Tensor.zeros([config.filters], true);
    // Fans as PyTorch counts them for both layouts: the weight's second and first axes times the taps.
    const taps = weightShape[2] * weightShape[3];
    initWeight(this.weight.data, weightShape[1] * taps, weightShape[0] * taps, config.init, rng);
  }

  get activation(): Activation {
    return this.config.activation;
  }

  get leakySlope(): number {
    return this.config.leakySlope;
  }

  abstract forward(x: Tensor, ctx?: ForwardContext): Tensor;

  parameters(prefix: string): NamedParameter[] {
    return weightAndBias(prefix, this.weight, this.bias, { kernel: this.config.kernelRegularizer?.l2, bias: this.config.biasRegularizer?.l2 });
  }

  buffers(): NamedBuffer[] {
    return [];
  }

  spec(): S {
    return { ...this.config };
  }

  penalty(): Tensor | null {
    return null;
  }
}

/**
 * A 2-d convolution: act(W ∗ x + b) for images x [channels, height, width].
 * @example
 * const conv = new Conv2d(conv2dSpec.parse({ type: 'conv2d', filters: 16, kernel: 3, stride: 2, padding: 1 }), [1, 28, 28], new Prng(1));
 * conv.outputShape; // [16, 14, 14]
 */
export class Conv2d extends ConvLayerBase<Conv2dSpec> {
  readonly type = 'conv2d';

  constructor(config: Conv2dSpec, inputShape: readonly number[], rng: Prng) {
    const [c, h, w] = expectImage('conv2d', inputShape, config.groups, config.filters);
    const [kh, kw] = pair(config.kernel);
    const [sh, sw] = pair(config.stride);
    const [ph, pw] = pair(config.padding);
    const [dh, dw] = pair(config.dilation);
    super(config, inputShape, [config.filters, c / config.groups, kh, kw],
      [config.filters, convOutputSize(h, kh, sh, ph, dh), convOutputSize(w, kw, sw, pw, dw)], rng);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options, this.activation, this.leakySlope);
  }
}

/**
 * A 2-d transposed convolution: the gradient of a convolution with respect to its input, run
 * forward, so that strided layers grow the image back.
 * @example
 * const up = new ConvTranspose2d(convTranspose2dSpec.parse({ type: 'conv_transpose2d', filters: 1, kernel: 3, stride: 2, padding: 1, outputPadding: 1 }), [16, 14, 14], new Prng(1));
 * up.outputShape; // [1, 28, 28]
 */
export class ConvTranspose2d extends ConvLayerBase<ConvTranspose2dSpec> {
  readonly type = 'conv_transpose2d';
  private readonly outputPadding: [number, number];

  constructor(config: ConvTranspose2dSpec, inputShape: readonly number[], rng: Prng) {
    const [c, h, w] = expectImage('conv_transpose2d', inputShape, config.groups, config.filters);
    const [kh, kw] = pair(config.kernel);
    const [sh, sw] = pair(config.stride);
    const [ph, pw] = pair(config.padding);
    const [dh, dw] = pair(config.dilation);
    const [oph, opw] = pair(config.outputPadding);
    if (oph >= Math.max(sh, dh) || opw >= Math.max(sw, dw)) {
      throw new ShapeError(`conv_transpose2d: output padding [${oph}, ${opw}] must be smaller than the stride or the dilation on each axis`);
    }
    super(config, inputShape, [c, config.filters / config.groups, kh, kw],
      [config.filters, convTransposeOutputSize(h, kh, sh, ph, oph, dh), convTransposeOutputSize(w, kw, sw, pw, opw, dw)], rng);
    this.outputPadding = [oph, opw];
  }

  forward(x: Tensor): Tensor {
    // Its forward pass is the convolution's input gradient, which has no fused activation.
    const z = convTranspose2d(x, this.weight, this.bias, { ...this.options, outputPadding: this.outputPadding });
    return this.activation === 'identity' ? z : unary(this.activation, z, this.leakySlope);
  }
}
