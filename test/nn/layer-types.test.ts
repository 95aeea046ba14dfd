/**
 * The layer types' tables are keyed by the type of a layer built from a spec: layerTypeOf names
 * aekit's own layers and nothing else, so an object that merely says `type: 'dense'` (or names an
 * inherited property) reaches no table entry.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildStack } from '../../src/models/layer-specs.js';
import { StatelessLayer } from '../../src/nn/layer.js';
import { LAYER_CLASSES, layerTypeOf } from '../../src/nn/layer-types.js';
import { torchModuleCount } from '../../src/nn/torch-names.js';
import type { Tensor } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';

/** A layer of someone else's that calls itself by a type aekit knows. */
class Impostor extends StatelessLayer {
  constructor(readonly type: string) {
    super();
  }
  readonly inputShape = [4];
  readonly outputShape = [4];
  forward(x: Tensor): Tensor {
    return x;
  }
  spec() {
    return { type: this.type };
  }
}

test('layerTypeOf: the type of each layer a spec builds, null for other layers', () => {
  const stack = buildStack('encoder', [
    { type: 'noise', spec: 'mask:0.1' }, { type: 'center' }, { type: 'dense', units: 6, activation: 'relu' }, { type: 'layer_norm' },
    { type: 'batch_norm' }, { type: 'dropout', rate: 0.1 }, { type: 'activation', activation: 'tanh' }, { type: 'reshape', shape: [1, 2, 3] },
    { type: 'conv2d', filters: 2, kernel: 1 }, { type: 'max_pool2d', kernel: 1 }, { type: 'upsample', scale: 1 }, { type: 'max_unpool2d', partner: 'encoder.9' },
    { type: 'conv_transpose2d', filters: 1, kernel: 1 }, { type: 'flatten' }, { type: 'binarize' }, { type: 'gaussian', units: 6 },
    { type: 'dense', units: 6 }, { type: 'tied_dense', partner: 'encoder.16' }, { type: 'uncenter', partner: 'encoder.1' },
  ], [6], { rng: new Prng(1), byName: new Map() });
  const types = stack.layers.map((layer) => layerTypeOf(layer));
  assert.deepEqual(types, stack.layers.map((layer) => layer.type));
  assert.deepEqual(new Set(types), new Set(Object.keys(LAYER_CLASSES)), 'one layer of every type');
  for (const type of ['dense', 'toString', 'constructor', 'custom']) assert.equal(layerTypeOf(new Impostor(type)), null, type);
});

test('torch numbering: a type aekit does not know (or an inherited name) is one module', () => {
  assert.equal(torchModuleCount({ type: 'toString', activation: 'relu' }), 1);
  assert.equal(torchModuleCount({ type: 'layer_norm' }), 1);
  assert.equal(torchModuleCount({ type: 'noise' }), 0);
  assert.equal(torchModuleCount({ type: 'conv_transpose2d', activation: 'sigmoid' }), 2);
});
