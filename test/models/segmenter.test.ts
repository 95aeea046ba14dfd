/** The segmentation net: scores per class from the mirror rules, pixel accuracy and IoU by hand, and learning on tiny scenes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
// The backend a user gets (native when the addon is built): these tests train real models.
import '../../src/index.js';
import { type Dataset, makeDataset } from '../../src/data/dataset.js';
import { makeScenes } from '../../src/data/scenes.js';
import { SEGNET, segnetModel } from '../../src/training/presets.js';
import { balancedClassWeights, Segmenter, type SegmenterSpecInput, segmentationScores } from '../../src/models/segmenter.js';
import { softJaccard, softmaxCrossEntropy, Tensor } from '../../src/tensor/index.js';
import { INFERENCE } from '../../src/nn/layer.js';
import { fit } from '../../src/training/fit.js';

test('pixel accuracy and IoU per class, worked by hand', () => {
  // Truth 0 0 1 1 2, predicted 0 1 1 1 0: accuracy 3/5.
  // Class 0: both at pixel 0; either at 0, 1, 4: 1/3. Class 1: both at 2, 3; either at 1, 2, 3: 2/3.
  // Class 2: both nowhere; either at 4: 0. Class 3: in neither: null, left out of the mean.
  const s = segmentationScores(Uint8Array.of(0, 1, 1, 1, 0), Uint8Array.of(0, 0, 1, 1, 2), 4);
  assert.equal(s.pixelAccuracy, 0.6);
  assert.deepEqual(s.perClassIoU, [1 / 3, 2 / 3, 0, null]);
  assert.ok(Math.abs(s.meanIoU - 1 / 3) < 1e-12);
});

test('class weights balance by (median frequency / frequency)^power; absent classes get 1', () => {
  // Counts 6, 2, 1 and none: median of the present ones 2.
  const w = balancedClassWeights(Uint8Array.of(0, 0, 0, 0, 0, 0, 1, 1, 2), 4, 0.5);
  [Math.sqrt(2 / 6), 1, Math.sqrt(2), 1].forEach((v, i) => assert.ok(Math.abs(w[i] - v) < 1e-12, `class ${i}: ${w[i]} vs ${v}`));
  // An even number of present classes: the median is the mean of the middle two (1 and 3 → 2).
  assert.deepEqual(balancedClassWeights(Uint8Array.of(0, 1, 1, 1), 2), [2, 2 / 3]);
  assert.deepEqual(balancedClassWeights(Uint8Array.of(0, 1, 1, 1), 2, 0.25), [2 ** 0.25, (2 / 3) ** 0.25]);
  assert.deepEqual(balancedClassWeights(new Uint8Array(0), 3), [1, 1, 1]);
});

test('the segnet preset: each pooling unpooled at its own indices on the way back, scores for 11 classes at 64x64', () => {
  const net = Segmenter.create(SEGNET.model);
  const unpools = net.spec.decoder.filter((s) => s.type === 'max_unpool2d').map((s) => (s as { partner: string }).partner);
  const pools = net.spec.encoder.flatMap((s, i) => (s.type === 'max_pool2d' ? [`encoder.${i}`] : []));
  assert.deepEqual(unpools, pools.reverse());
  assert.deepEqual(net.decoder.outputShape, [11, 64, 64]);
  // The encoder ends at 4x4: a deepest unit sees the whole of a digit.
  assert.deepEqual(net.encoder.outputShape, [128, 4, 4]);
  const small = segnetModel([4, 8], [1], 3, 8);
  assert.deepEqual(small.decoder.map((s) => s.type), ['max_unpool2d', 'conv2d', 'batch_norm', 'activation', 'conv2d']);
});

test('the mirrored decoder ends in a score map per class; a decoder that cannot is refused', () => {
  const net = Segmenter.create({
    input: [1, 12, 12], classes: 3,
    encoder: [{ type: 'conv2d', filters: 4, kernel: 3, padding: 1, activation: 'relu' }, { type: 'max_pool2d', kernel: 2 }],
  });
  assert.deepEqual(net.spec.decoder.map((s) => s.type), ['max_unpool2d', 'conv_transpose2d']);
  assert.deepEqual(net.scores(Tensor.zeros([2, 1, 12, 12])).shape, [2, 3, 12, 12]);
  assert.throws(() => Segmenter.create({ input: [1, 4, 4], classes: 3, encoder: [{ type: 'max_pool2d', kernel: 2 }] }), /a mirrored decoder must end in a convolution to give class scores; it ends in max_unpool2d/);
  assert.throws(() => Segmenter.create({ input: [1, 4, 4], classes: 3, classWeights: [1, 2], encoder: [{ type: 'conv2d', filters: 2, kernel: 1 }] }), /2 weights for 3 classes/);
});

test('with a jaccardWeight the objective is the cross-entropy plus that weight times the soft Jaccard loss', () => {
  const spec: SegmenterSpecInput = {
    input: [1, 8, 8], classes: 3, classWeights: [0.5, 1, 2],
    encoder: [{ type: 'conv2d', filters: 4, kernel: 3, padding: 1, activation: 'relu' }, { type: 'max_pool2d', kernel: 2 }],
  };
  const plain = Segmenter.create(spec, 3);
  const withJaccard = Segmenter.create({ ...spec, jaccardWeight: 0.7 }, 3);
  const x = Tensor.from(Array.from({ length: 2 * 64 }, (_, i) => ((i * 37) % 11) / 10), [2, 1, 8, 8]);
  const y = Tensor.from(Array.from({ length: 2 * 64 }, (_, i) => (i * 5) % 3), [2, 8, 8]);
  const scores = plain.scores(x);
  const expected = softmaxCrossEntropy(scores, y.data, { classWeights: [0.5, 1, 2] }).item() + 0.7 * softJaccard(scores, y.data).item();
  assert.ok(Math.abs(plain.objective({ x, y }, INFERENCE).loss.item() - softmaxCrossEntropy(scores, y.data, { classWeights: [0.5, 1, 2] }).item()) < 1e-6);
  assert.ok(Math.abs(withJaccard.objective({ x, y }, INFERENCE).loss.item() - expected) < 1e-5);
  assert.ok(softJaccard(scores, y.data).item() > 0.1, 'the term is not negligible here, so the check could fail');
});

test('trained on tiny scenes, the net labels the pixels of test scenes far better than the background guess', async () => {
  // Two 6x6 "digits": a bright square (class 3) and a bright ring (class 8), on 16x16 canvases.
  const square = new Array(36).fill(0.9);
  const ring = Array.from({ length: 36 }, (_, i) => (i % 6 === 0 || i % 6 === 5 || i < 6 || i >= 30 ? 0.9 : 0));
  const digits: Dataset = makeDataset({ x: Float32Array.from([...square, ...ring]), n: 2, features: 36, shape: [1, 6, 6], labels: Uint8Array.of(3, 8), name: 'shapes' });
  const train = makeScenes(digits, 160, { size: 16, maxDigits: 2, seed: 1 });
  const test = makeScenes(digits, 40, { size: 16, maxDigits: 2, seed: 2 });
  const net = Segmenter.create({
    input: [1, 16, 16], classes: 11,
    encoder: [{ type: 'conv2d', filters: 8, kernel: 3, padding: 1, activation: 'relu' }, { type: 'max_pool2d', kernel: 2 }, { type: 'conv2d', filters: 16, kernel: 3, padding: 1, activation: 'relu' }],
  }, 1);
  await fit(net, train, { epochs: 12, batchSize: 16, lr: 5e-3 });
  const s = segmentationScores(net.predict(new Tensor(test.x, [test.n, 1, 16, 16])), test.labels!, 11);
  const background = segmentationScores(new Uint8Array(test.labels!.length), test.labels!, 11);
  assert.ok(s.pixelAccuracy > 0.95, `accuracy ${s.pixelAccuracy}`);
  assert.ok(s.perClassIoU[4]! > 0.6 && s.perClassIoU[9]! > 0.6, `IoU ${JSON.stringify(s.perClassIoU)}`);
  assert.ok(s.meanIoU > background.meanIoU + 0.5, `mean IoU ${s.meanIoU} vs ${background.meanIoU}`);
});
