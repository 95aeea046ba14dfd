import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { PRESETS } from '../../src/training/presets.js';
import { Dense } from '../../src/nn/dense.js';
import { Tensor } from '../../src/tensor/index.js';

test('the deep preset mirrors its encoder, names parameters as nn.Linear does and has a linear code', () => {
  const ae = Autoencoder.create(PRESETS.deep.model, 1);
  const shapes = Object.fromEntries(ae.parameters().map((p) => [p.name, p.tensor.shape.join('x')]));
  assert.equal(shapes['encoder.0.weight'], '1000x784');
  // nn.Sequential numbering: each sigmoid is a module of its own between the nn.Linear ones.
  assert.equal(shapes['encoder.6.weight'], '30x250');
  assert.equal(shapes['decoder.0.weight'], '250x30');
  assert.equal(shapes['decoder.6.weight'], '784x1000');
  assert.equal(shapes['decoder.6.bias'], '784');
  assert.equal(ae.parameters().length, 16);
  const dense = (stack: 'encoder' | 'decoder', i: number) => ae[stack].layers[i] as Dense;
  assert.equal(dense('encoder', 3).activation, 'identity');
  assert.equal(dense('encoder', 0).activation, PRESETS.deep.model.hiddenActivation);
  assert.equal(dense('decoder', 2).activation, PRESETS.deep.model.hiddenActivation);
  // The last decoder layer gives logits: the model owns the sigmoid output.
  assert.equal(dense('decoder', 3).activation, 'identity');
  assert.equal(ae.output.activation, 'sigmoid');
  assert.equal(ae.codeSize, 30);
});

test('every preset builds', () => {
  for (const [name, preset] of Object.entries(PRESETS)) {
    const ae = Autoencoder.create(preset.model, 0);
    assert.equal(ae.inputSize, 784, name);
  }
});

test('a seed fixes the initial weights', () => {
  const a = Autoencoder.create({ layers: [20, 5] }, 3).parameters()[0].tensor.toArray();
  const b = Autoencoder.create({ layers: [20, 5] }, 3).parameters()[0].tensor.toArray();
  const c = Autoencoder.create({ layers: [20, 5] }, 4).parameters()[0].tensor.toArray();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('config errors name the field', () => {
  assert.throws(() => Autoencoder.create({ layers: [784] }), (e) => e instanceof UsageError && /layers/.test(e.message));
  assert.throws(() => Autoencoder.create({ layers: [4, 2], loss: 'bce', outputActivation: 'identity' }), (e) => e instanceof UsageError && /loss: bce needs/.test(e.message));
  assert.throws(() => Autoencoder.create({ layers: [4, 2], hiddenActivation: 'softmax' as 'relu' }), (e) => e instanceof UsageError && /hiddenActivation/.test(e.message));
  assert.throws(() => Autoencoder.create({ layers: [4, 2], typo: 1 } as never), (e) => e instanceof UsageError && /typo/.test(e.message));
});

test('encode, decode and the loss have the documented shapes and meaning', () => {
  const ae = Autoencoder.create({ layers: [6, 3, 2], outputActivation: 'identity', loss: 'mse' }, 2);
  const x = Tensor.from([0, 0.5, 1, 0.2, 0.3, 0.9, 1, 1, 0, 0, 0.1, 0.4], [2, 6]);
  assert.deepEqual(ae.encode(x).shape, [2, 2]);
  const xHat = ae.reconstruct(x);
  assert.deepEqual(xHat.shape, [2, 6]);
  // loss = mean over the 2 rows of the summed squared error.
  let expected = 0;
  for (let i = 0; i < 12; i++) expected += (xHat.data[i] - x.data[i]) ** 2;
  assert.ok(Math.abs(ae.loss(x).item() - expected / 2) < 1e-5);
});

test('a centred linear model subtracts and adds back the input mean', () => {
  const ae = Autoencoder.create({ layers: [3, 3], outputActivation: 'identity', loss: 'mse', codeActivation: 'identity', centerInputs: true }, 0);
  // Zero weights and biases: the reconstruction is exactly the mean.
  for (const p of ae.parameters()) p.tensor.data.fill(0);
  ae.prepare({ x: Float32Array.of(0, 2, 3, 2, 2, 3), n: 2, features: 3 }); // column means 1, 2, 3
  assert.deepEqual(ae.reconstruct(Tensor.from([5, 5, 5], [1, 3])).toArray(), [1, 2, 3]);
});
