/**
 * Central-difference gradient checks for every primitive op, on the reference backend and, when
 * the addon is built, on the native one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Activation, UnaryOp } from '../../src/backend/backend.js';
import {
  bceWithLogits, binary, linear, rowBceWithLogits, matmul, mean, reshape, withBackend, squaredError, sum, Tensor, unary,
} from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';
import { availableBackends } from '../helpers/backends.js';

for (const backend of await availableBackends()) {
  describe(`gradients on the ${backend.name} backend`, () => {
    const rng = new Prng(11);

    test('matmul, every transpose combination', () => withBackend(backend, () => {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = randomTensor(rng, transA ? [4, 3] : [3, 4]);
          const b = randomTensor(rng, transB ? [5, 4] : [4, 5]);
          gradCheck(`matmul(${transA}, ${transB})`, (x, y) => matmul(x, y, transA, transB), [a, b]);
        }
      }
    }));

    test('linear with every activation, with and without bias', () => withBackend(backend, () => {
      const acts: Activation[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu'];
      for (const act of acts) {
        const x = randomTensor(rng, [3, 5]);
        const w = randomTensor(rng, [4, 5]);
        const b = randomTensor(rng, [4]);
        // Kinks (relu at 0) make central differences meaningless; nudge pre-activations away.
        gradCheck(`linear(${act})`, (xi, wi, bi) => linear(xi, wi, bi, act, 0.1), [x, w, b], { eps: 1e-3 });
        gradCheck(`linear(${act}) without bias`, (xi, wi) => linear(xi, wi, null, act, 0.1), [x, w], { eps: 1e-3 });
      }
    }));

    test('linear with a transposed weight (the tied decoder) matches x · w and its gradients', () => withBackend(backend, () => {
      for (const act of ['identity', 'sigmoid', 'tanh', 'leaky_relu'] as Activation[]) {
        const x = randomTensor(rng, [3, 4]);
        const w = randomTensor(rng, [4, 5]); // [k, n]: used as is, not transposed
        const b = randomTensor(rng, [5]);
        gradCheck(`linearᵀ(${act})`, (xi, wi, bi) => linear(xi, wi, bi, act, 0.1, true), [x, w, b], { eps: 1e-3 });
        gradCheck(`linearᵀ(${act}) without bias`, (xi, wi) => linear(xi, wi, null, act, 0.1, true), [x, w], { eps: 1e-3 });
      }
      // The forward equals linear() on an explicit transposed copy.
      const xs = randomTensor(rng, [3, 4]);
      const ws = randomTensor(rng, [4, 5]);
      const bs = randomTensor(rng, [5]);
      const copy = Tensor.zeros([5, 4]);
      for (let i = 0; i < 4; i++) for (let j = 0; j < 5; j++) copy.data[j * 4 + i] = ws.data[i * 5 + j];
      const viaFlag = linear(xs, ws, bs, 'tanh', 0.01, true).toArray();
      const viaCopy = linear(xs, copy, bs, 'tanh').toArray();
      viaFlag.forEach((v, i) => assert.ok(Math.abs(v - viaCopy[i]) < 1e-6, `element ${i}: ${v} vs ${viaCopy[i]}`));
      // The same weight used twice, as [n, k] and as [k, n]: its gradient is the sum of both uses.
      const x = randomTensor(rng, [3, 5]);
      const w = randomTensor(rng, [4, 5]);
      gradCheck('tied pair', (xi, wi) => linear(linear(xi, wi, null, 'sigmoid'), wi, null, 'sigmoid', 0.01, true), [x, w], { eps: 1e-3 });
    }));

    test('unary ops on their smooth domains', () => withBackend(backend, () => {
      const cases: [UnaryOp, number, number, number, number][] = [
        ['neg', -1, 1, 0, 0], ['exp', -1, 1, 0, 0], ['log', 0.5, 2, 0, 0], ['square', -1, 1, 0, 0],
        ['sqrt', 0.5, 2, 0, 0], ['abs', 0.2, 1, 0, 0], ['sigmoid', -2, 2, 0, 0], ['tanh', -2, 2, 0, 0],
        ['relu', 0.2, 1, 0, 0], ['leaky_relu', -1, -0.2, 0.1, 0], ['clamp', -0.5, 0.5, -1, 1],
        ['add_scalar', -1, 1, 3, 0], ['mul_scalar', -1, 1, -2.5, 0], ['pow_scalar', 0.5, 2, 1.5, 0],
        ['rsub_scalar', -1, 1, 2, 0], ['rdiv_scalar', 0.5, 2, 3, 0],
      ];
      for (const [op, low, high, p0, p1] of cases) {
        const x = randomTensor(rng, [2, 3], low, high);
        gradCheck(`unary ${op}`, (xi) => unary(op, xi, p0, p1), [x], { eps: 1e-3 });
      }
      // Outside clamp's range the gradient is zero.
      const outside = randomTensor(rng, [4], 2, 3);
      gradCheck('clamp outside its range', (xi) => unary('clamp', xi, -1, 1), [outside], { eps: 1e-3 });
    }));

    test('binary ops with broadcasting', () => withBackend(backend, () => {
      const shapes: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 4], [4]], [[3, 1], [1, 4]], [[2, 3, 4], [3, 1]], [[], [2, 2]]];
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        for (const [sa, sb] of shapes) {
          const a = randomTensor(rng, sa);
          // Divisors kept away from zero.
          const b = op === 'div' ? randomTensor(rng, sb, 0.5, 2) : randomTensor(rng, sb);
          gradCheck(`${op} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, (x, y) => binary(op, x, y), [a, b], { eps: 1e-3 });
        }
      }
    }));

    test('sum and mean over axes', () => withBackend(backend, () => {
      const x = randomTensor(rng, [2, 3, 4]);
      for (const axes of [undefined, 0, 1, 2, [0, 2], -1]) {
        for (const keep of [false, true]) {
          gradCheck(`sum ${JSON.stringify(axes)} keep=${keep}`, (xi) => sum(xi, axes, keep), [x]);
          gradCheck(`mean ${JSON.stringify(axes)} keep=${keep}`, (xi) => mean(xi, axes, keep), [x]);
        }
      }
    }));

    test('fused losses and reshape', () => withBackend(backend, () => {
      const pred = randomTensor(rng, [3, 5]);
      const target = randomTensor(rng, [3, 5], 0, 1, false);
      gradCheck('squaredError', (p) => squaredError(p, target, 1 / 3), [pred], { eps: 1e-3 });
      const logits = randomTensor(rng, [3, 5], -3, 3);
      gradCheck('bceWithLogits', (z) => bceWithLogits(z, target, 1 / 3), [logits], { eps: 1e-3 });
      gradCheck('reshape', (xi) => reshape(xi, [5, -1]), [pred]);
    }));

    test('row-wise binary cross-entropy: each row its own value and upstream gradient', () => withBackend(backend, () => {
      // The rows of an example of shape [2, 4] are flattened: 3 rows of 8 values.
      const logits = randomTensor(rng, [3, 2, 4], -3, 3);
      const target = randomTensor(rng, [3, 2, 4], 0, 1, false);
      gradCheck('rowBceWithLogits', (z) => rowBceWithLogits(z, target), [logits], { eps: 1e-3 });
      const rows = rowBceWithLogits(logits, target).data;
      assert.equal(rows.length, 3);
      // The rows add up to the fused loss over the whole batch.
      assert.ok(Math.abs(rows[0] + rows[1] + rows[2] - bceWithLogits(logits, target).data[0]) < 1e-4);
    }));
  });
}
