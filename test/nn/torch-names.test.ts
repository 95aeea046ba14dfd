/**
 * Tensor names number nn.Sequential modules: golden indices worked out by hand from the modules a
 * PyTorch user writes for each spec list.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { legacyRenames, torchIndices, torchModuleCount } from '../../src/nn/torch-names.js';

test('a fused activation is a module of its own, identity none, noise takes no place', () => {
  assert.equal(torchModuleCount({ type: 'dense', activation: 'sigmoid' }), 2);
  assert.equal(torchModuleCount({ type: 'conv2d', activation: 'identity' }), 1);
  assert.equal(torchModuleCount({ type: 'activation', activation: 'relu' }), 1);
  assert.equal(torchModuleCount({ type: 'noise' }), 0);
  // noise | Linear 0, Sigmoid 1 | Dropout 2 | Linear 3 | Flatten 4
  assert.deepEqual(torchIndices([
    { type: 'noise' }, { type: 'dense', activation: 'sigmoid' }, { type: 'dropout' }, { type: 'dense', activation: 'identity' }, { type: 'flatten' },
  ]), [0, 0, 2, 3, 4]);
});

test("the conv preset's names: Conv2d 0, LeakyReLU 1, Conv2d 2, LeakyReLU 3, Flatten 4, Linear 5", () => {
  const model = Autoencoder.create({
    input: [1, 8, 8],
    encoder: [
      { type: 'conv2d', filters: 2, kernel: 3, stride: 2, padding: 1, activation: 'leaky_relu' },
      { type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1, activation: 'leaky_relu' },
      { type: 'flatten' }, { type: 'dense', units: 4 },
    ],
    decoder: 'mirror',
  });
  const names = model.parameters().map((p) => p.name).filter((n) => n.endsWith('weight'));
  // decoder: Linear 0, LeakyReLU 1 (the mirror restores the flattened conv output), Unflatten 2, ConvTranspose2d 3, LeakyReLU 4, ConvTranspose2d 5
  assert.deepEqual(names, ['encoder.0.weight', 'encoder.2.weight', 'encoder.5.weight', 'decoder.0.weight', 'decoder.3.weight', 'decoder.5.weight']);
});

test('legacyRenames maps layer-spec numbering to module numbering and leaves other names alone', () => {
  const rename = legacyRenames({ encoder: [{ type: 'noise' }, { type: 'center' }, { type: 'dense', activation: 'relu' }, { type: 'dense' }], head: [{ type: 'batch_norm' }] });
  assert.equal(rename('encoder.1.mean'), 'encoder.0.mean');
  assert.equal(rename('encoder.2.weight'), 'encoder.1.weight');
  assert.equal(rename('encoder.3.bias'), 'encoder.3.bias');
  assert.equal(rename('head.0.running_var'), 'head.0.running_var');
  assert.equal(rename('input_mean'), 'input_mean');
  assert.equal(rename('decoder.0.bias'), 'decoder.0.bias');
});
