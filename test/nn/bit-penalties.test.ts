/**
 * The bit penalties of hashing codes: values derived by hand, and central-difference gradient
 * checks through a sigmoid layer, on every backend.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bitBalancePenalty, bitDecorrelationPenalty, viewConsistencyPenalty } from '../../src/nn/bit-penalties.js';
import { backward, linear, Tensor, withBackend } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

for (const backend of await availableBackends()) {
  describe(`bit penalties on the ${backend.name} backend`, () => {
    const rng = new Prng(5);

    test('balance: λ Σ (log 2 − H(batch mean)), zero for balanced bits; gradient', () => withBackend(backend, () => {
      // Bit means 0.4 and 0.5: only the first costs, ln 2 + 0.4 ln 0.4 + 0.6 ln 0.6.
      const p = Tensor.from([0.2, 0.5, 0.6, 0.5], [2, 2]);
      close(bitBalancePenalty(p, 2).item(), 2 * (Math.LN2 + 0.4 * Math.log(0.4) + 0.6 * Math.log(0.6)));
      close(bitBalancePenalty(Tensor.from([1, 0, 0, 1], [2, 2]), 1).item(), 0);
      const x = randomTensor(rng, [6, 5]);
      const w = randomTensor(rng, [4, 5]);
      const b = randomTensor(rng, [4]);
      gradCheck('balance', (xi, wi, bi) => bitBalancePenalty(linear(xi, wi, bi, 'sigmoid'), 0.7), [x, w, b], { eps: 1e-3 });
    }));

    test('decorrelation: λ/bits Σ off-diagonal (4·cov)²; gradient', () => withBackend(backend, () => {
      // Rows (0, 0) and (1, 1): both bits centred to ∓0.5, 4·cov = [[1, 1], [1, 1]], two off-diagonal ones over 2 bits.
      close(bitDecorrelationPenalty(Tensor.from([0, 0, 1, 1], [2, 2]), 3).item(), 3);
      // (0, 1) and (1, 0): covariance −1 off the diagonal, the same cost.
      close(bitDecorrelationPenalty(Tensor.from([0, 1, 1, 0], [2, 2]), 1).item(), 1);
      // Bit 2 constant: no covariance.
      close(bitDecorrelationPenalty(Tensor.from([0, 0.3, 1, 0.3], [2, 2]), 1).item(), 0);
      const x = randomTensor(rng, [7, 5]);
      const w = randomTensor(rng, [4, 5]);
      const b = randomTensor(rng, [4]);
      gradCheck('decorrelation', (xi, wi, bi) => bitDecorrelationPenalty(linear(xi, wi, bi, 'sigmoid'), 0.9), [x, w, b], { eps: 1e-3 });
    }));

    test('consistency: λ/batch Σ BCE against a fixed target; gradient reaches the view only', () => withBackend(backend, () => {
      // Logits 0 against targets 0.5: ln 2 a bit, 4 bits over a batch of 2.
      close(viewConsistencyPenalty(Tensor.zeros([2, 2]), Tensor.from([0.5, 0.5, 0.5, 0.5], [2, 2]), 1.5).item(), 1.5 * 4 * Math.LN2 / 2);
      const x = randomTensor(rng, [4, 5]);
      const w = randomTensor(rng, [3, 5]);
      const b = randomTensor(rng, [3]);
      const target = randomTensor(rng, [4, 3], 0.05, 0.95);
      gradCheck('consistency', (xi, wi, bi) => viewConsistencyPenalty(linear(xi, wi, bi), target, 0.8), [x, w, b], { eps: 1e-3 });
      // The target is a teacher: no gradient goes back to it.
      const teacher = randomTensor(rng, [4, 3], 0.05, 0.95);
      backward(viewConsistencyPenalty(linear(x, w, b), teacher, 1));
      assert.ok(!teacher.grad, 'the target received a gradient');
      assert.ok(w.grad, 'the view\'s weights received none');
    }));
  });
}
