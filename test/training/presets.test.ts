/** The inpaint preset's net: its shape, as the README's "Inpainting" describes it, and its options. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { inpaintModel, PRESETS, vaeModel } from '../../src/training/presets.js';
import { Tensor } from '../../src/tensor/index.js';

const shapes = (model: Autoencoder) => model.parameters().filter((p) => p.name.endsWith('weight')).map((p) => p.tensor.shape.join('x'));

test('the inpaint preset: a stride-1 convolution at 28x28, two strided ones to 64x7x7, 1,024 dense units, a 256-unit code, mirrored', () => {
  const model = Autoencoder.create(PRESETS.inpaint.model, 0);
  assert.deepEqual(shapes(model), [
    '16x1x3x3', '32x16x3x3', '64x32x3x3', '1024x3136', '256x1024',
    '1024x256', '3136x1024', '64x32x3x3', '32x16x3x3', '16x1x3x3',
  ]);
  assert.deepEqual(model.codeShape, [256]);
  const x = new Tensor(new Float32Array(2 * 784).fill(0.5), [2, 1, 28, 28]);
  assert.deepEqual(model.reconstruct(x).shape, [2, 1, 28, 28]);
  assert.equal(model.trainingNoise, 'holes:0.6,0.8');
});

test('inpaintModel: filters without strides are all strided (the earlier two-convolution net), and strides may be given', () => {
  assert.deepEqual(shapes(Autoencoder.create(inpaintModel({ filters: [32, 64], hidden: 0, code: 8 }), 0)), ['32x1x3x3', '64x32x3x3', '8x3136', '3136x8', '64x32x3x3', '32x1x3x3']);
  // Stride 1 then 2 leaves 14x14: 32·196 = 6,272 features before the code.
  assert.deepEqual(shapes(Autoencoder.create(inpaintModel({ filters: [16, 32], strides: [1, 2], hidden: 0, code: 8 }), 0))[2], '8x6272');
});

test('vaeModel with refine: the conv decoder ends in a stride-1 convolution at 28x28 after the transposed convolutions, and a hidden layer is mirrored', () => {
  const model = Autoencoder.create(vaeModel({ hidden: [512], units: 50, conv: true, refine: 32 }), 0);
  assert.deepEqual(shapes(model), [
    '32x1x3x3', '64x32x3x3', '512x3136', '50x512', '50x512',
    '512x50', '3136x512', '64x32x3x3', '32x32x3x3', '1x32x3x3',
  ]);
  const decoder = model.config.decoder;
  assert.deepEqual(decoder.map((l) => l.type).filter((t) => t !== 'activation'), ['dense', 'dense', 'reshape', 'conv_transpose2d', 'conv_transpose2d', 'conv2d']);
  const last = decoder.at(-1);
  assert.ok(last?.type === 'conv2d' && last.stride === 1 && last.activation === 'identity', 'the image comes from an affine stride-1 convolution');
  const x = new Tensor(new Float32Array(3 * 784).fill(0.5), [3, 1, 28, 28]);
  assert.deepEqual(model.reconstruct(x).shape, [3, 1, 28, 28]);
  assert.deepEqual(model.codeShape, [50]);
  // Without refine the decoder is the plain mirror: a transposed convolution gives the image.
  assert.equal(vaeModel({ hidden: [], units: 50, conv: true }).decoder, 'mirror');
  assert.throws(() => vaeModel({ hidden: [512], units: 50, refine: 8 }), /needs conv/);
});

test('vaeModel with refine on an odd image size: the output paddings restore it', () => {
  const model = Autoencoder.create(vaeModel({ hidden: [], units: 4, conv: true, refine: 8, input: [1, 27, 25] }), 0);
  const x = new Tensor(new Float32Array(2 * 27 * 25).fill(0.5), [2, 1, 27, 25]);
  assert.deepEqual(model.reconstruct(x).shape, [2, 1, 27, 25]);
});
