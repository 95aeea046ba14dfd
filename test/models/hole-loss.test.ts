/** The hole-weighted loss: its value and gradient by hand, and where the autoencoder adds it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { holeLoss, holesLayerIndex } from '../../src/models/hole-loss.js';
import { inpaintModel } from '../../src/training/presets.js';
import { HOLE_VALUE } from '../../src/nn/holes.js';
import { backward, Tensor } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';

test('holeLoss: cross-entropy on the marked pixels only, by hand; a constant log 2 elsewhere, with no gradient there', () => {
  const logits = new Tensor(Float32Array.from([0.3, -1.2, 2.0, 0.7]), [1, 1, 2, 2], { requiresGrad: true });
  const target = new Tensor(Float32Array.from([1, 0.25, 0, 0.5]), [1, 1, 2, 2]);
  const noisy = new Tensor(Float32Array.from([HOLE_VALUE, 0.25, HOLE_VALUE, 0.5]), [1, 1, 2, 2]);
  const loss = holeLoss(logits, target, noisy, { activation: 'sigmoid', loss: 'bce' }, 0.5, 3);
  // BCE from logits: softplus(l) − t·l. Hole pixels 0 and 2; the other two contribute log 2 each.
  const softplus = (l: number) => Math.log1p(Math.exp(l));
  const byHand = 1.5 * (softplus(0.3) - 0.3 + softplus(2.0) - 0 + 2 * Math.LN2);
  assert.ok(Math.abs(loss.item() - byHand) < 1e-5, `${loss.item()} against ${byHand}`);
  backward(loss);
  const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
  // d/dl (softplus(l) − t·l) = σ(l) − t, times 1.5; nothing where the pixel was given.
  const expected = [1.5 * (sigmoid(0.3) - 1), 0, 1.5 * sigmoid(2.0), 0];
  logits.grad!.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-6, `grad ${i}: ${g} against ${expected[i]}`));
});

test('the autoencoder adds the hole term while training only, and only when asked', () => {
  const x = new Tensor(Float32Array.from({ length: 4 * 784 }, (_, i) => (i % 7) / 7), [4, 784]);
  const plain = Autoencoder.create(inpaintModel({ hidden: 0, code: 16 }), 1);
  const weighted = Autoencoder.create(inpaintModel({ hidden: 0, code: 16, holeWeight: 4 }), 1);
  assert.equal(holesLayerIndex(weighted.encoder), 0);
  const training = (m: Autoencoder) => m.objective({ x }, { training: true, rng: new Prng(9) }).loss.item();
  assert.ok(training(weighted) > training(plain) + 1, `${training(weighted)} against ${training(plain)}`);
  assert.equal(weighted.loss(x).item(), plain.loss(x).item());
});
