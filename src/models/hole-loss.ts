/**
 * The extra weight a model trained with holes can put on the missing pixels: inpainting is scored
 * on the hole, while the plain reconstruction loss is mostly about the pixels the net was given
 * (context encoders weight their losses for the same reason; Pathak et al., CVPR 2016).
 */
import { NoiseLayer } from '../nn/noise.js';
import { HOLE_VALUE } from '../nn/holes.js';
import type { Sequential } from '../nn/sequential.js';
import { mul, Tensor } from '../tensor/index.js';
import type { OutputConfig } from './config.js';
import { reconstructionLoss } from './output.js';

/**
 * The index of the encoder's holes noise layer, whose output marks the missing pixels; −1 when it has none.
 * @example
 * holesLayerIndex(model.encoder); // 0 for the inpaint preset
 */
export function holesLayerIndex(encoder: Sequential): number {
  return encoder.layers.findIndex((layer) => layer instanceof NoiseLayer && layer.noise.kind === 'holes');
}

/**
 * weight · scale · Σ over the missing pixels of the reconstruction loss, the missing pixels being
 * those `noisy` (the holes layer's output) marks with HOLE_VALUE. Elsewhere the logits and the
 * target are zeroed, which leaves a constant (log 2 a pixel for cross-entropy) with no gradient:
 * the term's value is offset, its gradient is the hole's alone.
 * @example
 * const extra = holeLoss(logits, x, hidden[0], model.output, 1 / batch, 4);
 */
export function holeLoss(logits: Tensor, target: Tensor, noisy: Tensor, output: OutputConfig, scale: number, weight: number): Tensor {
  const mask = new Tensor(Float32Array.from(noisy.data, (v) => (v === HOLE_VALUE ? 1 : 0)), logits.shape);
  const hidden = new Tensor(Float32Array.from(target.data, (v, i) => v * mask.data[i]), logits.shape);
  return reconstructionLoss(mul(logits, mask), hidden, output, scale * weight);
}
