/**
 * The diagonal Gaussian mixture's EM against values derived by hand: clusters far apart are
 * recovered exactly (their sample weights, means and variances), the log-likelihood never falls
 * across iterations, densities far from every component stay finite (log-sum-exp), draws follow
 * the weights and the temperature, and one seed gives one fit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitGaussianMixture, type GaussianMixture, mixtureLogDensity, sampleGaussianMixture } from '../../src/linalg/gaussian-mixture.js';
import { UsageError } from '../../src/errors.js';
import { Prng } from '../../src/util/prng.js';

const LOG_2PI = Math.log(2 * Math.PI);

test('two clusters far apart: EM recovers their weights, means and variances exactly', () => {
  // Cluster A: (−11, 0), (−9, 0) → mean (−10, 0), variances (1, 0) (0 is floored).
  // Cluster B: (9, 5), (10, 6), (11, 7) → mean (10, 6), variances (2/3, 2/3).
  // 20 apart against unit spreads, a point's responsibility for the other cluster is about
  // exp(−200): EM's fixed point is the two clusters' own weights 2/5 and 3/5, means and variances.
  const rows = [[-11, 0], [-9, 0], [9, 5], [10, 6], [11, 7]];
  // Each row four times, so that k-means++ seeds are drawn from a larger pool.
  const x = rows.flatMap((r) => [r, r, r, r]).flat();
  for (const seed of [0, 1, 2, 3]) {
    const { mixture, converged } = fitGaussianMixture({ x, n: 20, features: 2 }, { components: 2, seed });
    assert.ok(converged);
    const a = mixture.means[0] < 0 ? 0 : 1;
    const b = 1 - a;
    assert.ok(Math.abs(mixture.weights[a] - 0.4) < 1e-9 && Math.abs(mixture.weights[b] - 0.6) < 1e-9, `weights ${mixture.weights.join(", ")}`);
    for (const [got, want] of [[mixture.means[a * 2], -10], [mixture.means[a * 2 + 1], 0], [mixture.means[b * 2], 10], [mixture.means[b * 2 + 1], 6]]) {
      assert.ok(Math.abs(got - want) < 1e-9, `mean ${got}, expected ${want}`);
    }
    assert.ok(Math.abs(mixture.variances[a * 2] - 1) < 1e-9);
    assert.ok(Math.abs(mixture.variances[b * 2] - 2 / 3) < 1e-9 && Math.abs(mixture.variances[b * 2 + 1] - 2 / 3) < 1e-9);
    // Along y cluster A has no spread: its variance is the floor, 1e-4 of the data's variance
    // along y (mean 3.6, E[y²] = (0 + 0 + 25 + 36 + 49)/5 = 22, variance 22 − 12.96 = 9.04).
    assert.ok(Math.abs(mixture.variances[a * 2 + 1] - 9.04e-4) < 1e-12, `floored variance ${mixture.variances[a * 2 + 1]}`);
  }
});

test('the log-likelihood never decreases across EM iterations (overlapping clusters, several K)', () => {
  const rng = new Prng(7);
  const n = 600;
  const x = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    for (let j = 0; j < 3; j++) x[i * 3 + j] = (j === c ? 1.5 : 0) + (0.5 + 0.5 * c) * rng.normal();
  }
  for (const components of [2, 3, 6]) {
    const seen: number[] = [];
    const fit = fitGaussianMixture({ x, n, features: 3 }, { components, seed: components, maxIterations: 80, tolerance: 0, onIteration: (_i, ll) => seen.push(ll) });
    assert.deepEqual(seen, fit.logLikelihoods);
    assert.ok(fit.logLikelihoods.length >= 10);
    for (let i = 1; i < fit.logLikelihoods.length; i++) {
      assert.ok(fit.logLikelihoods[i] >= fit.logLikelihoods[i - 1] - 1e-12, `K = ${components}, iteration ${i}: ${fit.logLikelihoods[i - 1]} → ${fit.logLikelihoods[i]}`);
    }
    assert.ok(fit.meanLogLikelihood >= fit.logLikelihoods.at(-1)! - 1e-12);
    // The fitted mixture's density is the one EM reports.
    const mean = mixtureLogDensity(fit.mixture, { x, n, features: 3 }).reduce((s, v) => s + v, 0) / n;
    assert.ok(Math.abs(mean - fit.meanLogLikelihood) < 1e-9);
    assert.ok(Math.abs(fit.mixture.weights.reduce((s, w) => s + w, 0) - 1) < 1e-12);
  }
});

test('log densities by hand, and finite far from every component', () => {
  // One standard normal: log φ(0) = −½ log 2π.
  const single: GaussianMixture = { weights: [1], means: [0], variances: [1], components: 1, features: 1 };
  assert.ok(Math.abs(mixtureLogDensity(single, { x: [0], n: 1, features: 1 })[0] + 0.5 * LOG_2PI) < 1e-12);
  // Equal halves at ±1, unit variances, at x = 0: ½ φ(1) + ½ φ(1) = φ(1), log φ(1) = −½ log 2π − ½.
  const pair: GaussianMixture = { weights: [0.5, 0.5], means: [-1, 1], variances: [1, 1], components: 2, features: 1 };
  const [atZero, far] = mixtureLogDensity(pair, { x: [0, 1000], n: 2, features: 1 });
  assert.ok(Math.abs(atZero - (-0.5 * LOG_2PI - 0.5)) < 1e-12);
  // At 1000 the nearer component dominates: log(½ φ(999) + ½ φ(1001)) ≈ log ½ − ½ log 2π − 999²/2,
  // the other term smaller by a factor exp(−2000). Exponentiated directly both would underflow.
  assert.ok(Math.abs(far - (Math.log(0.5) - 0.5 * LOG_2PI - 999 * 999 / 2)) < 1e-6, `${far}`);
  // A variance of 4 in 2-d at its mean: −log 2π − ½ log 16.
  const wide: GaussianMixture = { weights: [1], means: [3, -2], variances: [4, 4], components: 1, features: 2 };
  assert.ok(Math.abs(mixtureLogDensity(wide, { x: [3, -2], n: 1, features: 2 })[0] - (-LOG_2PI - 0.5 * Math.log(16))) < 1e-12);
});

test('draws follow the weights, the means and the temperature', () => {
  const mixture: GaussianMixture = { weights: [0.2, 0.8], means: [-20, 20], variances: [1, 4], components: 2, features: 1 };
  const count = 20000;
  for (const temperature of [1, 0.5]) {
    const z = sampleGaussianMixture(mixture, count, new Prng(3), temperature);
    const left = Array.from(z).filter((v) => v < 0);
    const right = Array.from(z).filter((v) => v >= 0);
    // The share of the first component: 0.2 ± 3 binomial standard errors (0.0028 each).
    assert.ok(Math.abs(left.length / count - 0.2) < 0.0085, `share ${left.length / count}`);
    const sd = (a: number[]) => {
      const m = a.reduce((s, v) => s + v, 0) / a.length;
      return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
    };
    assert.ok(Math.abs(sd(left) - temperature) < 0.05 * temperature, `sd ${sd(left)}`);
    assert.ok(Math.abs(sd(right) - 2 * temperature) < 0.05 * temperature, `sd ${sd(right)}`);
  }
});

test('one seed gives one fit; too few rows or a bad K are refused', () => {
  const rng = new Prng(1);
  const x = Array.from({ length: 400 }, () => rng.normal());
  const a = fitGaussianMixture({ x, n: 200, features: 2 }, { components: 4, seed: 5 });
  const b = fitGaussianMixture({ x, n: 200, features: 2 }, { components: 4, seed: 5 });
  assert.deepEqual(a.mixture, b.mixture);
  assert.throws(() => fitGaussianMixture({ x: [1, 2], n: 2, features: 1 }, { components: 3 }), UsageError);
  assert.throws(() => fitGaussianMixture({ x: [1, 2], n: 2, features: 1 }, { components: 1.5 }), /positive integer/);
});
