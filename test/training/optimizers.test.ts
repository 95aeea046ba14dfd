/** Optimizer steps against values worked out by hand, on every available backend. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NamedParameter } from '../../src/nn/layer.js';
import { withBackend, Tensor } from '../../src/tensor/index.js';
import { Adam, Sgd } from '../../src/training/optimizers.js';
import { learningRate } from '../../src/training/schedule.js';
import { availableBackends } from '../helpers/backends.js';

function param(value: number, kind: 'weight' | 'bias' = 'weight', l2 = 0): NamedParameter {
  return { name: 'p', tensor: Tensor.from([value], [1], true), kind, l2 };
}

function setGrad(p: NamedParameter, g: number): void {
  p.tensor.zeroGrad();
  p.tensor.gradTarget().buffer[0] = g;
}

const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `expected ${b}, got ${a}`);

for (const backend of await availableBackends()) {
  describe(`optimizers on ${backend.name}`, () => {
    test('Adam: bias correction makes the first steps lr · sign(g)', () => withBackend(backend, () => {
      // Step 1: m = 0.1·g, v = 0.001·g²; m̂ = g, v̂ = g²: update g/|g| = 1, so p = 1 − 0.1 = 0.9.
      // Step 2 with the same g: m̂ = (0.09 + 0.1)·g / 0.19 = g, v̂ = g² likewise: p = 0.8.
      const p = param(1);
      const adam = new Adam([p], { lr: 0.1 });
      setGrad(p, 0.5);
      adam.step();
      close(p.tensor.data[0], 0.9);
      setGrad(p, 0.5);
      adam.step();
      close(p.tensor.data[0], 0.8);
    }));

    test('Adam: coupled L2 folds λp into the gradient; AdamW shrinks p directly', () => withBackend(backend, () => {
      // Coupled L2 λ = 0.25 on the parameter: g' = g + 2λp = −0.1 + 0.5·1 = 0.4 > 0, so the first step goes down: p = 1 − 0.1 = 0.9.
      const coupled = param(1, 'weight', 0.25);
      const a = new Adam([coupled], { lr: 0.1 });
      setGrad(coupled, -0.1);
      a.step();
      close(coupled.tensor.data[0], 0.9);
      // Decoupled: p = p·(1 − lr·λ) − lr·sign(g) = 1·(1 − 0.05) + 0.1 = 1.05.
      const decoupled = param(1);
      const w = new Adam([decoupled], { lr: 0.1, weightDecay: 0.5 });
      setGrad(decoupled, -0.1);
      w.step();
      close(decoupled.tensor.data[0], 1.05);
      // Both: g' = −0.1 + 0.5·1 = 0.4 steps down, the shrink applies too: p = 0.95 − 0.1 = 0.85.
      const both = param(1, 'weight', 0.25);
      const ab = new Adam([both], { lr: 0.1, weightDecay: 0.5 });
      setGrad(both, -0.1);
      ab.step();
      close(both.tensor.data[0], 0.85);
      // Decoupled decay leaves biases alone: g = −0.1 alone, so p rises to 1.1.
      const bias = param(1, 'bias');
      const b = new Adam([bias], { lr: 0.1, weightDecay: 0.5 });
      setGrad(bias, -0.1);
      b.step();
      close(bias.tensor.data[0], 1.1);
      // A bias with its own L2 (a layer's bias regularizer) is decayed by it: as `coupled`, 0.9.
      const decayedBias = param(1, 'bias', 0.25);
      const db = new Adam([decayedBias], { lr: 0.1 });
      setGrad(decayedBias, -0.1);
      db.step();
      close(decayedBias.tensor.data[0], 0.9);
    }));

    test('SGD: plain, momentum and Nesterov', () => withBackend(backend, () => {
      // Plain: p = 1 − 0.1·2 = 0.8.
      const plain = param(1);
      const s0 = new Sgd([plain], { lr: 0.1 });
      setGrad(plain, 2);
      s0.step();
      close(plain.tensor.data[0], 0.8);
      // Momentum 0.9, g = 1 twice: v1 = 1, p = 0.9; v2 = 0.9 + 1 = 1.9, p = 0.9 − 0.19 = 0.71.
      const heavy = param(1);
      const s1 = new Sgd([heavy], { lr: 0.1, momentum: 0.9 });
      setGrad(heavy, 1); s1.step();
      setGrad(heavy, 1); s1.step();
      close(heavy.tensor.data[0], 0.71);
      // Nesterov: step by g + μ·v: v1 = 1, p = 1 − 0.1·1.9 = 0.81; v2 = 1.9, p = 0.81 − 0.1·(1 + 1.71) = 0.539.
      const nesterov = param(1);
      const s2 = new Sgd([nesterov], { lr: 0.1, momentum: 0.9, nesterov: true });
      setGrad(nesterov, 1); s2.step();
      close(nesterov.tensor.data[0], 0.81);
      setGrad(nesterov, 1); s2.step();
      close(nesterov.tensor.data[0], 0.539);
      // SGDW with momentum: v1 = 1, p = 1·(1 − 0.1·0.5) − 0.1·1 = 0.85; v2 = 1.9, p = 0.85·0.95 − 0.19 = 0.6175.
      const sgdw = param(1);
      const s3 = new Sgd([sgdw], { lr: 0.1, momentum: 0.9, weightDecay: 0.5 });
      setGrad(sgdw, 1); s3.step();
      close(sgdw.tensor.data[0], 0.85);
      setGrad(sgdw, 1); s3.step();
      close(sgdw.tensor.data[0], 0.6175);
      // Biases keep their value under decoupled decay: 1 − 0.1·1 = 0.9.
      const sbias = param(1, 'bias');
      const s4 = new Sgd([sbias], { lr: 0.1, weightDecay: 0.5 });
      setGrad(sbias, 1); s4.step();
      close(sbias.tensor.data[0], 0.9);
    }));
  });
}

test('cosine schedule: full rate at the start, half way at the middle, the floor at the end', () => {
  close(learningRate('cosine', 1, 0, 100, { floor: 0 }), 1);
  close(learningRate('cosine', 1, 50, 100, { floor: 0 }), 0.5);
  close(learningRate('cosine', 1, 100, 100, { floor: 0.1 }), 0.1);
  close(learningRate('constant', 0.3, 70, 100), 0.3);
  // Linear warm-up over 10 steps: step 4 (the fifth) runs at 5/10 of the rate.
  close(learningRate('constant', 1, 4, 100, { warmupSteps: 10 }), 0.5);
});
