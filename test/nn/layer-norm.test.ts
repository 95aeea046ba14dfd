/**
 * Layer normalisation: hand-derived values, central-difference gradients of the input, gain and
 * bias on every backend (reference and native), its spec, parameters and mirror in a model.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { INFERENCE } from '../../src/nn/layer.js';
import { LayerNorm, layerNorm, layerNormSpec } from '../../src/nn/layer-norm.js';
import { Tensor, withBackend } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

test('each row standardised by its own mean and biased variance (eps 1e-5), then gain · row + bias', () => {
  // Row 1: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, so (x − 2.5) / √1.25001 = ±1.341635, ±0.447212.
  // Row 2: mean 1, variance (1 + 1 + 1 + 9) / 4 = 3, so (x − 1) / √3.00001 = −0.577349 (three times), 1.732048.
  const x = Tensor.from([1, 2, 3, 4, 0, 0, 0, 4], [2, 4]);
  const gain = Tensor.from([2, 1, 1, 0.5], [4]);
  const bias = Tensor.from([0, 1, 0, -1], [4]);
  const want = [-2 * 1.341635, 1 - 0.447212, 0.447212, 0.5 * 1.341635 - 1, -2 * 0.577349, 1 - 0.577349, -0.577349, 0.5 * 1.732048 - 1];
  const got = layerNorm(x, gain, bias, 1e-5).toArray();
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 2e-6, `element ${i}: ${v}, expected ${want[i]}`));
});

test('the layer: gain 1 and bias 0 of the example\'s shape, named weight and bias as nn.LayerNorm names them; the same in training and inference', () => {
  const ln = new LayerNorm(layerNormSpec.parse({ type: 'layer_norm' }), [2, 3, 3]);
  assert.deepEqual(ln.spec(), { type: 'layer_norm', eps: 1e-5 });
  assert.deepEqual(ln.parameters('encoder.1').map((p) => [p.name, p.tensor.shape, p.tensor.toArray().every((v) => v === (p.kind === 'weight' ? 1 : 0))]),
    [['encoder.1.weight', [2, 3, 3], true], ['encoder.1.bias', [2, 3, 3], true]]);
  const x = randomTensor(new Prng(1), [3, 2, 3, 3], -2, 5, false);
  const y = ln.forward(x, INFERENCE).toArray();
  assert.deepEqual(ln.forward(x, { training: true, rng: new Prng(2) }).toArray(), y);
  // Each example of 18 values comes out with mean 0 and variance 1 (less the eps).
  for (let n = 0; n < 3; n++) {
    const row = y.slice(n * 18, (n + 1) * 18);
    const m = row.reduce((a, b) => a + b, 0) / 18;
    const v = row.reduce((a, b) => a + (b - m) ** 2, 0) / 18;
    assert.ok(Math.abs(m) < 1e-6 && Math.abs(v - 1) < 1e-4, `example ${n}: mean ${m}, variance ${v}`);
  }
  assert.throws(() => layerNormSpec.parse({ type: 'layer_norm', eps: 0 }));
});

for (const backend of await availableBackends()) {
  describe(`layer norm on the ${backend.name} backend`, () => {
    test('central differences: gradients of the input, the gain and the bias, for vectors and images', () => withBackend(backend, () => {
      const rng = new Prng(5);
      for (const shape of [[6], [2, 2, 3]]) {
        const ln = new LayerNorm(layerNormSpec.parse({ type: 'layer_norm' }), shape);
        // A gain and bias away from 1 and 0, so that their gradients and their part in the input's are checked.
        ln.gain.data.set(randomTensor(rng, shape, 0.5, 1.5).data);
        ln.bias.data.set(randomTensor(rng, shape, -0.5, 0.5).data);
        const x = randomTensor(rng, [3, ...shape], -1, 1);
        gradCheck(`layer_norm [${shape.join(', ')}]`, (xi) => ln.forward(xi, INFERENCE), [x, ln.gain, ln.bias], { eps: 1e-2 });
      }
    }));
  });
}

test('in a model: its parameters take a place in the stack, the mirror puts a layer norm at the same place in the decoder', () => {
  const model = Autoencoder.create({
    input: [10],
    encoder: [{ type: 'dense', units: 6, activation: 'relu' }, { type: 'layer_norm', eps: 1e-3 }, { type: 'dense', units: 2 }],
    decoder: 'mirror',
  }, 1);
  assert.deepEqual(model.config.decoder.map((s) => s.type === 'dense' ? `dense ${s.units} ${s.activation}` : s.type === 'layer_norm' ? `layer_norm ${s.eps}` : s.type),
    ['dense 6 relu', 'layer_norm 0.001', 'dense 10 identity']);
  assert.deepEqual(model.parameters().map((p) => `${p.name} ${p.tensor.shape.join('x')}`), [
    'encoder.0.weight 6x10', 'encoder.0.bias 6', 'encoder.2.weight 6', 'encoder.2.bias 6', 'encoder.3.weight 2x6', 'encoder.3.bias 2',
    'decoder.0.weight 6x2', 'decoder.0.bias 6', 'decoder.2.weight 6', 'decoder.2.bias 6', 'decoder.3.weight 10x6', 'decoder.3.bias 10',
  ]);
  assert.throws(() => Autoencoder.create({ input: [4], encoder: [{ type: 'layer_norm', gain: 2 } as never], decoder: 'mirror' }),
    (e) => e instanceof UsageError && /encoder\.0: Unrecognized key: "gain"/.test(e.message));
});
