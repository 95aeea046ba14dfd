/**
 * The decoder's last bias starts at the data's mean: by hand on tiny data, for each kind of last
 * layer, and left alone where it would be wrong (trained weights, an uncenter after it).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { startOutputAtMean } from '../../src/models/output-bias.js';

const close = (a: ArrayLike<number>, b: number[], what: string) =>
  b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) < 1e-5, `${what}[${i}]: ${a[i]} against ${v}`));

// Rows [0.2, 0, 1] and [0.6, 0, 1]: means 0.4, 0, 1. logit(0.4) = ln(0.4/0.6) = -0.405465;
// 0 and 1 are clamped to 1e-3 and 1 - 1e-3: logit = ∓ln(999) = ∓6.906755.
const rows = { x: Float32Array.of(0.2, 0, 1, 0.6, 0, 1), n: 2, features: 3 };

test('a sigmoid output starts at the logit of the mean, a linear one at the mean', () => {
  const sigmoid = Autoencoder.create({ layers: [3, 2], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce' });
  sigmoid.prepare(rows);
  close(sigmoid.parameters().find((p) => p.name === 'decoder.0.bias')!.tensor.data, [-0.405465, -6.906755, 6.906755], 'sigmoid');
  const linear = Autoencoder.create({ layers: [3, 2], outputActivation: 'identity', loss: 'mse' });
  linear.prepare(rows);
  close(linear.parameters().find((p) => p.name === 'decoder.0.bias')!.tensor.data, [0.4, 0, 1], 'linear');
  const tied = Autoencoder.create({ layers: [3, 2], codeActivation: 'sigmoid', tied: true });
  tied.prepare(rows);
  close(tied.parameters().find((p) => p.name === 'decoder.0.bias')!.tensor.data, [-0.405465, -6.906755, 6.906755], 'tied');
});

test('a convolution\'s bias starts at its channel\'s mean', () => {
  const model = Autoencoder.create({
    input: [1, 2, 2], encoder: [{ type: 'conv2d', filters: 2, kernel: 1 }], decoder: 'mirror', output: { activation: 'sigmoid', loss: 'bce' },
  });
  // One channel: the mean of all 8 values is 0.25, logit(0.25) = ln(1/3) = -1.098612.
  model.prepare({ x: Float32Array.of(0, 0.5, 0.5, 0, 0, 0, 1, 0), n: 2, features: 4 });
  const bias = model.parameters().at(-1)!;
  assert.equal(bias.name, 'decoder.0.bias');
  close(bias.tensor.data, [-1.098612], 'conv');
});

test('a trained bias, or one an uncenter follows, is left as it is', () => {
  const model = Autoencoder.create({ layers: [3, 2], codeActivation: 'sigmoid' });
  const bias = model.parameters().find((p) => p.name === 'decoder.0.bias')!.tensor.data;
  bias.set([0.1, 0, 0]);
  model.prepare(rows);
  assert.deepEqual([...bias], [Math.fround(0.1), 0, 0]);
  const centred = Autoencoder.create({ layers: [3, 2], outputActivation: 'identity', loss: 'mse', centerInputs: true });
  centred.prepare(rows);
  assert.deepEqual([...centred.parameters().find((p) => p.name === 'decoder.0.bias')!.tensor.data], [0, 0, 0]);
  assert.equal(startOutputAtMean(centred.decoder, centred.output, rows), false);
});
