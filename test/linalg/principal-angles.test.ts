import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { principalAngles, type Subspace } from '../../src/linalg/principal-angles.js';

const rows = (basis: number[], dim: number): Subspace => ({ basis, dim, count: basis.length / dim, layout: 'rows' });
const close = (a: number, b: number, tol = 1e-10) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('a plane and the plane tilted by θ about a shared axis meet at 0 and θ', () => {
  // span{e1, e2} and span{e1, cosθ e2 + sinθ e3}: e1 is shared (angle 0); the second pair's
  // inner product is cosθ and nothing in the first plane does better, so the other angle is θ.
  // meanCos2 = (1 + cos²θ) / 2.
  for (const deg of [0, 10, 45, 90]) {
    const t = (deg * Math.PI) / 180;
    const r = principalAngles(rows([1, 0, 0, 0, 1, 0], 3), rows([1, 0, 0, 0, Math.cos(t), Math.sin(t)], 3));
    close(r.largestAngleDegrees, deg, 1e-10);
    close(r.radians[0], 0, 1e-14);
    close(r.meanCos2, (1 + Math.cos(t) ** 2) / 2);
  }
});

test('the same subspace in another (non-orthogonal) basis is at angle 0', () => {
  // span{(1,1,0,0), (0,1,1,0)} = span{(1,0,−1,0), (1,2,1,0)}: the second pair is a−b and a+b.
  const r = principalAngles(rows([1, 1, 0, 0, 0, 1, 1, 0], 4), rows([1, 0, -1, 0, 1, 2, 1, 0], 4));
  close(r.largestAngleDegrees, 0, 1e-10);
  close(r.meanCos2, 1);
});

test('orthogonal planes in R^4 are at 90 degrees with mean cos² 0', () => {
  const r = principalAngles(rows([1, 0, 0, 0, 0, 1, 0, 0], 4), rows([0, 0, 3, 0, 0, 0, 1, 1], 4));
  close(r.largestAngleDegrees, 90);
  close(r.meanCos2, 0);
});

test('a line against a plane: one angle, the line\'s angle to its projection', () => {
  // (1, 1, √2)/2 makes 45° with the xy-plane: its projection (1, 1, 0)/2 has length 1/√2 = cos 45°.
  const r = principalAngles(rows([1, 1, Math.SQRT2], 3), rows([1, 0, 0, 0, 1, 0], 3));
  assert.equal(r.cosines.length, 1);
  close(r.largestAngleDegrees, 45, 1e-10);
});

test('column layout reads a dim × count matrix (a decoder weight) by its columns', () => {
  // The 3 × 2 matrix [[1, 0], [0, 1], [0, 0]] has columns e1 and e2: the xy-plane.
  const columns: Subspace = { basis: Float32Array.of(1, 0, 0, 1, 0, 0), dim: 3, count: 2, layout: 'columns' };
  close(principalAngles(columns, rows([1, 1, 0, 1, -1, 0], 3)).largestAngleDegrees, 0, 1e-10);
  close(principalAngles(columns, rows([0, 0, 1], 3)).largestAngleDegrees, 90);
});

test('mismatched spaces and dependent bases are usage errors', () => {
  assert.throws(() => principalAngles(rows([1, 0], 2), rows([1, 0, 0], 3)), UsageError);
  assert.throws(() => principalAngles(rows([1, 0, 2, 0], 2), rows([1, 0], 2)), /rank-deficient/);
});
