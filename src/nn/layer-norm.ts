/**
 * Layer normalisation (Ba, Kiros & Hinton 2016): each example standardised by its own mean and
 * variance over all of its features, then scaled and shifted per feature by a learned gain and
 * bias. It uses no batch statistics, so training and inference compute the same function and a
 * batch of one is normalised as well as a batch of many: what tabular autoencoders, with their
 * features on unlike scales and small batches, ask for.
 *
 * It is a composite of primitives (means, elementwise arithmetic, a square root), so its gradient
 * comes from theirs and it runs on every backend unchanged.
 */
import { z } from 'zod';
import { add, addScalar, div, mean, mul, sizeOf, sqrt, square, sub, Tensor } from '../tensor/index.js';
import { type ForwardContext, type Layer, type NamedBuffer, type NamedParameter, weightAndBias } from './layer.js';

/** The spec of a layer normalisation layer. */
export const layerNormSpec = z.object({
  type: z.literal('layer_norm'),
  name: z.string().optional(),
  /** Added to the variance before its square root (PyTorch's default). */
  eps: z.number().gt(0).default(1e-5),
}).strict();

export type LayerNormSpec = z.output<typeof layerNormSpec>;

/**
 * gain ⊙ (x − mean(x)) / √(var(x) + eps) + bias for each example x of `inputShape` (vectors or
 * images), the mean and the biased variance taken over the whole example, gain and bias of the
 * example's shape: PyTorch's `nn.LayerNorm(inputShape)`.
 * @example
 * const y = layerNorm(x, gain, bias, 1e-5); // x [batch, 16]: each row standardised, then gain·row + bias
 */
export function layerNorm(x: Tensor, gain: Tensor, bias: Tensor, eps: number): Tensor {
  const features = Array.from({ length: x.shape.length - 1 }, (_, i) => i + 1);
  const centred = sub(x, mean(x, features, true));
  const deviation = sqrt(addScalar(mean(square(centred), features, true), eps));
  return add(mul(div(centred, deviation), gain), bias);
}

/**
 * Layer normalisation over examples of any shape.
 * @example
 * const ln = new LayerNorm(layerNormSpec.parse({ type: 'layer_norm' }), [64]);
 * ln.forward(x, INFERENCE); // each example standardised, then scaled by ln.gain and shifted by ln.bias
 */
export class LayerNorm implements Layer {
  readonly type = 'layer_norm';
  readonly outputShape: readonly number[];
  /** The scale per feature, starting at 1 (PyTorch's `weight`). */
  readonly gain: Tensor;
  /** The shift per feature, starting at 0. */
  readonly bias: Tensor;

  constructor(private readonly config: LayerNormSpec, readonly inputShape: readonly number[]) {
    this.outputShape = inputShape;
    this.gain = Tensor.from(new Float32Array(sizeOf(inputShape)).fill(1), [...inputShape], true);
    this.bias = Tensor.zeros([...inputShape], true);
  }

  forward(x: Tensor, _ctx?: ForwardContext): Tensor {
    return layerNorm(x, this.gain, this.bias, this.config.eps);
  }

  /** The gain and bias, named as PyTorch's LayerNorm names them (`weight`, `bias`). */
  parameters(prefix: string): NamedParameter[] {
    return weightAndBias(prefix, this.gain, this.bias);
  }

  buffers(_prefix: string): NamedBuffer[] {
    return [];
  }

  spec(): LayerNormSpec {
    return { ...this.config };
  }

  penalty(_output: Tensor): Tensor | null {
    return null;
  }
}
