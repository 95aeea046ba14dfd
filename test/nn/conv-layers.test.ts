/**
 * The convolutional layers as layers: shapes, specs and errors at build time; upsampling and
 * batch normalisation by hand and under gradient checks on both backends; and whole
 * convolutional autoencoders built by the mirror rules (transposed convolutions with the output
 * padding that restores odd sizes, SegNet's unpooling with its partner's indices).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import type { ModelSpecInput } from '../../src/models/config.js';
import type { LayerSpecInput } from '../../src/models/layer-specs.js';
import { BatchNorm, batchNormSpec } from '../../src/nn/batch-norm.js';
import { INFERENCE } from '../../src/nn/layer.js';
import { Tensor, upsample, withBackend } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

const training = (seed = 3) => ({ training: true, rng: new Prng(seed) });

test('upsampling by hand: nearest repeats, bilinear interpolates with edges clamped (align_corners false)', () => {
  const x = Tensor.from([1, 2, 3, 4], [1, 1, 2, 2]);
  assert.deepEqual(upsample(x, [2, 2], 'nearest').toArray(), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  // One row [1, 3] doubled: samples at −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1):
  // 1, 1·0.75 + 3·0.25 = 1.5, 1·0.25 + 3·0.75 = 2.5, 3.
  assert.deepEqual(upsample(Tensor.from([1, 3], [1, 1, 1, 2]), [1, 2], 'bilinear').toArray(), [1, 1.5, 2.5, 3]);
});

test('the upsample layer: its shape, spec and forward pass', () => {
  const model = Autoencoder.create({
    input: [1, 4, 4],
    encoder: [{ type: 'max_pool2d', kernel: 2 }, { type: 'flatten' }, { type: 'dense', units: 3 }],
    decoder: [{ type: 'dense', units: 4 }, { type: 'reshape', shape: [1, 2, 2] }, { type: 'upsample', scale: 2, mode: 'bilinear' }],
    output: { activation: 'sigmoid', loss: 'bce' },
  });
  const layer = model.decoder.layers[2];
  assert.deepEqual([layer.inputShape, layer.outputShape, layer.spec()], [[1, 2, 2], [1, 4, 4], { type: 'upsample', scale: 2, mode: 'bilinear' }]);
  assert.deepEqual(layer.forward(Tensor.from([1, 2, 3, 4], [1, 1, 2, 2]), INFERENCE).toArray(), upsample(Tensor.from([1, 2, 3, 4], [1, 1, 2, 2]), [2, 2], 'bilinear').toArray());
  assert.throws(() => Autoencoder.create({ input: [4], encoder: [{ type: 'dense', units: 2 }], decoder: [{ type: 'upsample' }], output: { activation: 'sigmoid', loss: 'bce' } }),
    /upsample, input \[2\]\): takes images \[channels, height, width\]/);
});

test('batch norm: standardised per channel while training, running statistics at inference', () => {
  const bn = new BatchNorm(batchNormSpec.parse({ type: 'batch_norm', momentum: 0.5 }), [2]);
  // Channel 0: 1, 3 (mean 2, variance 1); channel 1: 10, 10 (variance 0).
  const y = bn.forward(Tensor.from([1, 10, 3, 10], [2, 2]), training()).toArray();
  const s = 1 / Math.sqrt(1 + 1e-5);
  [-s, 0, s, 0].forEach((v, i) => assert.ok(Math.abs(y[i] - v) < 1e-6, `${y[i]} vs ${v}`));
  // running ← 0.5·running + 0.5·batch; the running variance is the unbiased one (1 · 2/1 = 2).
  assert.deepEqual(bn.runningMean.toArray(), [1, 5]);
  assert.deepEqual(bn.runningVar.toArray(), [1.5, 0.5]);
  const atInference = bn.forward(Tensor.from([1, 5], [1, 2]), INFERENCE).toArray();
  assert.ok(Math.abs(atInference[0]) < 1e-6 && Math.abs(atInference[1]) < 1e-6);
  assert.deepEqual(bn.buffers('encoder.1').map((b) => b.name), ['encoder.1.running_mean', 'encoder.1.running_var']);
});

for (const backend of await availableBackends()) {
  describe(`convolutional layers on the ${backend.name} backend`, () => {
    const rng = new Prng(5);
    test('upsampling, nearest and bilinear: gradient checks', () => withBackend(backend, () => {
      for (const mode of ['nearest', 'bilinear'] as const) {
        gradCheck(`upsample ${mode}`, (x) => upsample(x, [2, 3], mode), [randomTensor(rng, [2, 3, 3, 4])]);
      }
    }));

    test('batch norm over vectors and images, with the batch\'s and with running statistics: gradients of the input, γ and β', () => withBackend(backend, () => {
      for (const shape of [[3], [2, 3, 4]]) {
        const bn = new BatchNorm(batchNormSpec.parse({ type: 'batch_norm' }), shape);
        bn.gamma.data.set(Array.from({ length: shape[0] }, (_, i) => 0.5 + i));
        const x = randomTensor(rng, [4, ...shape]);
        gradCheck(`batch_norm [${shape.join(', ')}] training`, (xi, g, b) => { void g; void b; return bn.forward(xi, training()); }, [x, bn.gamma, bn.beta], { eps: 1e-2 });
        bn.runningMean.data.set(Array.from({ length: shape[0] }, (_, i) => 0.3 * i - 0.2));
        bn.runningVar.data.set(Array.from({ length: shape[0] }, (_, i) => 0.5 + 0.7 * i));
        gradCheck(`batch_norm [${shape.join(', ')}] inference`, (xi, g, b) => { void g; void b; return bn.forward(xi, INFERENCE); }, [x, bn.gamma, bn.beta], { eps: 1e-2 });
      }
    }));
  });
}

const convEncoder = (extra: LayerSpecInput[] = []): ModelSpecInput => ({
  input: [1, 28, 28],
  encoder: [
    { type: 'conv2d', filters: 8, kernel: 3, stride: 2, padding: 1, activation: 'relu' },
    ...extra,
    { type: 'conv2d', filters: 16, kernel: 3, stride: 2, padding: 1, activation: 'relu' },
    { type: 'flatten' },
    { type: 'dense', units: 10 },
  ],
  decoder: 'mirror',
  output: { activation: 'sigmoid', loss: 'bce' },
});

test('a convolutional encoder mirrors to transposed convolutions that give back 28x28 (output padding 1 for 7 → 14 and 14 → 28)', () => {
  const model = Autoencoder.create(convEncoder());
  const decoder = model.config.decoder;
  assert.deepEqual(decoder.map((s) => s.type), ['dense', 'reshape', 'conv_transpose2d', 'conv_transpose2d']);
  assert.deepEqual(decoder.slice(2).map((s) => (s.type === 'conv_transpose2d' ? [s.filters, s.outputPadding, s.activation] : null)), [[8, [1, 1], 'relu'], [1, [1, 1], 'identity']]);
  assert.deepEqual(model.codeShape, [10]);
  const x = Tensor.from(Array.from({ length: 2 * 784 }, (_, i) => (i % 7) / 7), [2, 1, 28, 28]);
  assert.deepEqual(model.reconstruct(x).shape, [2, 1, 28, 28]);
  assert.deepEqual(model.parameters().map((p) => [p.name, p.tensor.shape]).slice(0, 2), [['encoder.0.weight', [8, 1, 3, 3]], ['encoder.0.bias', [8]]]);
});

test('SegNet: max pooling mirrors to unpooling with its partner\'s indices; codes decode only after their own encoding', () => {
  const model = Autoencoder.create({
    input: [1, 8, 8],
    encoder: [
      { type: 'conv2d', filters: 4, kernel: 3, padding: 1, activation: 'relu' }, { type: 'batch_norm' }, { type: 'max_pool2d', kernel: 2 },
      { type: 'conv2d', filters: 6, kernel: 3, padding: 1, activation: 'relu' }, { type: 'max_pool2d', kernel: 2 },
    ],
    decoder: 'mirror',
    output: { activation: 'sigmoid', loss: 'bce' },
  });
  assert.deepEqual(model.config.decoder.map((s) => (s.type === 'max_unpool2d' ? `unpool ${s.partner}` : s.type)),
    ['unpool encoder.4', 'conv_transpose2d', 'unpool encoder.2', 'batch_norm', 'conv_transpose2d']);
  const x = randomTensor(new Prng(2), [3, 1, 8, 8], 0, 1, false);
  const y = model.reconstruct(x);
  assert.deepEqual(y.shape, [3, 1, 8, 8]);
  // reconstruct took the indices; codes alone have none to unpool with.
  assert.throws(() => model.decode(Tensor.zeros([3, 6, 2, 2])), /needs the indices its partner "encoder.4" found for these same examples/);
  // Encoding leaves them for the decoding of the same examples' codes.
  assert.deepEqual(model.decode(model.encode(x)).toArray(), y.toArray());
  // The buffers of the batch norm layers are saved with the model.
  assert.deepEqual(model.buffers().map((b) => b.name), ['encoder.2.running_mean', 'encoder.2.running_var', 'decoder.4.running_mean', 'decoder.4.running_var']);
});

test('layers that do not fit their input fail at build time, naming the layer and what was expected', () => {
  assert.throws(() => Autoencoder.create({ input: [784], encoder: [{ type: 'conv2d', filters: 4, kernel: 3 }], decoder: 'mirror', output: { activation: 'sigmoid', loss: 'bce' } }),
    /encoder\.0 \(conv2d, input \[784\]\): takes images \[channels, height, width\], got input \[784\]; put a reshape layer before it/);
  assert.throws(() => Autoencoder.create({ input: [3, 5, 5], encoder: [{ type: 'conv2d', filters: 4, kernel: 3, groups: 2 }], decoder: 'mirror', output: { activation: 'sigmoid', loss: 'bce' } }),
    /3 input channels and 4 filters must both divide into 2 groups/);
  assert.throws(() => Autoencoder.create({ input: [1, 4, 4], encoder: [{ type: 'conv2d', filters: 4, kernel: 7 }], decoder: 'mirror', output: { activation: 'sigmoid', loss: 'bce' } }),
    /gives no output with kernel \[7, 7\]/);
  assert.throws(() => Autoencoder.create({ input: [2, 4, 4], encoder: [{ type: 'flatten' }], decoder: [{ type: 'reshape', shape: [2, 4, 4] }, { type: 'max_unpool2d', partner: 'encoder.0' }], output: { activation: 'sigmoid', loss: 'bce' } }),
    /its partner "encoder.0" is a flatten layer, expected max_pool2d/);
});
