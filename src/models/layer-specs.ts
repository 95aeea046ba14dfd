/**
 * Building layers from specs: each layer type's builder (and the parameter values it will
 * allocate, known before it does), and `buildStack`, which validates a list of specs and builds
 * them in order with their shapes inferred, so a bad stack fails when it is built with the layer's
 * place, type and sizes in the message. The specs themselves, and the list of the other tables a
 * layer type has an entry in, are in nn/layer-types.ts.
 */
import { AekitError, UsageError } from '../errors.js';
import { ActivationLayer } from '../nn/activation.js';
import { Center, Uncenter } from '../nn/center.js';
import { Dense } from '../nn/dense.js';
import { BatchNorm } from '../nn/batch-norm.js';
import { Binarize } from '../nn/binarize.js';
import { Conv2d, ConvTranspose2d } from '../nn/conv2d.js';
import { MaxPool2d, MaxUnpool2d } from '../nn/pool.js';
import { Upsample } from '../nn/upsample.js';
import { Dropout } from '../nn/dropout.js';
import { Flatten } from '../nn/flatten.js';
import { Gaussian } from '../nn/gaussian.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { formatDims, type Layer } from '../nn/layer.js';
import { type LayerOf, layerSpecSchema, type LayerSpecInput, type LayerType, type SpecOf } from '../nn/layer-types.js';
import { NoiseLayer } from '../nn/noise.js';
import { Reshape } from '../nn/reshape.js';
import { Sequential } from '../nn/sequential.js';
import { TiedDense } from '../nn/tied-dense.js';
import { sizeOf } from '../tensor/index.js';
import type { Prng } from '../util/prng.js';

export { layerSpecSchema, type LayerSpec, type LayerSpecInput, type LayerType } from '../nn/layer-types.js';

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

/** How a layer type is built: its layer from a spec and an input shape, and the parameter values that layer will allocate. */
interface LayerBuilder<T extends LayerType> {
  build: (spec: SpecOf<T>, inputShape: readonly number[], ctx: BuildContext) => LayerOf<T>;
  parameterCount: (spec: SpecOf<T>, inputShape: readonly number[], ctx: BuildContext) => number;
}

const none = () => 0;
const taps = (kernel: number | readonly [number, number]) => (typeof kernel === 'number' ? kernel * kernel : kernel[0] * kernel[1]);
const convParameters = (spec: SpecOf<'conv2d' | 'conv_transpose2d'>, shape: readonly number[]) => (spec.filters * (shape[0] ?? 0) * taps(spec.kernel)) / spec.groups + spec.filters;

/** Each layer type's builder. */
const LAYER_BUILDERS: { [T in LayerType]: LayerBuilder<T> } = {
  dense: { build: (spec, shape, ctx) => new Dense(spec, shape, ctx.rng), parameterCount: (spec, shape) => spec.units * (sizeOf(shape) + 1) },
  tied_dense: { build: (spec, shape, ctx) => new TiedDense(spec, shape, partner(ctx, spec.partner, Dense, 'dense')), parameterCount: (spec, _shape, ctx) => partnerInputs(ctx, spec.partner) },
  noise: { build: (spec, shape) => new NoiseLayer(spec, shape), parameterCount: none },
  dropout: { build: (spec, shape) => new Dropout(spec, shape), parameterCount: none },
  center: { build: (spec, shape) => new Center(spec, shape), parameterCount: none },
  uncenter: { build: (spec, shape, ctx) => new Uncenter(spec, shape, partner(ctx, spec.partner, Center, 'center')), parameterCount: none },
  flatten: { build: (spec, shape) => new Flatten(spec, shape), parameterCount: none },
  reshape: { build: (spec, shape) => new Reshape(spec, shape), parameterCount: none },
  activation: { build: (spec, shape) => new ActivationLayer(spec, shape), parameterCount: none },
  binarize: { build: (spec, shape) => new Binarize(spec, shape), parameterCount: none },
  conv2d: { build: (spec, shape, ctx) => new Conv2d(spec, shape, ctx.rng), parameterCount: convParameters },
  conv_transpose2d: { build: (spec, shape, ctx) => new ConvTranspose2d(spec, shape, ctx.rng), parameterCount: convParameters },
  max_pool2d: { build: (spec, shape) => new MaxPool2d(spec, shape), parameterCount: none },
  max_unpool2d: { build: (spec, shape, ctx) => new MaxUnpool2d(spec, shape, partner(ctx, spec.partner, MaxPool2d, 'max_pool2d')), parameterCount: none },
  upsample: { build: (spec, shape) => new Upsample(spec, shape), parameterCount: none },
  batch_norm: { build: (spec, shape) => new BatchNorm(spec, shape), parameterCount: (_spec, shape) => 2 * (shape[0] ?? 0) },
  gaussian: { build: (spec, shape, ctx) => new Gaussian(spec, shape, ctx.rng), parameterCount: (spec, shape) => 2 * spec.units * (sizeOf(shape) + 1) },
  layer_norm: { build: (spec, shape) => new LayerNorm(spec, shape), parameterCount: (_spec, shape) => 2 * sizeOf(shape) },
};

/** A tied layer's own bias has one value per input of its partner (an unknown partner fails in build, with its message). */
function partnerInputs(ctx: BuildContext, name: string): number {
  const found = ctx.byName.get(name);
  return found instanceof Dense ? found.inputs : 0;
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
    const builder = LAYER_BUILDERS[spec.type] as LayerBuilder<LayerType>;
    const cost = builder.parameterCount(spec, shape, ctx);
    if (ctx.maxParameters !== undefined && (ctx.parameters ?? 0) + cost > ctx.maxParameters) {
      throw new UsageError(`${path} (${spec.type}): its ${cost} parameters would give the model more than the ${ctx.maxParameters} values there are for it`);
    }
    let layer: Layer;
    try {
      layer = builder.build(spec, shape, ctx);
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
