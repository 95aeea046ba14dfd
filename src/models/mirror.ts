/**
 * The mirror rules, in one place: the decoder that undoes a built encoder, layer by layer in
 * reverse. A dense layer mirrors to a dense layer (or a tied one, reading the encoder's weight
 * transposed) that restores its input size; flatten and reshape to the reshape back; center to
 * the uncenter that adds its mean back; noise, dropout, binarisation and stand-alone activations act on the way
 * in only and are not mirrored.
 *
 * Each mirrored dense layer restores a representation the encoder made, so it takes the
 * activation of the encoder layer that made it; the last restores the input itself and is
 * affine, because the model applies the output activation (and the loss reads its logits).
 */
import { UsageError } from '../errors.js';
import { Dense } from '../nn/dense.js';
import type { Sequential } from '../nn/sequential.js';
import type { LayerSpec } from './layer-specs.js';

/** How to mirror. */
export interface MirrorOptions {
  /** Mirror dense layers as tied dense layers (W* = Wᵀ). */
  tied?: boolean;
}

/**
 * The decoder specs that mirror `encoder`.
 * @example
 * mirror(encoder, { tied: true }); // [{ type: 'tied_dense', partner: 'encoder.1', … }, …]
 */
export function mirror(encoder: Sequential, options: MirrorOptions = {}): LayerSpec[] {
  const decoder: LayerSpec[] = [];
  const { layers } = encoder;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    const path = `${encoder.prefix}.${i}`;
    const spec = layer.spec() as LayerSpec;
    switch (spec.type) {
      case 'dense': {
        const maker = [...layers.slice(0, i)].reverse().find((l): l is Dense => l instanceof Dense);
        const activation = maker ? maker.activation : 'identity';
        const leakySlope = maker ? maker.leakySlope : spec.leakySlope;
        const biasRegularizer = spec.biasRegularizer ? { biasRegularizer: spec.biasRegularizer } : {};
        if (options.tied) {
          decoder.push({ type: 'tied_dense', partner: path, activation, leakySlope, ...biasRegularizer });
        } else {
          const kernelRegularizer = spec.kernelRegularizer ? { kernelRegularizer: spec.kernelRegularizer } : {};
          decoder.push({ type: 'dense', units: layer.inputShape[0], activation, leakySlope, init: spec.init, ...kernelRegularizer, ...biasRegularizer });
        }
        break;
      }
      case 'flatten':
      case 'reshape':
        decoder.push({ type: 'reshape', shape: [...layer.inputShape] });
        break;
      case 'center':
        decoder.push({ type: 'uncenter', partner: path });
        break;
      case 'noise':
      case 'dropout':
      case 'activation':
      case 'binarize':
        break;
      default:
        throw new UsageError(`${path} (${spec.type}): has no mirror; write the decoder's specs out instead of "mirror"`);
    }
  }
  return decoder;
}
