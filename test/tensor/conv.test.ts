/**
 * Convolutions and pooling: output sizes against Dumoulin & Visin's convolution arithmetic guide,
 * values worked by hand, and central-difference gradient checks of every input on both backends
 * (odd sizes, strides, padding, dilation, groups, batch 1).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  conv2d, convOutputSize, convTranspose2d, convTransposeOutputSize, maxPool2d, maxUnpool2d, mul, Tensor, withBackend,
} from '../../src/tensor/index.js';
import { Prng } from '../../src/util/prng.js';
import { availableBackends } from '../helpers/backends.js';
import { gradCheck, randomTensor } from '../helpers/gradcheck.js';

const conv = (stride = 1, padding = 0, dilation = 1, groups = 1) => ({
  stride: [stride, stride] as [number, number], padding: [padding, padding] as [number, number], dilation: [dilation, dilation] as [number, number], groups,
});
const convT = (stride = 1, padding = 0, outputPadding = 0, dilation = 1, groups = 1) => ({ ...conv(stride, padding, dilation, groups), outputPadding: [outputPadding, outputPadding] as [number, number] });

test('output sizes: the convolution arithmetic guide\'s examples', () => {
  // A 3x3 kernel over a 4x4 input, unit stride, no padding: 2x2; its transpose gives 4x4 back.
  assert.equal(convOutputSize(4, 3, 1, 0), 2);
  assert.equal(convTransposeOutputSize(2, 3, 1, 0), 4);
  // 3x3 over 5x5, stride 2, padding 1: 3x3; the transpose gives 5x5.
  assert.equal(convOutputSize(5, 3, 2, 1), 3);
  assert.equal(convTransposeOutputSize(3, 3, 2, 1), 5);
  // 3x3 over 6x6, stride 2, padding 1, is 3x3 too; output padding 1 makes the transpose 6x6.
  assert.equal(convOutputSize(6, 3, 2, 1), 3);
  assert.equal(convTransposeOutputSize(3, 3, 2, 1, 1), 6);
  // Dilation 2 makes a 3x3 kernel span 5: 7 → 3.
  assert.equal(convOutputSize(7, 3, 1, 0, 2), 3);
  // The same through the ops' shapes.
  const x = Tensor.zeros([1, 1, 6, 6]);
  const w = Tensor.zeros([1, 1, 3, 3]);
  const down = conv2d(x, w, null, conv(2, 1));
  assert.deepEqual(down.shape, [1, 1, 3, 3]);
  assert.deepEqual(convTranspose2d(down, w, null, convT(2, 1, 1)).shape, [1, 1, 6, 6]);
  assert.deepEqual(convTranspose2d(down, w, null, convT(2, 1, 0)).shape, [1, 1, 5, 5]);
});

test('values by hand: a 2x2 kernel over a 3x3 input, its transpose, pooling and unpooling', () => {
  const x = Tensor.from([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
  const w = Tensor.from([1, 0, 0, -1], [1, 1, 2, 2]);
  // Each output is top-left minus bottom-right of its window: 1−5, 2−6, 4−8, 5−9, plus the bias 10.
  assert.deepEqual(conv2d(x, w, Tensor.from([10]), conv()).toArray(), [6, 6, 6, 6]);
  // The transpose spreads each input value over its window: y[i + a, j + b] += x[i, j] · w[a, b].
  const t = convTranspose2d(Tensor.from([1, 2, 3, 4], [1, 1, 2, 2]), w, null, convT());
  assert.deepEqual(t.toArray(), [1, 2, 0, 3, 3, -2, 0, -3, -4]);
  const { y, indices } = maxPool2d(Tensor.from([1, 5, 2, 0, 3, 4, 9, 9, 7, 1, 6, 8, 0, 2, 8, 8], [1, 1, 4, 4]), { kernel: [2, 2], stride: [2, 2], padding: [0, 0] });
  // Windows: {1, 5, 3, 4} → 5 at 1; {2, 0, 9, 9} → the first 9, at 6; {7, 1, 0, 2} → 7 at 8; {6, 8, 8, 8} → the first 8, at 11.
  assert.deepEqual([y.toArray(), [...indices]], [[5, 9, 7, 8], [1, 6, 8, 11]]);
  assert.deepEqual(maxUnpool2d(y, indices, [4, 4]).toArray(), [0, 5, 0, 0, 0, 0, 9, 0, 7, 0, 0, 8, 0, 0, 0, 0]);
});

for (const backend of await availableBackends()) {
  describe(`convolution gradients on the ${backend.name} backend`, () => {
    const rng = new Prng(21);
    const cases = [
      { name: '3x3, stride 1, no padding', x: [2, 3, 6, 5], w: [4, 3, 3, 3], o: conv() },
      { name: '3x3, stride 2, padding 1, batch 1', x: [1, 2, 7, 6], w: [3, 2, 3, 3], o: conv(2, 1) },
      { name: '2x2 dilated by 2, padding 1', x: [2, 2, 5, 6], w: [2, 2, 2, 2], o: conv(1, 1, 2) },
      { name: '3x3 in two groups, stride 2', x: [2, 4, 5, 5], w: [6, 2, 3, 3], o: conv(2, 0, 1, 2) },
      { name: '1x1', x: [2, 3, 4, 3], w: [5, 3, 1, 1], o: conv() },
      { name: '5x3 kernel, odd sizes', x: [1, 1, 9, 7], w: [2, 1, 5, 3], o: { ...conv(1, 1), stride: [2, 1] as [number, number] } },
    ];
    for (const c of cases) {
      test(`conv2d ${c.name}: input, weight and bias`, () => withBackend(backend, () => {
        const x = randomTensor(rng, c.x);
        const w = randomTensor(rng, c.w);
        const b = randomTensor(rng, [c.w[0]]);
        gradCheck(`conv2d ${c.name}`, (xi, wi, bi) => conv2d(xi, wi, bi, c.o), [x, w, b], { eps: 1e-2 });
      }));
    }

    test('conv2d with a fused activation: sigmoid, tanh and leaky relu', () => withBackend(backend, () => {
      for (const act of ['sigmoid', 'tanh', 'leaky_relu'] as const) {
        const x = randomTensor(rng, [2, 2, 5, 4]);
        const w = randomTensor(rng, [3, 2, 3, 3]);
        const b = randomTensor(rng, [3]);
        gradCheck(`conv2d ${act}`, (xi, wi, bi) => conv2d(xi, wi, bi, conv(1, 1), act, 0.1), [x, w, b], { eps: 1e-3 });
      }
    }));

    const transposed = [
      { name: '3x3, stride 2, padding 1, output padding 1', x: [2, 3, 3, 4], w: [3, 2, 3, 3], o: convT(2, 1, 1) },
      { name: '4x4, stride 2, padding 1, batch 1', x: [1, 2, 4, 3], w: [2, 3, 4, 4], o: convT(2, 1) },
      { name: '3x3 dilated by 2, two groups', x: [2, 4, 3, 3], w: [4, 1, 3, 3], o: convT(1, 1, 1, 2, 2) },
      { name: '1x1', x: [2, 3, 3, 2], w: [3, 4, 1, 1], o: convT() },
    ];
    for (const c of transposed) {
      test(`conv_transpose2d ${c.name}: input, weight and bias`, () => withBackend(backend, () => {
        const x = randomTensor(rng, c.x);
        const w = randomTensor(rng, c.w);
        const b = randomTensor(rng, [c.w[1] * c.o.groups]);
        gradCheck(`conv_transpose2d ${c.name}`, (xi, wi, bi) => convTranspose2d(xi, wi, bi, c.o), [x, w, b], { eps: 1e-2 });
      }));
    }

    test('max pooling and unpooling: the gradient goes to each window\'s maximum and back', () => withBackend(backend, () => {
      // Distinct values at least 0.01 apart keep every maximum where it is under the ±eps probes.
      const values = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37) % n) / n - 0.5);
      for (const [shape, kernel, stride, padding] of [[[2, 3, 6, 7], 2, 2, 0], [[1, 2, 7, 5], 3, 2, 1], [[2, 1, 5, 5], 3, 1, 1]] as const) {
        const x = Tensor.from(values(shape.reduce((a: number, b: number) => a * b, 1)), [...shape], true);
        const options = { kernel: [kernel, kernel] as [number, number], stride: [stride, stride] as [number, number], padding: [padding, padding] as [number, number] };
        gradCheck(`max_pool2d k${kernel} s${stride} p${padding}`, (xi) => maxPool2d(xi, options).y, [x], { eps: 1e-3 });
        const { y, indices } = maxPool2d(x, options);
        const pooled = Tensor.from(y.toArray(), y.shape, true);
        const scale = randomTensor(rng, [...y.shape], -1, 1, false);
        gradCheck(`max_unpool2d k${kernel} s${stride} p${padding}`, (v) => maxUnpool2d(mul(v, scale), indices, [shape[2], shape[3]]), [pooled]);
      }
    }));
  });
}

test('bad shapes are refused, naming what was expected', () => {
  const x = Tensor.zeros([1, 3, 5, 5]);
  assert.throws(() => conv2d(x, Tensor.zeros([4, 2, 3, 3]), null, conv()), /conv2d: input \[1, 3, 5, 5\] does not fit weight \[4, 2, 3, 3\] in 1 group\(s\) \(expected input \[batch, 2, height, width\]\)/);
  assert.throws(() => conv2d(x, Tensor.zeros([4, 3, 7, 7]), null, conv()), /smaller than the dilated kernel/);
  assert.throws(() => conv2d(x, Tensor.zeros([4, 3, 3, 3]), Tensor.zeros([3]), conv()), /bias \[3\] does not fit 4 output channels/);
  assert.throws(() => convTranspose2d(x, Tensor.zeros([3, 2, 3, 3]), null, convT(2, 1, 2)), /output padding 2 must be smaller than the stride or the dilation/);
  assert.throws(() => maxPool2d(Tensor.zeros([3, 5, 5]), { kernel: [2, 2], stride: [2, 2], padding: [0, 0] }), /expected an input \[batch, channels, height, width\]/);
  assert.throws(() => maxUnpool2d(Tensor.zeros([1, 1, 2, 2]), new Int32Array(3), [4, 4]), /do not match/);
});
