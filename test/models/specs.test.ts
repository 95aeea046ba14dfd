/**
 * Models as layer specs: the spec form and the short form are one model, the mirror rules build
 * decoders, regularizers attach to layers, and a model built layer by layer trains on images.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { type ModelSpecInput, parseModelConfig, type ShortFormInput } from '../../src/models/config.js';
import { withBackend } from '../../src/tensor/index.js';
import { evaluate } from '../../src/training/evaluate.js';
import { fit } from '../../src/training/fit.js';
import { availableBackends } from '../helpers/backends.js';
import { lowRankData } from '../helpers/data.js';

const data = lowRankData(200, 64, 4, 1);
const validation = lowRankData(60, 64, 4, 2);

const shortForm: ShortFormInput = { layers: [64, 32, 16, 8], hiddenActivation: 'leaky_relu', leakySlope: 0.1, codeActivation: 'identity', init: 'he-normal' };
const specForm: ModelSpecInput = {
  input: [64],
  encoder: [
    { type: 'dense', units: 32, activation: 'leaky_relu', leakySlope: 0.1, init: 'he-normal' },
    { type: 'dense', units: 16, activation: 'leaky_relu', leakySlope: 0.1, init: 'he-normal' },
    { type: 'dense', units: 8, init: 'he-normal' },
  ],
  decoder: 'mirror',
};

for (const backend of await availableBackends()) {
  describe(`specs on the ${backend.name} backend`, () => {
    test('a dense autoencoder written as explicit specs trains to the same losses as its short form', async () => {
      await withBackend(backend, async () => {
        const options = { epochs: 3, batchSize: 32, lr: 1e-2, schedule: 'cosine' as const, seed: 5, validation };
        const a = Autoencoder.create(shortForm, 11);
        const b = Autoencoder.create(specForm, 11);
        const layers = (ae: Autoencoder) => [...ae.encoder.layers, ...ae.decoder.layers].map((l) => `${l.type} ${l.outputShape.join('x')} ${(l as { activation?: string }).activation}`);
        assert.deepEqual(layers(b), layers(a), 'one model, two ways to write it');
        assert.deepEqual(b.parameters().map((p) => [p.name, p.tensor.toArray()]), a.parameters().map((p) => [p.name, p.tensor.toArray()]));
        const ra = await fit(a, data, options);
        const rb = await fit(b, data, options);
        assert.deepEqual(rb.trainLoss, ra.trainLoss);
        assert.deepEqual(rb.valLoss, ra.valLoss);
        // It starts at the mean (the output bias) and most of a soft-target BCE is the targets'
        // own entropy, so learning shows as a small but steady fall.
        assert.ok(ra.valLoss[2] < ra.valLoss[1] && ra.valLoss[1] < ra.valLoss[0], `and it learns: ${ra.valLoss.join(", ")}`);
        assert.deepEqual(evaluate(b, validation), evaluate(a, validation));
      });
    });
  });
}

test('the mirror restores each representation with the activation that made it, the last one affine', () => {
  const ae = Autoencoder.create(specForm, 0);
  assert.deepEqual(ae.config.decoder.map((s) => s.type === 'dense' ? [s.units, s.activation] : s.type),
    [[16, 'leaky_relu'], [32, 'leaky_relu'], [64, 'identity']]);
  const tied = Autoencoder.create({ ...specForm, tied: true }, 0);
  assert.deepEqual(tied.config.decoder.map((s) => s.type === 'tied_dense' ? s.partner : s.type), ['encoder.2', 'encoder.1', 'encoder.0']);
});

test('the short form expands to layers: noise in front, centring, regularizers on their layers', () => {
  const spec = parseModelConfig({
    layers: [10, 6, 3], codeActivation: 'sigmoid', outputActivation: 'identity', loss: 'mse', centerInputs: true,
    regularization: { noise: 'gaussian:0.1', l2: 1e-3, l2Biases: true, sparsity: { rho: 0.1 }, contractive: 0.2 },
  });
  assert.deepEqual(spec.encoder.map((s) => s.type), ['noise', 'center', 'dense', 'dense']);
  const [first, code] = [spec.encoder[2], spec.encoder[3]];
  assert.ok(first.type === 'dense' && code.type === 'dense');
  assert.equal(first.contractive, 0.2);
  assert.deepEqual(first.kernelRegularizer, { l2: 1e-3 });
  assert.deepEqual(first.biasRegularizer, { l2: 1e-3 });
  assert.deepEqual(code.activityRegularizer, { kl: { rho: 0.1, beta: 3 } });
  assert.equal(code.contractive, undefined);
  const ae = Autoencoder.create({ layers: [10, 6, 3], outputActivation: 'identity', loss: 'mse', centerInputs: true }, 0);
  assert.deepEqual(ae.config.decoder.map((s) => s.type), ['dense', 'dense', 'uncenter']);
  assert.deepEqual(ae.buffers().map((b) => b.name), ['encoder.0.mean']);
});

test('a model built layer by layer on images: noise, flatten, dense code, mirrored back to [1, 8, 8]', async () => {
  const ae = Autoencoder.create({
    input: [1, 8, 8],
    encoder: [{ type: 'noise', spec: 'mask:0.2' }, { type: 'flatten' }, { type: 'dense', units: 12, activation: 'tanh' }, { type: 'dropout', rate: 0.1 }, { type: 'dense', units: 4 }],
    decoder: 'mirror',
    output: { activation: 'sigmoid', loss: 'bce' },
  }, 3);
  assert.deepEqual(ae.config.decoder.map((s) => s.type), ['dense', 'dense', 'reshape']);
  assert.deepEqual(ae.codeShape, [4]);
  const images = { ...data, shape: [1, 8, 8] };
  const result = await fit(ae, images, { epochs: 4, batchSize: 20, lr: 5e-3, seed: 1, validation: { ...validation, shape: [1, 8, 8] } });
  assert.ok(result.valLoss[3] < result.valLoss[0]);
  assert.ok(evaluate(ae, images).sse > 0);
});

test('config errors name the field or the layer', () => {
  const fails = (config: unknown, pattern: RegExp) => assert.throws(() => Autoencoder.create(config as never), (e) => e instanceof UsageError && pattern.test(e.message), String(pattern));
  fails({ input: [4], encoder: [] }, /encoder: /);
  fails({ input: [4], encoder: [{ type: 'dense', units: 2 }], output: { activation: 'identity', loss: 'bce' } }, /output\.loss: bce needs output\.activation "sigmoid"/);
  fails({ input: [4], encoder: [{ type: 'dense', units: 2 }], decoder: [{ type: 'dense', units: 3 }] }, /the decoder gives examples of shape \[3\], but the input's shape is \[4\]/);
  fails({ input: [4], encoder: [{ type: 'dense', units: 2 }, { type: 'tied_dense', partner: 'encoder.0' }] }, /encoder\.1 \(tied_dense\): has no mirror/);
  fails(null, /expected an object with "layers"/);
  fails({ layers: [784, 1e12] }, /layers\.1: /);
});
