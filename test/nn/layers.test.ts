/**
 * The layers on their own: dropout (inverted, training only, seeded, with its gradient check),
 * the noise layer's gradient where it sits inside a network, centring, flatten and reshape, and
 * shape inference that fails at build time naming the layer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { buildStack } from '../../src/models/layer-specs.js';
import { Binarize } from '../../src/nn/binarize.js';
import { Center, Uncenter } from '../../src/nn/center.js';
import { Dense } from '../../src/nn/dense.js';
import { Dropout } from '../../src/nn/dropout.js';
import { Flatten } from '../../src/nn/flatten.js';
import { INFERENCE } from '../../src/nn/layer.js';
import { NoiseLayer } from '../../src/nn/noise.js';
import { Reshape } from '../../src/nn/reshape.js';
import { backward, mul, sum, Tensor, withBackend } from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

const training = (seed = 3) => ({ training: true, rng: new Prng(seed) });

for (const backend of await availableBackends()) {
  describe(`layers on the ${backend.name} backend`, () => {
    test('dropout: the gradient is the mask scaled by 1/(1 − rate) (central differences, the same draw each time)', () => withBackend(backend, () => {
      const drop = new Dropout({ type: 'dropout', rate: 0.4 }, [6]);
      const x = randomTensor(new Prng(1), [5, 6]);
      gradCheck('dropout', (xi) => drop.forward(xi, training()), [x]);
    }));

    test('noise inside a network passes its gradient through the kept values', () => withBackend(backend, () => {
      for (const spec of ['mask:0.3', 'gaussian:0.5', 'salt-pepper:0.3']) {
        const noise = new NoiseLayer({ type: 'noise', spec }, [4]);
        const dense = new Dense({ type: 'dense', units: 4, activation: 'tanh' }, [4], new Prng(2));
        const x = randomTensor(new Prng(4), [3, 4]);
        // The weight is an input too, so the check covers the dense layer's use of the noisy values.
        gradCheck(`noise ${spec} then dense`, (xi) => dense.forward(noise.forward(xi, training())), [x, dense.weight], { eps: 1e-3 });
      }
    }));
  });
}

test('dropout: inverted and seeded while training, the identity at inference', () => {
  const drop = new Dropout({ type: 'dropout', rate: 0.25 }, [4000]);
  const x = Tensor.from(new Float32Array(4000).fill(1), [1, 4000]);
  assert.equal(drop.forward(x, INFERENCE), x);
  const y = drop.forward(x, training(9)).toArray();
  const zeros = y.filter((v) => v === 0).length / y.length;
  assert.ok(Math.abs(zeros - 0.25) < 0.03, `dropped ${zeros}`);
  // Survivors are scaled by 1/(1 − 0.25), so the mean stays near 1.
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  assert.deepEqual(drop.forward(x, training(9)).toArray(), y, 'the same seed drops the same values');
  assert.notDeepEqual(drop.forward(x, training(10)).toArray(), y);
});

test('binarize: bits forward at the threshold, in training and inference; the identity backward (straight-through)', () => {
  const layer = new Binarize({ type: 'binarize', threshold: 0.5 }, [4]);
  const x = Tensor.from([0.1, 0.5, 0.51, 0.97, 0.7, 0.2, 0.49, 0.6], [2, 4], true);
  assert.deepEqual(layer.forward(x, INFERENCE).toArray(), [0, 0, 1, 1, 1, 0, 0, 1]);
  const weights = Tensor.from([1, -2, 3, -4, 5, -6, 7, -8], [2, 4]);
  const y = layer.forward(x, training());
  assert.deepEqual(y.toArray(), [0, 0, 1, 1, 1, 0, 0, 1]);
  // d/dx Σ w ⊙ bits(x), with the rounding's derivative taken as 1, is w itself.
  backward(sum(mul(y, weights)));
  assert.deepEqual([...x.grad!], [1, -2, 3, -4, 5, -6, 7, -8]);
  assert.deepEqual(buildStack('encoder', [{ type: 'binarize' }], [3], { rng: new Prng(1), byName: new Map() }).layers[0].spec(), { type: 'binarize', threshold: 0.5 });
});

test('center subtracts the adapted mean and its uncenter partner adds it back', () => {
  const center = new Center({ type: 'center' }, [2]);
  center.adapt({ x: Float32Array.of(1, 10, 3, 30), n: 2, features: 2 });
  assert.deepEqual(center.mean.toArray(), [2, 20]);
  const back = new Uncenter({ type: 'uncenter', partner: 'encoder.0' }, [2], center);
  const x = Tensor.from([5, 5], [1, 2]);
  assert.deepEqual(center.forward(x).toArray(), [3, -15]);
  assert.deepEqual(back.forward(center.forward(x)).toArray(), [5, 5]);
  assert.deepEqual(center.buffers('encoder.0').map((b) => b.name), ['encoder.0.mean']);
  assert.deepEqual(center.parameters('encoder.0'), [], 'the mean is saved, not trained');
});

test('flatten and reshape view examples in another shape of the same size', () => {
  const flat = new Flatten({ type: 'flatten' }, [2, 3, 4]);
  assert.deepEqual(flat.outputShape, [24]);
  const x = Tensor.from(Array.from({ length: 48 }, (_, i) => i), [2, 2, 3, 4]);
  const y = flat.forward(x);
  assert.deepEqual(y.shape, [2, 24]);
  assert.deepEqual(new Reshape({ type: 'reshape', shape: [2, 3, 4] }, [24]).forward(y).toArray(), x.toArray());
});

test('a bad stack fails when it is built, naming the layer, its input and the sizes', () => {
  const ctx = () => ({ rng: new Prng(0), byName: new Map() });
  const fails = (specs: Parameters<typeof buildStack>[1], shape: number[], pattern: RegExp) =>
    assert.throws(() => buildStack('encoder', specs, shape, ctx()), (e) => e instanceof UsageError && pattern.test(e.message), String(pattern));
  fails([{ type: 'dense', units: 4 }], [1, 28, 28], /^encoder\.0 \(dense, input \[1, 28, 28\]\): takes vectors .*put a flatten layer before it/);
  fails([{ type: 'flatten' }, { type: 'reshape', shape: [5, 5] }], [1, 28, 28], /^encoder\.1 \(reshape, input \[784\]\): cannot view examples of shape \[784\] \(784 values\) as \[5, 5\] \(25 values\)/);
  fails([{ type: 'dense', units: 0 }], [4], /^encoder\.0: units: /);
  fails([{ type: 'dense', units: 3, activation: 'relu', activityRegularizer: { kl: { rho: 0.1 } } }], [4], /^encoder\.0: activityRegularizer\.kl: the KL sparsity penalty needs activation "sigmoid"/);
  fails([{ type: 'tied_dense', partner: 'encoder.7' }], [4], /^encoder\.0 \(tied_dense, input \[4\]\): its partner "encoder\.7" is not a layer built before it/);
  fails([{ type: 'dense', units: 3 }, { type: 'uncenter', partner: 'encoder.0' }], [4], /its partner "encoder\.0" is a dense layer, expected center/);
  fails([{ type: 'conv9d' } as never], [4], /^encoder\.0: type: /);
  fails([{ type: 'noise', spec: 'mask:2' }], [4], /^encoder\.0: spec: noise "mask:2"/);
  // Named layers are partners by name.
  const stack = buildStack('encoder', [{ type: 'center', name: 'mean' }, { type: 'uncenter', partner: 'mean' }], [3], ctx());
  assert.equal((stack.layers[1] as Uncenter).partner, stack.layers[0]);
});

test('the parameter bound counts a tied layer\'s own bias before it is built: one value per input of its partner', () => {
  // dense 6 -> 3 holds 3 * (6 + 1) = 21 values; its tied partner adds a bias of 6.
  const build = (maxParameters: number) => {
    const ctx = { rng: new Prng(0), byName: new Map(), maxParameters };
    buildStack('encoder', [{ type: 'dense', units: 3 }], [6], ctx);
    return buildStack('decoder', [{ type: 'tied_dense', partner: 'encoder.0' }], [3], ctx);
  };
  assert.equal(build(27).layers[0].parameters('decoder.0').reduce((n, p) => n + p.tensor.size, 0), 6);
  assert.throws(() => build(26), (e) => e instanceof UsageError && /^decoder\.0 \(tied_dense\): its 6 parameters would give the model more than the 26 values/.test(e.message));
});
