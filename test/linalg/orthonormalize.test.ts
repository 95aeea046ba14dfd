import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { orthonormalizeRows } from '../../src/linalg/orthonormalize.js';

test('(3, 4), (1, 0) become (0.6, 0.8), (0.8, -0.6)', () => {
  // (3,4)/5; then (1,0) − 0.6·(0.6, 0.8) = (0.64, −0.48), of norm 0.8.
  const q = Float64Array.of(3, 4, 1, 0);
  assert.equal(orthonormalizeRows(q, 2, 2), 2);
  const expected = [0.6, 0.8, 0.8, -0.6];
  q.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-15, `${q.join(', ')}`));
});

test('nearly dependent vectors come out orthogonal to working precision', () => {
  const eps = 1e-9;
  const q = Float64Array.of(1, 0, 0, 1, eps, 0, 1, eps, eps);
  orthonormalizeRows(q, 3, 3);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += q[i * 3 + k] * q[j * 3 + k];
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12, `${i},${j}: ${s}`);
    }
  }
});

test('a dependent set throws, or loses the dependent vector in "zero" mode', () => {
  assert.throws(() => orthonormalizeRows(Float64Array.of(1, 2, 2, 4), 2, 2, 'the basis'), (e: Error) => e instanceof UsageError && /the basis: vector 1/.test(e.message));
  const q = Float64Array.of(1, 2, 0, 2, 4, 0, 0, 0, 1);
  assert.equal(orthonormalizeRows(q, 3, 3, 'q', 'zero'), 2);
  assert.deepEqual([...q.subarray(3, 6)], [0, 0, 0]);
  assert.deepEqual([...q.subarray(6)], [0, 0, 1]);
});
