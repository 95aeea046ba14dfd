/**
 * The importance-sampled likelihood against models whose likelihood is known exactly:
 *
 * - a linear Gaussian VAE is probabilistic PCA (Tipping & Bishop 1999): with p(z) = N(0, I) and
 *   p(x | z) = N(Wz + b, σ²I), p(x) = N(b, WWᵀ + σ²I) in closed form, and the posterior is
 *   N(M⁻¹Wᵀ(x − b), σ²M⁻¹) with M = WᵀW + σ²I (diagonal when W's columns are orthogonal, so a
 *   diagonal-Gaussian encoder can be the exact posterior);
 * - a one-unit VAE with a Bernoulli output, whose p(x) = ∫ p(x | z) N(z; 0, 1) dz is a 1-d integral
 *   done here by the midpoint rule on a fine grid.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { Dense } from '../../src/nn/dense.js';
import { Gaussian } from '../../src/nn/gaussian.js';
import { estimateLikelihood, variationalParts } from '../../src/training/likelihood.js';
import { Prng } from '../../src/util/prng.js';
import type { Matrix } from '../../src/data/dataset.js';

const D = 5;
const K = 2;
const SIGMA = 0.5;
// W = U diag(s) with U's two columns orthonormal: (1,1,1,1,0)/2 and (1,−1,0,0,1)/√3.
const U = [[0.5, 0.5, 0.5, 0.5, 0], [1 / Math.sqrt(3), -1 / Math.sqrt(3), 0, 0, 1 / Math.sqrt(3)]];
const S = [2, 1.2];
const B = [0.1, -0.2, 0.3, 0, 0.5];
const W = (i: number, j: number) => U[j][i] * S[j];

/** log N(x; b, WWᵀ + σ²I), by Cholesky. */
function ppcaLogDensity(x: ArrayLike<number>): number {
  const c = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => {
    let v = i === j ? SIGMA * SIGMA : 0;
    for (let k = 0; k < K; k++) v += W(i, k) * W(j, k);
    return v;
  }));
  const l = c.map((row) => row.map(() => 0));
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let v = c[i][j];
      for (let k = 0; k < j; k++) v -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(v) : v / l[j][j];
    }
  }
  const y: number[] = [];
  for (let i = 0; i < D; i++) {
    let v = x[i] - B[i];
    for (let k = 0; k < i; k++) v -= l[i][k] * y[k];
    y.push(v / l[i][i]);
  }
  const logDet = 2 * l.reduce((a, row, i) => a + Math.log(row[i]), 0);
  return -0.5 * (D * Math.log(2 * Math.PI) + logDet + y.reduce((a, v) => a + v * v, 0));
}

/** The linear Gaussian VAE with the decoder above and, unless `perturb`, the exact posterior as its encoder. */
function linearVae(perturb = 0): Autoencoder {
  const vae = Autoencoder.create({
    input: [D], encoder: [{ type: 'gaussian', units: K }], decoder: [{ type: 'dense', units: D }], output: { activation: 'identity', loss: 'gaussian', sigma: SIGMA },
  }, 1);
  const code = vae.encoder.layers[0] as Gaussian;
  const decoder = vae.decoder.layers[0] as Dense;
  for (let i = 0; i < D; i++) for (let j = 0; j < K; j++) decoder.weight.data[i * K + j] = W(i, j);
  decoder.bias.data.set(B);
  // Posterior mean M⁻¹Wᵀ(x − b), M = diag(s² + σ²); variance σ²/(s² + σ²).
  for (let j = 0; j < K; j++) {
    const m = S[j] * S[j] + SIGMA * SIGMA;
    let bias = 0;
    for (let i = 0; i < D; i++) {
      code.meanWeight.data[j * D + i] = W(i, j) / m * (1 + perturb);
      bias -= (W(i, j) / m) * B[i] * (1 + perturb);
      code.logVarianceWeight.data[j * D + i] = 0;
    }
    code.meanBias.data[j] = bias + perturb;
    code.logVarianceBias.data[j] = Math.log((SIGMA * SIGMA) / m) + 2 * perturb;
  }
  return vae;
}

/** n draws of x from the PPCA model itself. */
function ppcaData(n: number, seed: number): Matrix {
  const rng = new Prng(seed);
  const x = new Float32Array(n * D);
  for (let r = 0; r < n; r++) {
    const z = [rng.normal(), rng.normal()];
    for (let i = 0; i < D; i++) x[r * D + i] = B[i] + W(i, 0) * z[0] + W(i, 1) * z[1] + SIGMA * rng.normal();
  }
  return { x, n, features: D };
}

const meanClosedForm = (data: Matrix) => {
  let total = 0;
  for (let r = 0; r < data.n; r++) total += ppcaLogDensity(data.x.subarray(r * D, (r + 1) * D));
  return -total / data.n;
};

test('likelihood: with the exact posterior as its encoder, a linear Gaussian VAE\'s IS estimate is the PPCA likelihood at any K', async () => {
  const data = ppcaData(40, 3);
  const exact = meanClosedForm(data);
  for (const samples of [1, 20]) {
    const result = await estimateLikelihood(linearVae(), data, { samples });
    // Every importance weight equals p(x): only float32 rounding separates them.
    assert.ok(Math.abs(result.nll - exact) < 2e-3, `K = ${samples}: ${result.nll} vs closed form ${exact}`);
  }
  // The ELBO equals log p(x) for the true posterior; its expectation is estimated with 2,000 draws.
  const { elbo } = await estimateLikelihood(linearVae(), data, { samples: 2000 });
  assert.ok(Math.abs(-elbo - exact) < 0.05, `ELBO ${elbo} vs closed form ${-exact}`);
});

test('likelihood: with a wrong encoder the ELBO falls below log p(x) and the IS estimate climbs back to it as K grows', async () => {
  const data = ppcaData(30, 4);
  const exact = meanClosedForm(data);
  const vae = linearVae(0.3);
  const one = await estimateLikelihood(vae, data, { samples: 1, seed: 1 });
  const many = await estimateLikelihood(vae, data, { samples: 5000, seed: 1 });
  assert.ok(-many.elbo > exact + 0.2, `the ELBO ${many.elbo} should be well below log p(x) = ${-exact}`);
  assert.ok(Math.abs(many.nll - exact) < 0.03, `K = 5000: ${many.nll} vs closed form ${exact}`);
  assert.ok(one.nll > many.nll + 0.1, `K = 1 (${one.nll}) is a looser bound than K = 5000 (${many.nll})`);
  // The KL term in closed form, its mean over examples, and its per-unit split add up.
  assert.ok(Math.abs(many.klPerUnit.reduce((a, b) => a + b, 0) - many.kl) < 1e-9);
  assert.ok(Math.abs(many.elbo + many.reconstruction + many.kl) < 1e-9);
});

test('likelihood: a one-unit Bernoulli VAE\'s IS estimate matches p(x) integrated on a grid', async () => {
  const vae = Autoencoder.create({
    input: [3], encoder: [{ type: 'gaussian', units: 1 }], decoder: [{ type: 'dense', units: 3 }], output: { activation: 'sigmoid', loss: 'bce' },
  }, 2);
  const decoder = vae.decoder.layers[0] as Dense;
  decoder.weight.data.set([2, -1.5, 0.5]);
  decoder.bias.data.set([0.2, 0.1, -0.4]);
  const code = vae.encoder.layers[0] as Gaussian;
  code.meanWeight.data.set([0.8, -0.6, 0.2]);
  code.meanBias.data.set([-0.3]);
  code.logVarianceWeight.data.set([0, 0, 0]);
  code.logVarianceBias.data.set([Math.log(0.5)]);
  const rows = [[1, 0, 0], [0, 1, 1], [1, 1, 0], [0, 0, 1]];
  const data = { x: Float32Array.from(rows.flat()), n: rows.length, features: 3 };
  let exact = 0;
  for (const x of rows) {
    // ∫ Π_i σ(±(w_i z + b_i)) N(z; 0, 1) dz on [−10, 10] by the midpoint rule, 20,000 cells.
    let integral = 0;
    const cells = 20000;
    const width = 20 / cells;
    for (let c = 0; c < cells; c++) {
      const z = -10 + (c + 0.5) * width;
      let p = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
      x.forEach((v, i) => {
        const logit = decoder.weight.data[i] * z + decoder.bias.data[i];
        p *= v === 1 ? 1 / (1 + Math.exp(-logit)) : 1 / (1 + Math.exp(logit));
      });
      integral += p * width;
    }
    exact -= Math.log(integral) / rows.length;
  }
  const result = await estimateLikelihood(vae, data, { samples: 5000, seed: 2 });
  assert.ok(Math.abs(result.nll - exact) < 0.01, `IS ${result.nll} vs integral ${exact}`);
  assert.ok(-result.elbo > result.nll, 'the ELBO is a looser bound');
});

test('likelihood: a deterministic autoencoder has no likelihood here, and a Gaussian code must end the encoder', async () => {
  const ae = Autoencoder.create({ layers: [4, 2] }, 1);
  assert.equal(variationalParts(ae), null);
  await assert.rejects(estimateLikelihood(ae, { x: new Float32Array(4), n: 1, features: 4 }), /deterministic/);
  const misplaced = Autoencoder.create({ input: [4], encoder: [{ type: 'gaussian', units: 3 }, { type: 'dense', units: 2 }] }, 1);
  assert.throws(() => variationalParts(misplaced), /encoder\.0 \(gaussian\).*last layer/);
});
