import assert from 'node:assert/strict';
import { test } from 'node:test';
import { svd } from '../../src/linalg/svd.js';
import { Prng } from '../../src/util/prng.js';

/** max |U diag(s) V − A|. */
function reconstructionError(a: Float64Array, rows: number, cols: number, r: ReturnType<typeof svd>): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let v = 0;
      for (let k = 0; k < r.s.length; k++) v += r.u[k * rows + i] * r.s[k] * r.v[k * cols + j];
      worst = Math.max(worst, Math.abs(v - a[i * cols + j]));
    }
  }
  return worst;
}

test('a hand example: [[3, 0], [4, 5]] has singular values √45 and √5', () => {
  // AᵀA = [[25, 20], [20, 25]] has eigenvalues 45 and 5, so s = √45 = 3√5 and √5.
  const a = Float64Array.of(3, 0, 4, 5);
  const r = svd(a, 2, 2);
  assert.ok(Math.abs(r.s[0] - Math.sqrt(45)) < 1e-14 && Math.abs(r.s[1] - Math.sqrt(5)) < 1e-14, `${r.s.join(', ')}`);
  assert.ok(reconstructionError(a, 2, 2, r) < 1e-14);
  assert.equal(r.rank, 2);
});

test('wide, tall and rank-deficient matrices are rebuilt from their factors', () => {
  const rng = new Prng(3);
  for (const [rows, cols] of [[3, 7], [7, 3], [5, 5], [1, 4], [4, 1]]) {
    const a = Float64Array.from({ length: rows * cols }, () => rng.normal());
    const r = svd(a, rows, cols);
    assert.equal(r.s.length, Math.min(rows, cols));
    assert.ok(reconstructionError(a, rows, cols, r) < 1e-13, `${rows}x${cols}`);
    for (let i = 1; i < r.s.length; i++) assert.ok(r.s[i] <= r.s[i - 1]);
  }
  // Rank 1: the outer product of (1, 2, 3) and (1, -1) has one singular value |(1,2,3)|·|(1,-1)| = √14·√2.
  const outer = Float64Array.of(1, -1, 2, -2, 3, -3);
  const r = svd(outer, 3, 2);
  assert.ok(Math.abs(r.s[0] - Math.sqrt(28)) < 1e-13 && r.s[1] < 1e-14);
  assert.equal(r.rank, 1);
});
