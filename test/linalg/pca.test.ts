/**
 * PCA on data built so that its answer is known exactly.
 *
 * Directions: the orthonormal DCT-II basis of R^d, u_k[j] = c_k cos(π (j + ½) k / d) with
 * c_0 = √(1/d) and c_k = √(2/d). Scores: Walsh functions over n = 2^p examples,
 * w_m[i] = (−1)^popcount(i & m), which for m ≥ 1 have mean 0, Σ_i w_m[i]² = n, and are mutually
 * orthogonal. So with x_i = μ + Σ_k √(λ_k (n − 1)/n) w_{m_k}[i] u_k the centred data are
 * X_c = W diag(√(λ (n − 1)/n)) Uᵀ and the sample covariance X_cᵀX_c/(n − 1) is exactly
 * Σ_k λ_k u_k u_kᵀ: PCA must return the u_k (up to sign) with variances λ_k. The only error left
 * is storing x in float32.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { fitPca } from '../../src/linalg/pca.js';
import type { RowMatrix } from '../../src/linalg/centred-data.js';
import { principalAngles } from '../../src/linalg/principal-angles.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';

const d = 24;
const n = 256;
const lambdas = [9, 4, 1, 0.25];
// DCT frequencies and Walsh indices for each component: any distinct choices work.
const freqs = [3, 1, 7, 2];
const walsh = [5, 1, 12, 66];

function dct(k: number): Float64Array {
  const c = Math.sqrt((k === 0 ? 1 : 2) / d);
  return Float64Array.from({ length: d }, (_, j) => c * Math.cos((Math.PI * (j + 0.5) * k) / d));
}

function popcount(v: number): number {
  let c = 0;
  for (; v; v &= v - 1) c++;
  return c;
}

/** The exact construction above, plus optional seeded Gaussian noise of standard deviation `noise`. */
function constructed(noise = 0, seed = 1): RowMatrix {
  const rng = new Prng(seed);
  const x = new Float32Array(n * d);
  const mu = Float64Array.from({ length: d }, (_, j) => 0.5 + 0.01 * j);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      let v = mu[j] + noise * rng.normal();
      lambdas.forEach((lambda, k) => {
        const w = popcount(i & walsh[k]) % 2 === 0 ? 1 : -1;
        v += Math.sqrt((lambda * (n - 1)) / n) * w * dct(freqs[k])[j];
      });
      x[i * d + j] = v;
    }
  }
  return { x, n, features: d };
}

/** |cos| between a fitted component and the true direction. */
function alignment(component: Float64Array, truth: Float64Array): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += component[j] * truth[j];
  return Math.abs(s);
}

test('exact PCA recovers the known directions (up to sign) and variances', () => {
  const pca = fitPca(constructed(), { components: 4 });
  lambdas.forEach((lambda, k) => {
    assert.ok(Math.abs(pca.explainedVariance[k] - lambda) < 1e-5 * lambda, `variance ${k}: ${pca.explainedVariance[k]}`);
    assert.ok(alignment(pca.component(k), dct(freqs[k])) > 1 - 1e-9, `component ${k}`);
  });
  const total = lambdas.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(pca.totalVariance - total) < 1e-5 * total);
  pca.explainedVarianceRatio.forEach((r, k) => assert.ok(Math.abs(r - lambdas[k] / total) < 1e-5));
  assert.ok(Math.abs(pca.explainedVarianceRatioTotal - 1) < 1e-6);
  // The sign convention: each component's largest entry is positive.
  for (let k = 0; k < 4; k++) {
    const c = pca.component(k);
    const big = c.reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);
    assert.ok(big > 0);
  }
});

test('transform and inverseTransform: rank-4 data come back exactly; codes carry the variances', () => {
  const data = constructed();
  const pca = fitPca(data, { components: 4 });
  const codes = pca.transform(data);
  assert.equal(codes.features, 4);
  // Code k is ±√(λ_k (n−1)/n) w_k: its sample variance is λ_k.
  for (let k = 0; k < 4; k++) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += codes.x[i * 4 + k] ** 2;
    assert.ok(Math.abs(ss / (n - 1) - lambdas[k]) < 1e-5 * lambdas[k]);
  }
  const back = pca.inverseTransform(codes);
  let worst = 0;
  for (let i = 0; i < data.x.length; i++) worst = Math.max(worst, Math.abs(back.x[i] - data.x[i]));
  assert.ok(worst < 1e-5, `max error ${worst}`);
  assert.ok(pca.reconstructionError(data).sse < 1e-10);
  // Keeping 2 of 4 components loses the other two's variance: sse = (n−1)/n (λ_3 + λ_4) per row.
  const two = pca.truncate(2).reconstructionError(data);
  const expected = ((n - 1) / n) * (lambdas[2] + lambdas[3]);
  assert.ok(Math.abs(two.sse - expected) < 1e-5, `${two.sse} vs ${expected}`);
  assert.ok(Math.abs(two.mse - two.sse / d) < 1e-15);
});

test('with noise: training sse is the discarded variance, and the ratio is below 1', () => {
  const data = constructed(0.05, 2);
  const pca = fitPca(data, { components: d });
  for (const k of [1, 2, 4, 10]) {
    const part = pca.truncate(k);
    let discarded = 0;
    for (let j = k; j < d; j++) discarded += pca.explainedVariance[j];
    // The sum of squares of the residual is (n − 1) × the discarded eigenvalues.
    assert.ok(Math.abs(part.reconstructionError(data).sse - ((n - 1) / n) * discarded) < 1e-6 * (1 + discarded), `k=${k}`);
    assert.ok(part.explainedVarianceRatioTotal > 0 && part.explainedVarianceRatioTotal < 1);
  }
  assert.ok(Math.abs(pca.explainedVarianceRatioTotal - 1) < 1e-9);
  // The noise tilts the directions only slightly: σ² = 0.0025 against gaps ≥ 0.75.
  lambdas.forEach((_, k) => assert.ok(alignment(pca.component(k), dct(freqs[k])) > 0.995, `component ${k}`));
});

test('randomized PCA agrees with the exact solver', () => {
  const data = constructed(0.05, 3);
  const exact = fitPca(data, { components: 4 });
  const fast = fitPca(data, { components: 4, solver: 'randomized', seed: 5 });
  for (let k = 0; k < 4; k++) {
    assert.ok(Math.abs(fast.explainedVariance[k] - exact.explainedVariance[k]) < 1e-9 * exact.explainedVariance[k], `variance ${k}`);
    assert.ok(alignment(fast.component(k), exact.component(k)) > 1 - 1e-9, `component ${k}`);
  }
  assert.ok(Math.abs(fast.totalVariance - exact.totalVariance) < 1e-9 * exact.totalVariance);
  const angles = principalAngles(
    { basis: fast.components, dim: d, count: 4, layout: 'rows' },
    { basis: exact.components, dim: d, count: 4, layout: 'rows' });
  assert.ok(angles.largestAngleDegrees < 1e-5, `${angles.largestAngleDegrees}`);
  // Rank-1 data, exactly so even in float32 (every feature equal): the range finder's extra
  // directions are dependent and dropped; asking for two components is an error.
  const a = Array.from({ length: 50 }, (_, i) => (i % 7) / 8);
  const rank1 = { x: Float32Array.from({ length: 50 * 5 }, (_, i) => a[Math.floor(i / 5)]), n: 50, features: 5 };
  const one = fitPca(rank1, { components: 1, solver: 'randomized' });
  const meanA = a.reduce((s, v) => s + v, 0) / 50;
  const varA = a.reduce((s, v) => s + (v - meanA) ** 2, 0) / 49;
  // All the variance lies along (1, …, 1)/√5, where it is 5 var(a).
  assert.ok(Math.abs(one.explainedVariance[0] - 5 * varA) < 1e-12, `${one.explainedVariance[0]} vs ${5 * varA}`);
  one.component(0).forEach((v) => assert.ok(Math.abs(v - 1 / Math.sqrt(5)) < 1e-12));
  assert.throws(() => fitPca(rank1, { components: 2, solver: 'randomized' }), /rank below 2/);
});

test('a GEMM kernel gives the same fit as the float64 loops (every backend)', async () => {
  const data = constructed(0.05, 4);
  const plain = fitPca(data, { components: 4 });
  for (const backend of await availableBackends()) {
    for (const solver of ['exact', 'randomized'] as const) {
      const viaGemm = fitPca(data, { components: 4, kernel: backend, solver, seed: 1 });
      for (let k = 0; k < 4; k++) {
        assert.ok(Math.abs(viaGemm.explainedVariance[k] - plain.explainedVariance[k]) < 1e-5 * plain.explainedVariance[k], `${backend.name} ${solver} variance ${k}`);
        assert.ok(alignment(viaGemm.component(k), plain.component(k)) > 1 - 1e-6, `${backend.name} ${solver} component ${k}`);
      }
    }
  }
});

test('bad requests are usage errors that say what was expected', () => {
  const data = constructed();
  assert.throws(() => fitPca(data, { components: 0 }), /components must be a whole number in 1\.\.24/);
  assert.throws(() => fitPca(data, { components: 25 }), UsageError);
  assert.throws(() => fitPca({ x: new Float32Array(3), n: 1, features: 3 }, { components: 1 }), /at least 2 examples/);
  const pca = fitPca(data, { components: 2 });
  assert.throws(() => pca.transform({ x: new Float32Array(3), n: 1, features: 3 }), /fitted on 24/);
  assert.throws(() => pca.inverseTransform({ x: new Float32Array(3), n: 1, features: 3 }), /2 components/);
  assert.throws(() => pca.truncate(3), UsageError);
});

test('features of zero variance are set aside: their unit vectors come last with variance 0', () => {
  // Three features; the middle one is constant (5). The other two carry (a, 2a) for a = −1, 0, 1:
  // all the variance lies along (1, 0, 2)/√5, with var(a) · 5 = 1 · 5 = 5 (var of −1, 0, 1 is 1).
  const x = Float32Array.of(-1, 5, -2, 0, 5, 0, 1, 5, 2);
  const pca = fitPca({ x, n: 3, features: 3 }, { components: 3 });
  assert.ok(Math.abs(pca.explainedVariance[0] - 5) < 1e-12);
  assert.ok(Math.abs(pca.explainedVariance[1]) < 1e-12 && pca.explainedVariance[2] === 0);
  const s = 1 / Math.sqrt(5);
  [s, 0, 2 * s].forEach((v, i) => assert.ok(Math.abs(pca.component(0)[i] - v) < 1e-12));
  // Second: the other direction in the plane of features 0 and 2; third: feature 1's own axis.
  [2 * s, 0, -s].forEach((v, i) => assert.ok(Math.abs(Math.abs(pca.component(1)[i]) - Math.abs(v)) < 1e-12));
  assert.deepEqual([...pca.component(2)], [0, 1, 0]);
  assert.ok(pca.reconstructionError({ x, n: 3, features: 3 }).sse < 1e-24);
});
