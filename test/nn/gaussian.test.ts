/**
 * The Gaussian code layer: its KL against hand-worked values, free bits and warm-up as written,
 * the reparameterised draw's moments, and central-difference gradient checks of the draw and its
 * KL penalty on every backend (reference and native).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { Gaussian, gaussianKl } from '../../src/nn/gaussian.js';
import { INFERENCE } from '../../src/nn/layer.js';
import { add, mul, sum, Tensor, withBackend } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

const backends = await availableBackends();

test('gaussian: KL(N(μ, σ²) ‖ N(0, 1)) per value against hand-worked values', () => {
  // ½(μ² + σ² − log σ² − 1): μ = 1, σ² = 1 gives ½; μ = 0, σ² = 2 gives ½(1 − ln 2) = 0.153426;
  // μ = −2, σ² = e⁻¹ gives ½(4 + 0.367879 + 1 − 1) = 2.183940; the prior itself gives 0.
  const mean = new Tensor(Float32Array.of(1, 0, -2, 0), [1, 4]);
  const logVariance = new Tensor(Float32Array.of(0, Math.log(2), -1, 0), [1, 4]);
  const kl = gaussianKl(mean, logVariance).toArray();
  [0.5, 0.153426, 2.183940, 0].forEach((want, i) => assert.ok(Math.abs(kl[i] - want) < 1e-5, `unit ${i}: ${kl[i]} vs ${want}`));
});

test('gaussian: the code of inference is μ; a draw has mean μ and variance σ² (10,000 draws)', () => {
  const layer = new Gaussian({ type: 'gaussian', units: 2 }, [3], new Prng(1));
  layer.meanWeight.data.fill(0);
  layer.meanBias.data.set([0.5, -1]);
  layer.logVarianceWeight.data.fill(0);
  layer.logVarianceBias.data.set([Math.log(0.25), Math.log(4)]);
  const h = new Tensor(new Float32Array(10000 * 3).fill(0.3), [10000, 3]);
  assert.deepEqual(layer.forward(h, INFERENCE).toArray().slice(0, 2), [0.5, -1]);
  const z = layer.forward(h, { training: true, rng: new Prng(2) }).toArray();
  for (const [j, mu, variance] of [[0, 0.5, 0.25], [1, -1, 4]] as const) {
    const values = z.filter((_, i) => i % 2 === j);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    const v = values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length;
    // Standard errors: σ/√n for the mean (0.005 and 0.02), about σ²√(2/n) for the variance.
    assert.ok(Math.abs(m - mu) < 4 * Math.sqrt(variance / 10000), `unit ${j} mean ${m}`);
    assert.ok(Math.abs(v - variance) < 4 * variance * Math.sqrt(2 / 10000), `unit ${j} variance ${v}`);
  }
});

test('gaussian: the penalty is β·mean Σ KL; free bits count a unit as at least λ; warm-up scales β linearly', () => {
  const layer = new Gaussian({ type: 'gaussian', units: 2, beta: 2, freeBits: 0.3, warmup: 4 }, [1], new Prng(1));
  layer.meanWeight.data.fill(0);
  layer.logVarianceWeight.data.fill(0);
  layer.meanBias.data.set([1, 0]); // KL 0.5 and, with σ² = 2, 0.153426 (below λ = 0.3)
  layer.logVarianceBias.data.set([0, Math.log(2)]);
  const h = new Tensor(Float32Array.of(0, 0, 0), [3, 1]);
  const penaltyAt = (epoch: number) => {
    const z = layer.forward(h, { training: true, rng: new Prng(3), epoch });
    return layer.penalty(z)!.item();
  };
  // β_t = 2 · min(1, t / 4); Σ max(λ, KL_j) = 0.5 + 0.3.
  assert.ok(Math.abs(penaltyAt(4) - 2 * 0.8) < 1e-5);
  assert.ok(Math.abs(penaltyAt(1) - 0.5 * 0.8) < 1e-5);
  assert.ok(Math.abs(penaltyAt(10) - 2 * 0.8) < 1e-5);
  assert.equal(penaltyAt(0), 0);
  // Another tensor than the draw's (an inference pass) has no penalty.
  assert.equal(layer.penalty(layer.forward(h, INFERENCE)), null);
  const plain = new Gaussian({ type: 'gaussian', units: 2 }, [1], new Prng(1));
  for (const t of [plain.meanWeight, plain.logVarianceWeight]) t.data.fill(0);
  plain.meanBias.data.set([1, 0]);
  plain.logVarianceBias.data.set([0, Math.log(2)]);
  const z = plain.forward(h, { training: true, rng: new Prng(3) });
  assert.ok(Math.abs(plain.penalty(z)!.item() - (0.5 + 0.153426)) < 1e-5);
});

for (const backend of backends) {
  test(`gaussian (${backend.name}): the draw z = μ + σ ⊙ ε and its KL penalty (with free bits) pass a central-difference check`, () => {
    withBackend(backend, () => {
      const rng = new Prng(11);
      const layer = new Gaussian({ type: 'gaussian', units: 3, beta: 0.7, freeBits: 0.05 }, [4], rng);
      for (const t of [layer.meanWeight, layer.logVarianceWeight]) t.data.forEach((v, i) => { t.data[i] = v * 0.5; });
      layer.meanBias.data.set([0.3, -0.2, 0.1]);
      layer.logVarianceBias.data.set([-0.5, 0.2, 0.4]);
      const x = randomTensor(rng, [5, 4]);
      const weights = randomTensor(new Prng(12), [5, 3], -1, 1, false);
      // The same ε at every evaluation: a fresh generator with one seed.
      const objective = () => {
        const z = layer.forward(x, { training: true, rng: new Prng(13) });
        return add(sum(mul(z, weights)), layer.penalty(z)!);
      };
      gradCheck('gaussian draw and KL', objective, [x, layer.meanWeight, layer.meanBias, layer.logVarianceWeight, layer.logVarianceBias], { eps: 1e-3 });
    });
  });

  test(`gaussian VAE (${backend.name}): the whole negative ELBO's gradient passes a central-difference check`, () => {
    withBackend(backend, () => {
      const vae = Autoencoder.create({
        input: [6], encoder: [{ type: 'dense', units: 5, activation: 'tanh' }, { type: 'gaussian', units: 2 }], output: { activation: 'sigmoid', loss: 'bce' },
      }, 3);
      const x = randomTensor(new Prng(4), [4, 6], 0, 1, false);
      const loss = () => vae.objective({ x }, { training: true, rng: new Prng(5) }).loss;
      gradCheck('VAE negative ELBO', loss, vae.parameters().map((p) => p.tensor), { eps: 1e-3 });
    });
  });
}

test('gaussian: mirrored to a dense layer back to its input size; its tensors are named mean and logvar', () => {
  const vae = Autoencoder.create({ input: [10], encoder: [{ type: 'dense', units: 6, activation: 'relu' }, { type: 'gaussian', units: 2 }] }, 1);
  assert.deepEqual(vae.config.decoder.map((s) => [s.type, (s as { units?: number }).units, (s as { activation?: string }).activation]), [['dense', 6, 'relu'], ['dense', 10, 'identity']]);
  assert.deepEqual(vae.parameters().map((p) => p.name).slice(0, 6), [
    'encoder.0.weight', 'encoder.0.bias', 'encoder.2.mean.weight', 'encoder.2.mean.bias', 'encoder.2.logvar.weight', 'encoder.2.logvar.bias',
  ]);
  assert.deepEqual(vae.codeShape, [2]);
});
