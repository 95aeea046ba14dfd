/**
 * Layer specs: the JSON form of every layer, one zod discriminated union on `type`, and the
 * builder that turns a list of specs into layers with their shapes inferred, so a bad stack fails
 * when it is built with the layer's place, type and sizes in the message. A new layer type is one
 * file under nn/ plus its entries here (schema and builder).
 */
import { z } from 'zod';
import { AekitError, UsageError } from '../errors.js';
import { ActivationLayer, activationSpec } from '../nn/activation.js';
import { Center, centerSpec, Uncenter, uncenterSpec } from '../nn/center.js';
import { Dense, denseSpec } from '../nn/dense.js';
import { BatchNorm, batchNormSpec } from '../nn/batch-norm.js';
import { Binarize, binarizeSpec } from '../nn/binarize.js';
import { Conv2d, conv2dSpec, ConvTranspose2d, convTranspose2dSpec } from '../nn/conv2d.js';
import { MaxPool2d, maxPool2dSpec, MaxUnpool2d, maxUnpool2dSpec } from '../nn/pool.js';
import { Upsample, upsampleSpec } from '../nn/upsample.js';
import { Dropout, dropoutSpec } from '../nn/dropout.js';
import { Flatten, flattenSpec } from '../nn/flatten.js';
import { Gaussian, gaussianSpec } from '../nn/gaussian.js';
import { formatDims, type Layer } from '../nn/layer.js';
import { NoiseLayer, noiseLayerSpec } from '../nn/noise.js';
import { Reshape, reshapeSpec } from '../nn/reshape.js';
import { Sequential } from '../nn/sequential.js';
import { TiedDense, tiedDenseSpec } from '../nn/tied-dense.js';
import { sizeOf } from '../tensor/index.js';
import type { Prng } from '../util/prng.js';

/** Any layer's spec. */
export const layerSpecSchema = z.discriminatedUnion('type', [
  denseSpec, tiedDenseSpec, noiseLayerSpec, dropoutSpec, centerSpec, uncenterSpec, flattenSpec, reshapeSpec, activationSpec, binarizeSpec,
  conv2dSpec, convTranspose2dSpec, maxPool2dSpec, maxUnpool2dSpec, upsampleSpec, batchNormSpec,
  gaussianSpec,
]);

/** A layer spec as written (defaults left out). */
export type LayerSpecInput = z.input<typeof layerSpecSchema>;
/** A layer spec with defaults filled in. */
export type LayerSpec = z.output<typeof layerSpecSchema>;
/** The layer types. */
export type LayerType = LayerSpec['type'];

/** What building needs besides a spec: the generator for initial weights, and the layers built so far by name. */
export interface BuildContext {
  rng: Prng;
  /** Layers by path ("encoder.3") and by their spec's `name`, for partners (tied weights, centring). */
  byName: Map<string, Layer>;
  /**
   * The most parameter values the whole model may have, checked before each layer allocates
   * (a model read back from a file can have no more than the file holds); none when absent.
   */
  maxParameters?: number;
  /** Parameter values allocated so far. */
  parameters?: number;
}

type Builder<T extends LayerType> = (spec: Extract<LayerSpec, { type: T }>, inputShape: readonly number[], ctx: BuildContext) => Layer;

const BUILDERS: { [T in LayerType]: Builder<T> } = {
  dense: (spec, shape, ctx) => new Dense(spec, shape, ctx.rng),
  tied_dense: (spec, shape, ctx) => new TiedDense(spec, shape, partner(ctx, spec.partner, Dense, 'dense')),
  noise: (spec, shape) => new NoiseLayer(spec, shape),
  dropout: (spec, shape) => new Dropout(spec, shape),
  center: (spec, shape) => new Center(spec, shape),
  uncenter: (spec, shape, ctx) => new Uncenter(spec, shape, partner(ctx, spec.partner, Center, 'center')),
  flatten: (spec, shape) => new Flatten(spec, shape),
  reshape: (spec, shape) => new Reshape(spec, shape),
  activation: (spec, shape) => new ActivationLayer(spec, shape),
  binarize: (spec, shape) => new Binarize(spec, shape),
  conv2d: (spec, shape, ctx) => new Conv2d(spec, shape, ctx.rng),
  conv_transpose2d: (spec, shape, ctx) => new ConvTranspose2d(spec, shape, ctx.rng),
  max_pool2d: (spec, shape) => new MaxPool2d(spec, shape),
  max_unpool2d: (spec, shape, ctx) => new MaxUnpool2d(spec, shape, partner(ctx, spec.partner, MaxPool2d, 'max_pool2d')),
  upsample: (spec, shape) => new Upsample(spec, shape),
  batch_norm: (spec, shape) => new BatchNorm(spec, shape),
  gaussian: (spec, shape, ctx) => new Gaussian(spec, shape, ctx.rng),
};

/** The parameter values a layer of `spec` on inputs of `shape` allocates, known before it does. */
function parameterCost(spec: LayerSpec, shape: readonly number[]): number {
  const taps = (kernel: number | readonly [number, number]) => (typeof kernel === 'number' ? kernel * kernel : kernel[0] * kernel[1]);
  switch (spec.type) {
    case 'dense': return spec.units * (sizeOf(shape) + 1);
    case 'conv2d':
    case 'conv_transpose2d': return (spec.filters * (shape[0] ?? 0) * taps(spec.kernel)) / spec.groups + spec.filters;
    case 'batch_norm': return 2 * (shape[0] ?? 0);
    case 'gaussian': return 2 * spec.units * (sizeOf(shape) + 1);
    default: return 0;
  }
}

function partner<T extends Layer>(ctx: BuildContext, name: string, kind: abstract new (...args: never[]) => T, type: string): T {
  const found = ctx.byName.get(name);
  if (!found) throw new UsageError(`its partner "${name}" is not a layer built before it (expected e.g. "encoder.0" or a layer's "name")`);
  if (!(found instanceof kind)) throw new UsageError(`its partner "${name}" is a ${found.type} layer, expected ${type}`);
  return found;
}

/**
 * Validates `specs` and builds them in order from `inputShape`, naming layer i `<prefix>.i`.
 * @throws UsageError naming the layer ("encoder.2 (dense)") and the sizes it was given
 * @example
 * const encoder = buildStack('encoder', [{ type: 'dense', units: 30 }], [784], { rng: new Prng(0), byName: new Map() });
 */
export function buildStack(prefix: string, specs: readonly LayerSpecInput[], inputShape: readonly number[], ctx: BuildContext): Sequential {
  const layers: Layer[] = [];
  let shape = inputShape;
  specs.forEach((input, i) => {
    const path = `${prefix}.${i}`;
    const parsed = layerSpecSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`${path}: ${[...issue.path].join('.') || 'spec'}: ${issue.message}`);
    }
    const spec = parsed.data;
    const cost = parameterCost(spec, shape);
    if (ctx.maxParameters !== undefined && (ctx.parameters ?? 0) + cost > ctx.maxParameters) {
      throw new UsageError(`${path} (${spec.type}): its ${cost} parameters would give the model more than the ${ctx.maxParameters} values there are for it`);
    }
    let layer: Layer;
    try {
      layer = (BUILDERS[spec.type] as Builder<LayerType>)(spec, shape, ctx);
    } catch (error) {
      if (!(error instanceof AekitError)) throw error;
      throw new UsageError(`${path} (${spec.type}, input ${formatDims(shape)}): ${error.message.replace(new RegExp(`^${spec.type}: `), '')}`);
    }
    ctx.byName.set(path, layer);
    if (spec.name) {
      if (ctx.byName.has(spec.name)) throw new UsageError(`${path}: the name "${spec.name}" is taken by another layer`);
      ctx.byName.set(spec.name, layer);
    }
    layers.push(layer);
    ctx.parameters = (ctx.parameters ?? 0) + layer.parameters(path).reduce((n, p) => n + p.tensor.size, 0);
    shape = layer.outputShape;
  });
  return new Sequential(prefix, inputShape, layers);
}
