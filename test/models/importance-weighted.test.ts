/**
 * The importance-weighted training objective (IWAE, Burda et al. 2015): its value against the
 * bound computed independently in float64 from the same draws, its gradient by central
 * differences on every backend (with fixed draws the bound is a smooth function of the weights,
 * and Σ w̃_i ∇ log w_i is its exact gradient), and the options it refuses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { Gaussian } from '../../src/nn/gaussian.js';
import { INFERENCE } from '../../src/nn/layer.js';
import { noGrad, Tensor, withBackend } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

const backends = await availableBackends();

function smallVae(samples: number, warmup = 0): Autoencoder {
  return Autoencoder.create({
    input: [6],
    encoder: [{ type: 'dense', units: 5, activation: 'tanh' }, { type: 'gaussian', units: 2, samples, warmup }],
    output: { activation: 'sigmoid', loss: 'bce' },
  }, 3);
}

/**
 * −(1/n) Σ_x log (1/k) Σ_i w_i, with every term written out: log p(x | z) of a Bernoulli output
 * from σ(logits), and the two Gaussian densities with their constants. The draws ε come from a
 * generator seeded as the objective's, in the same order (example, then draw, then unit).
 */
function boundByHand(vae: Autoencoder, x: Tensor, k: number, seed: number, beta: number): number {
  return noGrad(() => {
    const rng = new Prng(seed);
    const code = vae.encoder.layers.at(-1) as Gaussian;
    const h = vae.encoder.layers[0].forward(x, INFERENCE);
    const { mean, logVariance } = code.distribution(h);
    const [n, features] = x.shape;
    const units = code.units;
    const logNormal = (v: number, mu: number, variance: number) => -0.5 * Math.log(2 * Math.PI * variance) - (v - mu) ** 2 / (2 * variance);
    let total = 0;
    for (let r = 0; r < n; r++) {
      const logWeights: number[] = [];
      for (let s = 0; s < k; s++) {
        const z = new Float32Array(units);
        let logPrior = 0;
        let logPosterior = 0;
        for (let j = 0; j < units; j++) {
          const mu = mean.data[r * units + j];
          const variance = Math.exp(logVariance.data[r * units + j]);
          z[j] = mu + Math.sqrt(variance) * rng.normal();
          logPrior += logNormal(z[j], 0, 1);
          logPosterior += logNormal(z[j], mu, variance);
        }
        const logits = vae.logits(new Tensor(z, [1, units])).data;
        let logLikelihood = 0;
        for (let f = 0; f < features; f++) {
          const p = 1 / (1 + Math.exp(-logits[f]));
          const target = x.data[r * features + f];
          logLikelihood += target * Math.log(p) + (1 - target) * Math.log(1 - p);
        }
        logWeights.push(logLikelihood + beta * (logPrior - logPosterior));
      }
      const max = Math.max(...logWeights);
      total += max + Math.log(logWeights.reduce((a, w) => a + Math.exp(w - max), 0) / k);
    }
    return -total / n;
  });
}

test('importance-weighted objective: the loss is −L_k, the k-sample bound, as computed term by term', () => {
  const x = randomTensor(new Prng(4), [3, 6], 0, 1, false);
  for (const [k, warmup, epoch, beta] of [[2, 0, 1, 1], [4, 0, 1, 1], [5, 4, 1, 0.25]] as const) {
    const vae = smallVae(k, warmup);
    const value = vae.objective({ x }, { training: true, rng: new Prng(9), epoch }).loss.item();
    const want = boundByHand(vae, x, k, 9, beta);
    assert.ok(Math.abs(value - want) < 1e-4 * Math.abs(want), `k = ${k}, β = ${beta}: ${value} vs ${want}`);
  }
});

test('importance-weighted objective: more samples give a tighter bound on average (lower loss)', () => {
  // L_1 ≤ L_5 ≤ L_50 in expectation; averaged over 40 seeds the ordering is far beyond the noise.
  const x = randomTensor(new Prng(6), [8, 6], 0, 1, false);
  const meanLoss = (k: number) => {
    const vae = smallVae(k);
    let total = 0;
    for (let seed = 0; seed < 40; seed++) total += vae.objective({ x }, { training: true, rng: new Prng(seed) }).loss.item();
    return total / 40;
  };
  const [one, five, fifty] = [meanLoss(1), meanLoss(5), meanLoss(50)];
  assert.ok(five < one && fifty < five, `−L_1 ${one}, −L_5 ${five}, −L_50 ${fifty}`);
});

for (const backend of backends) {
  test(`importance-weighted objective (${backend.name}): its gradient passes a central-difference check, during warm-up too`, () => {
    withBackend(backend, () => {
      const vae = smallVae(3, 2);
      const x = randomTensor(new Prng(4), [4, 6], 0, 1, false);
      const loss = () => vae.objective({ x }, { training: true, rng: new Prng(5), epoch: 1 }).loss;
      gradCheck('IWAE bound', loss, vae.parameters().map((p) => p.tensor), { eps: 1e-3 });
    });
  });
}

test('importance-weighted objective: free bits (an ELBO device) and a non-Bernoulli likelihood are refused', () => {
  assert.throws(() => new Gaussian({ type: 'gaussian', units: 2, samples: 5, freeBits: 0.1 }, [4], new Prng(1)), /freeBits.*must be 0/);
  const gaussianLikelihood = Autoencoder.create({
    input: [6], encoder: [{ type: 'gaussian', units: 2, samples: 2 }], output: { activation: 'identity', loss: 'gaussian', sigma: 0.5 },
  }, 1);
  assert.throws(() => gaussianLikelihood.objective({ x: randomTensor(new Prng(1), [2, 6], 0, 1, false) }, { training: true, rng: new Prng(1) }), /Bernoulli likelihood/);
});
