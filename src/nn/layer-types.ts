/**
 * The layer types: every layer's spec in one zod discriminated union on `type`, and the class that
 * each type builds. A layer type is one file under nn/ plus an entry keyed by its type in each
 * table that serves layers:
 *
 * - here: its spec in `layerSpecSchema` and its class in `LAYER_CLASSES`;
 * - `nn/torch-names.ts`: the `nn.Sequential` modules it becomes (`TORCH_MODULES`);
 * - `models/layer-specs.ts`: how it is built and what it allocates (`LAYER_BUILDERS`);
 * - `models/mirror.ts`: what undoes it in a mirrored decoder (`MIRROR_RULES`);
 * - `export/onnx-graph.ts`: its ONNX nodes (`ONNX_EMITTERS`);
 * - `export/pytorch-code.ts`: its PyTorch modules (`PYTORCH_MODULES`).
 *
 * Each table is typed as one entry per `LayerType`, so adding a spec to the union below makes the
 * compiler name every table that lacks the new type.
 */
import { z } from 'zod';
import { ActivationLayer, activationSpec } from './activation.js';
import { BatchNorm, batchNormSpec } from './batch-norm.js';
import { Binarize, binarizeSpec } from './binarize.js';
import { Center, centerSpec, Uncenter, uncenterSpec } from './center.js';
import { Conv2d, conv2dSpec, ConvTranspose2d, convTranspose2dSpec } from './conv2d.js';
import { Dense, denseSpec } from './dense.js';
import { Dropout, dropoutSpec } from './dropout.js';
import { Flatten, flattenSpec } from './flatten.js';
import { Gaussian, gaussianSpec } from './gaussian.js';
import type { Layer } from './layer.js';
import { LayerNorm, layerNormSpec } from './layer-norm.js';
import { NoiseLayer, noiseLayerSpec } from './noise.js';
import { MaxPool2d, maxPool2dSpec, MaxUnpool2d, maxUnpool2dSpec } from './pool.js';
import { Reshape, reshapeSpec } from './reshape.js';
import { TiedDense, tiedDenseSpec } from './tied-dense.js';
import { Upsample, upsampleSpec } from './upsample.js';

/** Any layer's spec. */
export const layerSpecSchema = z.discriminatedUnion('type', [
  denseSpec, tiedDenseSpec, noiseLayerSpec, dropoutSpec, centerSpec, uncenterSpec, flattenSpec, reshapeSpec, activationSpec, binarizeSpec,
  conv2dSpec, convTranspose2dSpec, maxPool2dSpec, maxUnpool2dSpec, upsampleSpec, batchNormSpec,
  gaussianSpec, layerNormSpec,
]);

/** A layer spec as written (defaults left out). */
export type LayerSpecInput = z.input<typeof layerSpecSchema>;
/** A layer spec with defaults filled in. */
export type LayerSpec = z.output<typeof layerSpecSchema>;
/** The layer types. */
export type LayerType = LayerSpec['type'];
/** The spec of one layer type, defaults filled in. */
export type SpecOf<T extends LayerType> = Extract<LayerSpec, { type: T }>;

/** A layer class (abstract constructors included), whatever its constructor takes. */
type LayerClass = abstract new (...args: never[]) => Layer;

/** The class each layer type builds. */
export const LAYER_CLASSES = {
  dense: Dense,
  tied_dense: TiedDense,
  noise: NoiseLayer,
  dropout: Dropout,
  center: Center,
  uncenter: Uncenter,
  flatten: Flatten,
  reshape: Reshape,
  activation: ActivationLayer,
  binarize: Binarize,
  conv2d: Conv2d,
  conv_transpose2d: ConvTranspose2d,
  max_pool2d: MaxPool2d,
  max_unpool2d: MaxUnpool2d,
  upsample: Upsample,
  batch_norm: BatchNorm,
  gaussian: Gaussian,
  layer_norm: LayerNorm,
} as const satisfies { [T in LayerType]: LayerClass };

/** The layer a spec of type `T` builds. */
export type LayerOf<T extends LayerType> = InstanceType<(typeof LAYER_CLASSES)[T]>;

/**
 * The type of a layer built from a spec (one of aekit's classes for its `type`); null for any
 * other object implementing `Layer`, which the tables keyed by type know nothing of.
 * @example
 * layerTypeOf(new Flatten({ type: 'flatten' }, [1, 28, 28])); // 'flatten'
 */
export function layerTypeOf(layer: Layer): LayerType | null {
  if (!Object.hasOwn(LAYER_CLASSES, layer.type)) return null;
  const type = layer.type as LayerType;
  return layer instanceof LAYER_CLASSES[type] ? type : null;
}
