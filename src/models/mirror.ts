/**
 * The mirror rules, in one place: the decoder that undoes a built encoder, layer by layer in
 * reverse. A dense layer mirrors to a dense layer (or a tied one, reading the encoder's weight
 * transposed) that restores its input size; a convolution to the transposed convolution with
 * its geometry and the output padding that restores its input size; max pooling to the max
 * unpooling that reads its indices (SegNet's decoder); batch normalisation to batch
 * normalisation of the same shape; flatten and reshape to the reshape back; center to the
 * uncenter that adds its mean back; a Gaussian code to the dense layer that maps z back to its input size; noise, dropout, binarisation and stand-alone activations act
 * on the way in only and are not mirrored.
 *
 * Each mirrored dense or convolutional layer restores a representation the encoder made, so it
 * takes the activation of the encoder layer that made it; the last restores the input itself
 * and is affine, because the model applies the output activation (and the loss reads its logits).
 */
import { UsageError } from '../errors.js';
import { Conv2d, pair } from '../nn/conv2d.js';
import { Dense } from '../nn/dense.js';
import { convTransposeOutputSize } from '../tensor/index.js';
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
    // The activation of the encoder layer that made this layer's input, which the mirrored layer restores.
    const maker = [...layers.slice(0, i)].reverse().find((l): l is Dense | Conv2d => l instanceof Dense || l instanceof Conv2d);
    const activation = maker ? maker.activation : 'identity';
    switch (spec.type) {
      case 'dense': {
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
      case 'conv2d': {
        // The transposed convolution with the same geometry, and the output padding that gives
        // back exactly this layer's input size (a strided convolution maps several sizes to one).
        const [, h, w] = layer.inputShape;
        const [, oh, ow] = layer.outputShape;
        const [kh, kw] = pair(spec.kernel);
        const [sh, sw] = pair(spec.stride);
        const [ph, pw] = pair(spec.padding);
        const [dh, dw] = pair(spec.dilation);
        const outputPadding: [number, number] = [h - convTransposeOutputSize(oh, kh, sh, ph, 0, dh), w - convTransposeOutputSize(ow, kw, sw, pw, 0, dw)];
        decoder.push({
          type: 'conv_transpose2d', filters: layer.inputShape[0], kernel: spec.kernel, stride: spec.stride, padding: spec.padding,
          dilation: spec.dilation, groups: spec.groups, outputPadding, activation, leakySlope: maker ? maker.leakySlope : spec.leakySlope, init: spec.init,
          ...(spec.kernelRegularizer ? { kernelRegularizer: spec.kernelRegularizer } : {}), ...(spec.biasRegularizer ? { biasRegularizer: spec.biasRegularizer } : {}),
        });
        break;
      }
      case 'gaussian':
        // The decoder network of p(x | z): from the code back to the size of the layer's input.
        decoder.push({ type: 'dense', units: layer.inputShape[0], activation, leakySlope: maker ? maker.leakySlope : 0.01, init: spec.init });
        break;
      case 'max_pool2d':
        decoder.push({ type: 'max_unpool2d', partner: path });
        break;
      case 'batch_norm':
        decoder.push({ type: 'batch_norm', momentum: spec.momentum, eps: spec.eps });
        break;
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
