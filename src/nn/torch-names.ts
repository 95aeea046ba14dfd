/**
 * How the layers of a stack are numbered in tensor names, so that a model file loads with
 * `strict=True` into the PyTorch `nn.Sequential` a user would write for the same specs.
 *
 * The convention (model file format 3 on): a stack is one `nn.Sequential`, each aekit layer one
 * module in it, and a layer's fused activation (a dense or convolution layer's `activation`) a
 * module of its own right after it, as `nn.Linear` and `nn.Conv2d` have no activation argument:
 * `[dense 1000 sigmoid, dense 30]` is `nn.Sequential(nn.Linear(784, 1000), nn.Sigmoid(),
 * nn.Linear(1000, 30))`, tensors `encoder.0.*` and `encoder.2.*`. Noise layers take no place:
 * they corrupt inputs while an autoencoder trains, PyTorch has no module for them, and a user
 * adds such noise in the training loop, not in the network. Before format 3 the names numbered
 * layer specs (noise included, activations inside their layer); `legacyRenames` maps those.
 */

import type { LayerType } from './layer-types.js';

/** What numbering needs of a layer's spec. */
export interface NumberedSpec {
  type: string;
  activation?: string;
}

/**
 * The `nn.Sequential` modules each layer type becomes: none (noise corrupts inputs in the training
 * loop, not in the network), one, or one and then its fused `activation` as a module of its own
 * (none for the identity; an `activation` layer is that module itself, so it is one).
 */
export const TORCH_MODULES: { readonly [T in LayerType]: 'none' | 'one' | 'one and its activation' } = {
  dense: 'one and its activation',
  tied_dense: 'one and its activation',
  noise: 'none',
  dropout: 'one',
  center: 'one',
  uncenter: 'one',
  flatten: 'one',
  reshape: 'one',
  activation: 'one',
  binarize: 'one',
  conv2d: 'one and its activation',
  conv_transpose2d: 'one and its activation',
  max_pool2d: 'one',
  max_unpool2d: 'one',
  upsample: 'one',
  batch_norm: 'one',
  gaussian: 'one',
  layer_norm: 'one',
};

/**
 * How many `nn.Sequential` modules the layer of `spec` becomes: 0 for noise, 2 for a layer with a
 * fused activation other than the identity, 1 otherwise (and for a type aekit does not know, as
 * a spec read from an old file may name).
 * @example
 * torchModuleCount({ type: 'dense', activation: 'relu' }); // 2: nn.Linear, nn.ReLU
 */
export function torchModuleCount(spec: NumberedSpec): number {
  const modules = Object.hasOwn(TORCH_MODULES, spec.type) ? TORCH_MODULES[spec.type as LayerType] : 'one';
  if (modules === 'none') return 0;
  return modules === 'one and its activation' && spec.activation !== undefined && spec.activation !== 'identity' ? 2 : 1;
}

/**
 * The `nn.Sequential` index of each layer's (first) module; a noise layer gets the index the next
 * module will have.
 * @example
 * torchIndices([{ type: 'noise' }, { type: 'dense', activation: 'sigmoid' }, { type: 'dense' }]); // [0, 0, 2]
 */
export function torchIndices(specs: readonly NumberedSpec[]): number[] {
  let next = 0;
  return specs.map((spec) => {
    const at = next;
    next += torchModuleCount(spec);
    return at;
  });
}

/**
 * The renaming from format 2's tensor names (`<prefix>.<layer index>.<tensor>`) to today's, for the
 * stacks of a model given by their prefixes and specs.
 * @example
 * const rename = legacyRenames({ encoder: [{ type: 'dense', activation: 'relu' }, { type: 'dense' }] });
 * rename('encoder.1.weight'); // 'encoder.2.weight'
 */
export function legacyRenames(stacks: Record<string, readonly NumberedSpec[]>): (name: string) => string {
  const places = new Map(Object.entries(stacks).map(([prefix, specs]) => [prefix, torchIndices(specs)]));
  return (name) => {
    const match = /^([A-Za-z_]+)\.(\d+)\.(.+)$/.exec(name);
    const indices = match ? places.get(match[1]) : undefined;
    const at = match && indices ? indices[Number(match[2])] : undefined;
    return match && at !== undefined ? `${match[1]}.${at}.${match[3]}` : name;
  };
}
