/** Hand-derived golden values for the fused losses, on every available backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bceWithLogits, backward, softJaccard, softmaxCrossEntropy, withBackend, squaredError, Tensor } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';
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

test('softmax cross-entropy by hand: per-pixel scores, class weights, and its gradient checked', () => {
  // One example, two classes, two positions (scores laid out [1, 2, 2]):
  //   position 0: scores (0, ln 3), label 1: p = 3/4, loss −ln(3/4) = 0.2876821
  //   position 1: scores (2, 2),    label 0: p = 1/2, loss ln 2       = 0.6931472
  // Mean 0.4904146. With class weights (1, 3): (3 · 0.2876821 + 0.6931472) / 4 = 0.3890484.
  const scores = new Tensor(Float32Array.of(0, 2, Math.log(3), 2), [1, 2, 2], { requiresGrad: true });
  close(softmaxCrossEntropy(scores, [1, 0]).item(), 0.4904146);
  const weighted = softmaxCrossEntropy(scores, [1, 0], { classWeights: [1, 3] });
  close(weighted.item(), 0.3890484);
  backward(weighted);
  // Gradient w · (softmax − one-hot) / Σw: position 0: 3 · (1/4, 3/4 − 1) / 4; position 1: (1/2 − 1, 1/2) / 4.
  const g = Array.from(scores.grad!);
  [3 / 16, -1 / 8, -3 / 16, 1 / 8].forEach((v, i) => close(g[i], v));
  const rng = new Prng(4);
  const logits = randomTensor(rng, [3, 4, 2, 3], -2, 2);
  const labels = Array.from({ length: 3 * 6 }, (_, i) => (i * 7) % 4);
  gradCheck('softmaxCrossEntropy', (z) => softmaxCrossEntropy(z, labels, { classWeights: [1, 2, 0.5, 1] }), [logits], { eps: 1e-3 });
  assert.throws(() => softmaxCrossEntropy(logits, labels.slice(1)), /17 labels for scores \[3, 4, 2, 3\] \(expected 18/);
  assert.throws(() => softmaxCrossEntropy(logits, labels.map(() => 4)), /label 4 at example 0, position 0 is not a class in 0\.\.3/);
});

for (const backend of await availableBackends()) {
  test(`soft Jaccard by hand, classes absent from the labels left out, and its gradient checked on ${backend.name}`, () => withBackend(backend, () => {
    // The scores of the cross-entropy test: p = (1/4, 3/4) at position 0 and (1/2, 1/2) at position 1.
    // Labels (1, 0): class 0 has I = 1/2, U = (1/4 + 1/2) + 1 − 1/2 = 5/4, IoU 2/5; class 1 has
    // I = 3/4, U = (3/4 + 1/2) + 1 − 3/4 = 3/2, IoU 1/2; loss 1 − (2/5 + 1/2) / 2 = 0.55.
    // Labels (1, 1): class 0 is absent; class 1 has I = 5/4, U = 5/4 + 2 − 5/4 = 2; loss 1 − 5/8.
    const scores = new Tensor(Float32Array.of(0, 2, Math.log(3), 2), [1, 2, 2], { requiresGrad: true });
    close(softJaccard(scores, [1, 0]).item(), 0.55);
    close(softJaccard(scores, [1, 1]).item(), 0.375);
    const rng = new Prng(5);
    const logits = randomTensor(rng, [3, 4, 2, 3], -2, 2);
    const allClasses = Array.from({ length: 3 * 6 }, (_, i) => (i * 7) % 4);
    gradCheck('softJaccard', (z) => softJaccard(z, allClasses), [logits], { eps: 1e-3 });
    const classThreeAbsent = allClasses.map((label) => label % 3);
    gradCheck('softJaccard, a class absent', (z) => softJaccard(z, classThreeAbsent), [logits], { eps: 1e-3 });
    // 19 positions: a whole vector and a partial one at every width; classes 1 and 4 absent.
    const wide = randomTensor(rng, [2, 5, 19], -3, 3);
    const twoAbsent = Array.from({ length: 2 * 19 }, (_, i) => [0, 2, 3][(i * 5) % 3]);
    gradCheck('softJaccard, 19 positions, two classes absent', (z) => softJaccard(z, twoAbsent), [wide], { eps: 1e-3 });
    assert.throws(() => softJaccard(logits, allClasses.slice(1)), /17 labels for scores \[3, 4, 2, 3\] \(expected 18/);
    assert.throws(() => softJaccard(logits, allClasses.map(() => 4)), /label 4 at example 0, position 0 is not a class in 0\.\.3/);
  }));
}
