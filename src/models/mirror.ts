/**
 * The mirror rules, in one table keyed by layer type: the decoder that undoes a built encoder,
 * layer by layer in reverse. A dense layer mirrors to a dense layer (or a tied one, reading the
 * encoder's weight transposed) that restores its input size; a convolution to the transposed
 * convolution with its geometry and the output padding that restores its input size; max pooling
 * to the max unpooling that reads its indices (SegNet's decoder); batch and layer normalisation to
 * the same normalisation at the same place; flatten and reshape to the reshape back; center to the
 * uncenter that adds its mean back; a Gaussian code to the dense layer that maps z back to its
 * input size; noise, dropout, binarisation and stand-alone activations act on the way in only and
 * are not mirrored.
 *
 * Each mirrored dense or convolutional layer restores a representation the encoder made, so it
 * takes the activation of the encoder layer that made it; the last restores the input itself
 * and is affine, because the model applies the output activation (and the loss reads its logits).
 */
import { UsageError } from '../errors.js';
import { Conv2d, pair } from '../nn/conv2d.js';
import { Dense } from '../nn/dense.js';
import type { LayerOf, LayerSpec, LayerType, SpecOf } from '../nn/layer-types.js';
import type { Sequential } from '../nn/sequential.js';
import { convTransposeOutputSize } from '../tensor/index.js';

/** How to mirror. */
export interface MirrorOptions {
  /** Mirror dense layers as tied dense layers (W* = Wᵀ). */
  tied?: boolean;
}

/** What a rule knows besides the layer: its place, the options, and the encoder layer that made the layer's input. */
interface MirrorPlace {
  /** The layer's path (encoder.3), which partner layers name. */
  path: string;
  options: MirrorOptions;
  /** The nearest dense or convolution layer before it, whose activation the mirrored layer restores; undefined when none. */
  maker: Dense | Conv2d | undefined;
}

/** The decoder specs that undo one encoder layer (none for a layer that acts on the way in only). */
type MirrorRule<T extends LayerType> = (spec: SpecOf<T>, layer: LayerOf<T>, place: MirrorPlace) => LayerSpec[];

const notMirrored = (): LayerSpec[] => [];

/** The activation the mirrored layer restores: the one of the encoder layer that made this layer's input. */
const activationOf = (place: MirrorPlace) => (place.maker ? place.maker.activation : 'identity');

/** Each layer type's mirror rule; null for the types that have no mirror (decoder layers themselves). */
const MIRROR_RULES: { [T in LayerType]: MirrorRule<T> | null } = {
  dense: (spec, layer, place) => {
    const activation = activationOf(place);
    const leakySlope = place.maker ? place.maker.leakySlope : spec.leakySlope;
    const biasRegularizer = spec.biasRegularizer ? { biasRegularizer: spec.biasRegularizer } : {};
    if (place.options.tied) return [{ type: 'tied_dense', partner: place.path, activation, leakySlope, ...biasRegularizer }];
    const kernelRegularizer = spec.kernelRegularizer ? { kernelRegularizer: spec.kernelRegularizer } : {};
    return [{ type: 'dense', units: layer.inputShape[0], activation, leakySlope, init: spec.init, ...kernelRegularizer, ...biasRegularizer }];
  },
  conv2d: (spec, layer, place) => {
    // The transposed convolution with the same geometry, and the output padding that gives
    // back exactly this layer's input size (a strided convolution maps several sizes to one).
    const [, h, w] = layer.inputShape;
    const [, oh, ow] = layer.outputShape;
    const [kh, kw] = pair(spec.kernel);
    const [sh, sw] = pair(spec.stride);
    const [ph, pw] = pair(spec.padding);
    const [dh, dw] = pair(spec.dilation);
    const outputPadding: [number, number] = [h - convTransposeOutputSize(oh, kh, sh, ph, 0, dh), w - convTransposeOutputSize(ow, kw, sw, pw, 0, dw)];
    return [{
      type: 'conv_transpose2d', filters: layer.inputShape[0], kernel: spec.kernel, stride: spec.stride, padding: spec.padding,
      dilation: spec.dilation, groups: spec.groups, outputPadding, activation: activationOf(place), leakySlope: place.maker ? place.maker.leakySlope : spec.leakySlope, init: spec.init,
      ...(spec.kernelRegularizer ? { kernelRegularizer: spec.kernelRegularizer } : {}), ...(spec.biasRegularizer ? { biasRegularizer: spec.biasRegularizer } : {}),
    }];
  },
  // The decoder network of p(x | z): from the code back to the size of the layer's input.
  gaussian: (spec, layer, place) => [{ type: 'dense', units: layer.inputShape[0], activation: activationOf(place), leakySlope: place.maker ? place.maker.leakySlope : 0.01, init: spec.init }],
  max_pool2d: (_spec, _layer, place) => [{ type: 'max_unpool2d', partner: place.path }],
  batch_norm: (spec) => [{ type: 'batch_norm', momentum: spec.momentum, eps: spec.eps }],
  layer_norm: (spec) => [{ type: 'layer_norm', eps: spec.eps }],
  flatten: (_spec, layer) => [{ type: 'reshape', shape: [...layer.inputShape] }],
  reshape: (_spec, layer) => [{ type: 'reshape', shape: [...layer.inputShape] }],
  center: (_spec, _layer, place) => [{ type: 'uncenter', partner: place.path }],
  noise: notMirrored,
  dropout: notMirrored,
  activation: notMirrored,
  binarize: notMirrored,
  tied_dense: null,
  uncenter: null,
  conv_transpose2d: null,
  max_unpool2d: null,
  upsample: null,
};

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
    const maker = [...layers.slice(0, i)].reverse().find((l): l is Dense | Conv2d => l instanceof Dense || l instanceof Conv2d);
    const rule = Object.hasOwn(MIRROR_RULES, spec.type) ? MIRROR_RULES[spec.type] as MirrorRule<LayerType> | null : null;
    if (!rule) throw new UsageError(`${path} (${spec.type}): has no mirror; write the decoder's specs out instead of "mirror"`);
    decoder.push(...rule(spec, layer as LayerOf<LayerType>, { path, options, maker }));
  }
  return decoder;
}
