import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumericError, UsageError } from '../../src/errors.js';
import { symmetricEigen } from '../../src/linalg/symmetric-eigen.js';
import { Prng } from '../../src/util/prng.js';

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Prng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** max |A v − λ v| over all pairs, and max |VVᵀ − I|. */
function residuals(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): { eig: number; orth: number } {
  let eig = 0;
  let orth = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[k * n + j];
      eig = Math.max(eig, Math.abs(s - values[k] * vectors[k * n + i]));
    }
    for (let l = 0; l < n; l++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += vectors[k * n + j] * vectors[l * n + j];
      orth = Math.max(orth, Math.abs(s - (k === l ? 1 : 0)));
    }
  }
  return { eig, orth };
}

test('[[2, 1], [1, 2]] has eigenvalues 3 and 1 along (1, 1) and (1, -1)', () => {
  // det([[2 − λ, 1], [1, 2 − λ]]) = (2 − λ)² − 1 = 0 gives λ = 3, 1; (A − 3I)v = 0 gives v ∥ (1, 1).
  const { values, vectors } = symmetricEigen([2, 1, 1, 2], 2);
  assert.ok(Math.abs(values[0] - 3) < 1e-14 && Math.abs(values[1] - 1) < 1e-14, `${values.join(', ')}`);
  const h = Math.SQRT1_2;
  assert.ok(Math.abs(Math.abs(vectors[0]) - h) < 1e-14 && Math.abs(vectors[0] - vectors[1]) < 1e-14);
  assert.ok(Math.abs(Math.abs(vectors[2]) - h) < 1e-14 && Math.abs(vectors[2] + vectors[3]) < 1e-14);
});

test('a diagonal matrix is its own decomposition, sorted descending', () => {
  const { values, vectors } = symmetricEigen([1, 0, 0, 0, -4, 0, 0, 0, 7], 3);
  assert.deepEqual([...values], [7, 1, -4]);
  // Row 0 is ±e3, row 1 ±e1, row 2 ±e2.
  assert.deepEqual([...vectors].map(Math.abs), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
});

test('random symmetric matrices: A v = λ v and orthonormal vectors to 1e-12', () => {
  for (const n of [1, 2, 3, 17, 60]) {
    const a = randomSymmetric(n, n);
    const { values, vectors } = symmetricEigen(a, n);
    const r = residuals(a, n, values, vectors);
    assert.ok(r.eig < 1e-12 && r.orth < 1e-12, `n=${n}: ${JSON.stringify(r)}`);
    for (let i = 1; i < n; i++) assert.ok(values[i] <= values[i - 1]);
    // The trace is the sum of the eigenvalues.
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    assert.ok(Math.abs(trace - values.reduce((s, v) => s + v, 0)) < 1e-11);
  }
});

test('repeated eigenvalues still get an orthonormal set of vectors', () => {
  // I + 3·uuᵀ with u = (1,1,1,1)/2 has eigenvalue 4 along u and 1 (three times) on u's complement.
  const n = 4;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? 1 : 0) + 3 / 4;
  const { values, vectors } = symmetricEigen(a, n);
  assert.ok(Math.abs(values[0] - 4) < 1e-13 && values.subarray(1).every((v) => Math.abs(v - 1) < 1e-13), `${values.join(', ')}`);
  const r = residuals(a, n, values, vectors);
  assert.ok(r.eig < 1e-13 && r.orth < 1e-13);
  const zero = symmetricEigen(new Float64Array(9), 3);
  assert.deepEqual([...zero.values], [0, 0, 0]);
  assert.ok(residuals(new Float64Array(9), 3, zero.values, zero.vectors).orth < 1e-15);
});

test('bad input: wrong size and non-finite entries', () => {
  assert.throws(() => symmetricEigen([1, 2, 3], 2), UsageError);
  assert.throws(() => symmetricEigen([1, NaN, NaN, 1], 2), NumericError);
});
