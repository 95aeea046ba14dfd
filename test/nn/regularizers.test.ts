/**
 * The penalties: central-difference gradient checks (through the layer that makes the
 * activations, so the gradients reach weights, biases and inputs), and values derived by hand.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Activation } from '../../src/backend/backend.js';
import { contractivePenalty, l1ActivityPenalty, l2Penalty, sparsityPenalty } from '../../src/nn/regularizers.js';
import { backward, linear, withBackend, Tensor } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

for (const backend of await availableBackends()) {
  describe(`penalties on the ${backend.name} backend`, () => {
    const rng = new Prng(21);

    test('L2: value λ Σ θ² and gradient exactly 2λθ', () => withBackend(backend, () => {
      const a = Tensor.from([1, -2, 3], [3], true);
      const b = Tensor.from([0.5, 0.25], [1, 2], true);
      const penalty = l2Penalty([a, b], 0.1);
      // 0.1 · (1 + 4 + 9 + 0.25 + 0.0625) = 1.43125
      close(penalty.item(), 1.43125);
      backward(penalty);
      assert.deepEqual(Array.from(a.grad!), [0.2, -0.4, 0.6000000238418579].map((v) => Math.fround(v)));
      a.grad!.forEach((g, i) => close(g, 2 * 0.1 * a.data[i], 1e-7));
      b.grad!.forEach((g, i) => close(g, 2 * 0.1 * b.data[i], 1e-7));
      gradCheck('l2', (x, y) => l2Penalty([x, y], 0.3), [randomTensor(rng, [3, 4]), randomTensor(rng, [5])], { eps: 1e-3 });
    }));

    test('sparsity: the KL value by hand, zero at ρ̂ = ρ, and its gradient through a sigmoid layer', () => withBackend(backend, () => {
      // Two units with batch means 0.1 and 0.5, ρ = 0.05:
      // KL(0.05‖0.1) = 0.05 ln 0.5 + 0.95 ln(0.95/0.9); KL(0.05‖0.5) = 0.05 ln 0.1 + 0.95 ln 1.9.
      const h = Tensor.from([0.0, 0.4, 0.2, 0.6], [2, 2]);
      const expected = 0.05 * Math.log(0.5) + 0.95 * Math.log(0.95 / 0.9) + 0.05 * Math.log(0.1) + 0.95 * Math.log(1.9);
      close(sparsityPenalty(h, 0.05, 1).item(), expected, 1e-5);
      close(sparsityPenalty(h, 0.05, 3).item(), 3 * expected, 1e-5);
      close(sparsityPenalty(Tensor.from([0.1, 0.3, 0.3, 0.1], [2, 2]), 0.2, 2).item(), 0, 1e-5);

      const x = randomTensor(rng, [6, 5]);
      const w = randomTensor(rng, [4, 5]);
      const b = randomTensor(rng, [4]);
      gradCheck('sparsity', (xi, wi, bi) => sparsityPenalty(linear(xi, wi, bi, 'sigmoid'), 0.05, 3), [x, w, b], { eps: 1e-3 });
      gradCheck('sparsity rho 0.3', (xi, wi, bi) => sparsityPenalty(linear(xi, wi, bi, 'sigmoid'), 0.3, 0.5), [x, w, b], { eps: 1e-3 });
    }));

    test('L1 activity: λ · mean over rows of Σ|h|, and its gradient', () => withBackend(backend, () => {
      close(l1ActivityPenalty(Tensor.from([1, -2, 3, 0], [2, 2]), 0.5).item(), 0.5 * 6 / 2);
      const x = randomTensor(rng, [4, 5]);
      const w = randomTensor(rng, [3, 5]);
      const b = randomTensor(rng, [3], 2, 3); // tanh outputs kept away from 0, where |h| has its kink
      gradCheck('l1 activity', (xi, wi, bi) => l1ActivityPenalty(linear(xi, wi, bi, 'sigmoid'), 0.7), [x, w, b], { eps: 1e-3 });
    }));

    test('contractive: gradients for every activation', () => withBackend(backend, () => {
      const acts: Activation[] = ['sigmoid', 'tanh', 'relu', 'leaky_relu'];
      for (const act of acts) {
        const x = randomTensor(rng, [4, 5]);
        const w = randomTensor(rng, [3, 5]);
        const b = randomTensor(rng, [3]);
        gradCheck(`contractive(${act})`, (xi, wi, bi) => contractivePenalty(linear(xi, wi, bi, act, 0.1), wi, act, 0.4, 0.1), [x, w, b], { eps: 1e-3 });
      }
      // A linear layer's Jacobian is W itself: the penalty is λ‖W‖²_F whatever the input.
      const x = randomTensor(rng, [4, 5], -1, 1, false);
      const w = randomTensor(rng, [3, 5]);
      gradCheck('contractive(identity)', (wi) => contractivePenalty(linear(x, wi, null), wi, 'identity', 0.4), [w], { eps: 1e-3 });
      close(contractivePenalty(linear(x, w, null), w, 'identity', 0.4).item(), 0.4 * w.toArray().reduce((s, v) => s + v * v, 0));
    }));

    test('contractive: equals the squared Frobenius norm of the Jacobian taken by finite differences', () => withBackend(backend, () => {
      for (const act of ['sigmoid', 'tanh', 'leaky_relu'] as Activation[]) {
        const w = randomTensor(rng, [3, 4], -1, 1, false);
        const b = randomTensor(rng, [3], -1, 1, false);
        const rows = 2;
        const x = randomTensor(rng, [rows, 4], -1, 1, false);
        const h = linear(x, w, b, act, 0.1);
        let frobenius = 0;
        const eps = 1e-3;
        for (let r = 0; r < rows; r++) {
          for (let i = 0; i < 4; i++) {
            const plus = Tensor.from(x.data.slice(r * 4, r * 4 + 4), [1, 4]);
            const minus = Tensor.from(x.data.slice(r * 4, r * 4 + 4), [1, 4]);
            plus.data[i] += eps;
            minus.data[i] -= eps;
            const hp = linear(plus, w, b, act, 0.1).data;
            const hm = linear(minus, w, b, act, 0.1).data;
            for (let j = 0; j < 3; j++) frobenius += ((hp[j] - hm[j]) / (2 * eps)) ** 2;
          }
        }
        close(contractivePenalty(h, w, act, 1, 0.1).item(), frobenius / rows, 2e-3);
      }
    }));
  });
}
