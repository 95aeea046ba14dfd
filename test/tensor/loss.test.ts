/** Hand-derived golden values for the fused losses, on every available backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bceWithLogits, backward, withBackend, squaredError, Tensor } from '../../src/tensor/index.js';
import { availableBackends } from '../helpers/backends.js';

const close = (actual: number, expected: number, tol = 1e-5) =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);

for (const backend of await availableBackends()) {
  describe(`loss golden values on ${backend.name}`, () => {
    test('squared error', () => withBackend(backend, () => {
      // pred − target = (0.5, 0, −1, 0.25): squares 0.25 + 0 + 1 + 0.0625 = 1.3125; two rows, scale 1/2
      // gives the per-example mean 0.65625. Gradient 2 · scale · (pred − target) = (0.5, 0, −1, 0.25).
      const pred = new Tensor(Float32Array.of(0.5, 1, 0, 0.75), [2, 2], { requiresGrad: true });
      const target = Tensor.from([0, 1, 1, 0.5], [2, 2]);
      const loss = squaredError(pred, target, 1 / 2);
      close(loss.item(), 0.65625);
      backward(loss);
      assert.deepEqual(Array.from(pred.grad!), [0.5, 0, -1, 0.25]);
    }));

    test('binary cross-entropy from logits', () => withBackend(backend, () => {
      // BCE(z, t) = max(z, 0) − z·t + log(1 + e^−|z|):
      //   z = 0,  t = 1:   0 − 0 + log 2            = 0.6931472
      //   z = 2,  t = 0:   2 − 0 + log(1 + e^−2)    = 2.1269280
      //   z = −3, t = 1:   0 + 3 + log(1 + e^−3)    = 3.0485874
      //   z = 1,  t = 0.5: 1 − 0.5 + log(1 + e^−1)  = 0.8132617
      // Sum 6.6819243. Gradient σ(z) − t = (−0.5, 0.8807971, −0.9525741, 0.2310586).
      const z = new Tensor(Float32Array.of(0, 2, -3, 1), [4], { requiresGrad: true });
      const t = Tensor.from([1, 0, 1, 0.5]);
      const loss = bceWithLogits(z, t);
      close(loss.item(), 6.6819243);
      backward(loss);
      [-0.5, 0.8807971, -0.9525741, 0.2310586].forEach((g, i) => close(z.grad![i], g));
    }));

    test('binary cross-entropy stays finite for extreme logits', () => withBackend(backend, () => {
      // −log σ(100) ≈ e^−100 ≈ 0; −log(1 − σ(100)) = 100 + log(1 + e^−100) = 100.
      const loss = bceWithLogits(Tensor.from([100, 100, -100]), Tensor.from([1, 0, 0]));
      close(loss.item(), 100, 1e-4);
    }));
  });
}
