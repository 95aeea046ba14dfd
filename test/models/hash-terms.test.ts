/**
 * The hashing terms of a model config: where they find the code's logits, the jitter of the
 * augmented view (moves derived by hand on tiny images), and a central-difference check of all
 * three terms together through a whole encoder, on every backend.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { INFERENCE } from '../../src/nn/layer.js';
import type { ModelSpecInput } from '../../src/models/config.js';
import { codeLogits, hashingSchema, hashingTerms } from '../../src/models/hash-terms.js';
import { imageSize, jitterImages, moveImage } from '../../src/models/image-jitter.js';
import { hashModel, presetHashingTerms } from '../../src/training/presets.js';
import { add, Tensor, withBackend } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

const model = (hashing: ModelSpecInput['hashing'], sigma = 2): ModelSpecInput => ({
  input: [16],
  encoder: [
    { type: 'dense', units: 6, activation: 'tanh' }, { type: 'dense', units: 3 },
    { type: 'noise', spec: `gaussian:${sigma}` }, { type: 'activation', activation: 'sigmoid' },
  ],
  decoder: 'mirror',
  output: { activation: 'sigmoid', loss: 'bce' },
  hashing,
});

describe('image jitter', () => {
  // 3 x 3 images, centre (1, 1); one bright pixel at row 1, column 0 (the middle of the left edge).
  const left = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 0, 0]);

  test('moves by hand: a shift, a quarter turn, no move', () => {
    assert.deepEqual(Array.from(moveImage(left, [9], { angle: 0, zoom: 1, dy: 0, dx: 1 })), [0, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(moveImage(left, [9], { angle: 0, zoom: 1, dy: -1, dx: 0 })), [0, 0, 0, 0, 0, 0, 0, 0, 0].map((_, i) => (i === 0 ? 1 : 0)));
    // Output (i, j) reads the source at (cy − (j − cx), cx + (i − cy)) for a turn of π/2: (0, 1) reads (1, 0).
    const turned = Array.from(moveImage(left, [1, 3, 3], { angle: Math.PI / 2, zoom: 1, dy: 0, dx: 0 })).map((v) => Math.round(v * 1e6) / 1e6);
    assert.deepEqual(turned, [0, 1, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(moveImage(left, [3, 3], { angle: 0, zoom: 1, dy: 0, dx: 0 })), Array.from(left));
    // Half a pixel right: the value splits between columns 0 and 1 (bilinear).
    assert.deepEqual(Array.from(moveImage(left, [9], { angle: 0, zoom: 1, dy: 0, dx: 0.5 })), [0, 0, 0, 0.5, 0.5, 0, 0, 0, 0]);
  });

  test('each example draws its own move; zero amounts change nothing; non-images are refused', () => {
    const rng = new Prng(3);
    const x = new Float32Array(2 * 16);
    x[5] = 1;
    x[16 + 5] = 1;
    assert.deepEqual(jitterImages(x, [16], rng, { shift: 0, rotate: 0, scale: 0 }), x);
    const moved = jitterImages(x, [16], rng, { shift: 1, rotate: 10, scale: 0.1 });
    assert.notDeepEqual(moved.subarray(0, 16), moved.subarray(16));
    assert.deepEqual(imageSize([784]), { channels: 1, height: 28, width: 28 });
    assert.throws(() => imageSize([10]), /not one/);
  });
});

const backends = await availableBackends();

describe('hashing terms', () => {
  test('the soft bits are the pre-noise logits scaled by 1.702/σ, or the sigmoid\'s input without noise', () => {
    const noisy = Autoencoder.create(model({ balance: 1 }, 4), 0);
    assert.deepEqual(codeLogits(noisy.encoder), { layer: 1, factor: 1.702 / 4 });
    const plain = { ...model({ balance: 1 }) };
    plain.encoder = plain.encoder.filter((s) => s.type !== 'noise');
    assert.deepEqual(codeLogits(Autoencoder.create(plain, 0).encoder), { layer: 1, factor: 1 });
    const fused = { ...model({ balance: 1 }), encoder: [{ type: 'dense' as const, units: 3, activation: 'sigmoid' as const }] };
    assert.throws(() => Autoencoder.create(fused, 0), /ends in a sigmoid activation layer/);
  });

  test('the hash preset: consistency on square images only; a config asking it of other rows is refused', () => {
    assert.deepEqual(hashModel(784, 16).hashing, { consistency: 30, balance: 3 });
    assert.deepEqual(hashModel(784, 64).hashing, { consistency: 10, balance: 3 });
    assert.deepEqual(hashModel(20, 8).hashing, { ...presetHashingTerms(8), consistency: 0 });
    assert.equal(hashModel(784, 16, 20, {}).hashing, undefined);
    Autoencoder.create(hashModel(20, 8), 0);
    assert.throws(() => Autoencoder.create({ ...hashModel(20, 8), hashing: { consistency: 1 } }, 0), /not one/);
  });

  test('the config keeps its terms through the saved form, and they join the training penalty only', () => {
    const ae = Autoencoder.create(model({ consistency: 2, balance: 1 }), 0);
    assert.deepEqual(ae.config.hashing, hashingSchema.parse({ consistency: 2, balance: 1 }));
    assert.deepEqual(Autoencoder.create(ae.config, 1).config.hashing, ae.config.hashing);
    const x = randomTensor(new Prng(1), [5, 16], 0, 1, false);
    assert.equal(ae.objective({ x }, INFERENCE).penalty, null);
    assert.ok(ae.objective({ x }, { training: true, rng: new Prng(2) }).penalty);
    assert.equal(Autoencoder.create(model(undefined), 0).objective({ x }, { training: true, rng: new Prng(2) }).penalty, null);
  });

  for (const backend of backends) {
    test(`the terms through the encoder: central differences on the ${backend.name} backend`, () => withBackend(backend, () => {
      const x = randomTensor(new Prng(8), [6, 16], 0, 1, false);
      // Fixed seeds, so every evaluation draws the same noise and the same augmented views.
      const termsOf = (ae: Autoencoder, frozen?: Tensor[]) => () => {
        const hidden = frozen ?? ae.encoder.trace(x, { training: true, rng: new Prng(11) });
        return hashingTerms(ae.config.hashing!, ae.encoder, x, hidden, { training: true, rng: new Prng(12) }).reduce((a, b) => add(a, b));
      };
      const weights = (ae: Autoencoder) => ae.encoder.parameters().map((p) => p.tensor);
      const batchTerms = Autoencoder.create(model({ balance: 0.7, decorrelation: 0.9 }), 4);
      assert.equal(weights(batchTerms).length, 4);
      gradCheck('balance and decorrelation', termsOf(batchTerms), weights(batchTerms), { eps: 1e-3 });
      // The original view's bits are the consistency term's fixed target (no gradient through
      // them), so the check computes them once and holds them: only the augmented view moves with the weights.
      const consistency = Autoencoder.create(model({ consistency: 1.5 }), 5);
      const original = consistency.encoder.trace(x, { training: true, rng: new Prng(11) }).map((h) => new Tensor(Float32Array.from(h.data), h.shape));
      gradCheck('consistency', termsOf(consistency, original), weights(consistency), { eps: 1e-3 });
    }));
  }
});
