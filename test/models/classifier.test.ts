/** The classifier: its head, its refusals, accuracy and the confusion matrix by hand, and what training moves when the encoder is frozen or not. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../src/index.js';
import { UsageError } from '../../src/errors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { Classifier, classificationScores, shiftImages } from '../../src/models/classifier.js';
import { Tensor } from '../../src/tensor/index.js';
import { fit } from '../../src/training/fit.js';
import { jitterImages } from '../../src/models/image-jitter.js';
import { Prng } from '../../src/util/prng.js';

test('the default head standardises the code (batch norm) for a linear softmax layer, after a flatten when the code is an image', () => {
  const dense = Classifier.create({ input: [12], encoder: [{ type: 'dense', units: 5, activation: 'relu' }], classes: 3 });
  assert.deepEqual(dense.spec.head.map((s) => s.type), ['batch_norm', 'dense']);
  assert.deepEqual(dense.allParameters().map((p) => p.name), ['encoder.0.weight', 'encoder.0.bias', 'head.0.weight', 'head.0.bias', 'head.1.weight', 'head.1.bias']);
  assert.deepEqual(dense.buffers().map((p) => p.name), ['head.0.running_mean', 'head.0.running_var']);
  const conv = Classifier.create({ input: [1, 6, 6], encoder: [{ type: 'conv2d', filters: 2, kernel: 3, stride: 2, padding: 1 }], classes: 4 });
  assert.deepEqual(conv.spec.head.map((s) => s.type), ['flatten', 'batch_norm', 'dense']);
  assert.deepEqual(conv.codeShape, [2, 3, 3]);
  // No encoder: a softmax regression on the inputs.
  assert.deepEqual(Classifier.create({ input: [7], classes: 2 }).allParameters().map((p) => p.tensor.shape), [[7], [7], [2, 7], [2]]);
});

test('a head that does not give one score per class, or a bad spec, is refused naming it', () => {
  const usage = (re: RegExp) => (e: unknown) => e instanceof UsageError && re.test(e.message);
  assert.throws(() => Classifier.create({ input: [8], head: [{ type: 'dense', units: 7 }], classes: 10 }),
    usage(/^classifier config: the head gives \[7\] per example, but 10 classes need scores of shape \[10\]$/));
  assert.throws(() => Classifier.create({ input: [8], classes: 1 }), usage(/^classifier config: classes: /));
  assert.throws(() => Classifier.create({ input: [1, 4, 4], encoder: [{ type: 'dense', units: 3 }], classes: 2 }), usage(/encoder\.0 \(dense, input \[1, 4, 4\]\): .*put a flatten layer before it/));
});

test('accuracy and the confusion matrix, by hand', () => {
  // Truth 0 0 1 2 2 2, predicted 0 1 1 2 0 2: right at 0, 2, 3, 5, so 4/6.
  const s = classificationScores(Int32Array.of(0, 1, 1, 2, 0, 2), Uint8Array.of(0, 0, 1, 2, 2, 2), 3);
  assert.equal(s.accuracy, 4 / 6);
  assert.equal(s.error, 2 / 6);
  assert.deepEqual(s.confusion, [[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
  assert.throws(() => classificationScores([0], [0, 1], 2), /1 predictions for 2 labels/);
});

/** Two classes of 10-value rows: class 1 has its first half raised. */
function twoBlobs(n: number, seed: number) {
  const rng = new Prng(seed);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
  const x = Float32Array.from({ length: n * 10 }, (_, j) => 0.3 * rng.normal() + (labels[Math.floor(j / 10)] === 1 && j % 10 < 5 ? 1 : 0));
  return { x, n, features: 10, labels };
}

test('frozen, only the head learns; fine-tuned, the encoder does too; both separate two classes', async () => {
  const train = twoBlobs(200, 1);
  const test = twoBlobs(100, 2);
  const spec = { input: [10], encoder: [{ type: 'dense', units: 6, activation: 'tanh' } as const], classes: 2 };
  for (const frozen of [true, false]) {
    const net = Classifier.create(spec, 3);
    net.frozenEncoder = frozen;
    assert.equal(net.parameters().length, frozen ? 4 : 6);
    const encoderBefore = net.encoder.parameters().map((p) => p.tensor.data.slice());
    const headBefore = net.head.parameters().map((p) => p.tensor.data.slice());
    await fit(net, train, { epochs: 10, batchSize: 20, lr: 1e-2 });
    const moved = (before: Float32Array[], now: Float32Array[]) => before.some((b, i) => b.some((v, j) => v !== now[i][j]));
    assert.equal(moved(encoderBefore, net.encoder.parameters().map((p) => p.tensor.data)), !frozen);
    assert.ok(moved(headBefore, net.head.parameters().map((p) => p.tensor.data)));
    const s = classificationScores(net.predict(test.x), test.labels, 2);
    assert.ok(s.accuracy > 0.9, `${frozen ? 'frozen' : 'fine-tuned'}: accuracy ${s.accuracy}`);
  }
});

test('training needs labels, and labels within the classes', async () => {
  const net = Classifier.create({ input: [10], classes: 2 });
  await assert.rejects(fit(net, { x: new Float32Array(20), n: 2, features: 10 }, { epochs: 1 }), /classifier: training needs a class label per example/);
  await assert.rejects(fit(net, { x: new Float32Array(20), n: 2, features: 10, labels: Uint8Array.of(0, 2) }, { epochs: 1 }), /label 2 at example \d, position 0 is not a class in 0\.\.1/);
});

test('fromAutoencoder: the encoder without its noise layer, its weights copied, the codes the same', () => {
  const ae = Autoencoder.create({ layers: [10, 6, 3], codeActivation: 'sigmoid', regularization: { noise: 'mask:0.3' } }, 2);
  assert.deepEqual(ae.config.encoder.map((s) => s.type), ['noise', 'dense', 'dense']);
  const net = Classifier.fromAutoencoder(ae, 4, 1);
  assert.deepEqual(net.spec.encoder.map((s) => s.type), ['dense', 'dense']);
  const x = new Tensor(Float32Array.from({ length: 20 }, (_, i) => (i % 7) / 7), [2, 10]);
  assert.deepEqual(net.encoder.forward(x).data, ae.encode(x).data);
  // Copies: training the classifier leaves the autoencoder alone.
  net.encoder.parameters()[0].tensor.data[0] += 1;
  assert.notEqual(ae.encoder.parameters()[0].tensor.data[0], net.encoder.parameters()[0].tensor.data[0]);
});

test('shift moves each training image by its own offset, zeros coming in; inference never shifts', () => {
  // Three 1x3x4 images with distinct values 1..36.
  const x = new Tensor(Float32Array.from({ length: 36 }, (_, i) => i + 1), [3, 1, 3, 4]);
  const moved = shiftImages(x, 1, new Prng(5)).data;
  const draws = new Prng(5);
  for (let i = 0; i < 3; i++) {
    const dy = draws.int(3) - 1;
    const dx = draws.int(3) - 1;
    for (let y = 0; y < 3; y++) {
      for (let c = 0; c < 4; c++) {
        const [sy, sx] = [y - dy, c - dx];
        const want = sy >= 0 && sy < 3 && sx >= 0 && sx < 4 ? x.data[i * 12 + sy * 4 + sx] : 0;
        assert.equal(moved[i * 12 + y * 4 + c], want, `image ${i} (dy ${dy}, dx ${dx}) at (${y}, ${c})`);
      }
    }
  }
  const net = Classifier.create({ input: [1, 3, 4], classes: 2, shift: 1 });
  assert.deepEqual(net.logits(x).data, Classifier.create({ input: [1, 3, 4], classes: 2 }).logits(x).data);
  assert.throws(() => Classifier.create({ input: [12], classes: 2, shift: 1 }), /shift: moves images \[channels, height, width\], but the input is \[12\]/);
});

test('rotate and scale move each training image as jitterImages does, with the shift; inference never moves', () => {
  const x = new Tensor(Float32Array.from({ length: 2 * 36 }, (_, i) => (i * 7) % 11), [2, 1, 6, 6]);
  const spec = { input: [1, 6, 6], encoder: [{ type: 'flatten' as const }], classes: 2, shift: 1, rotate: 15, scale: 0.1 };
  const net = Classifier.create(spec, 3);
  const plain = Classifier.create({ ...spec, shift: 0, rotate: 0, scale: 0 }, 3);
  // Before any training pass (which moves the batch norm's running statistics).
  assert.deepEqual(net.logits(x).data, plain.logits(x).data);
  // The head sees the encoder's output (here the image itself): the training batch is the jittered one.
  const seen: Float32Array[] = [];
  const forward = net.head.forward.bind(net.head);
  net.head.forward = (code, ctx) => { seen.push(Float32Array.from(code.data)); return forward(code, ctx); };
  net.logits(x, { training: true, rng: new Prng(9) });
  const want = jitterImages(x.data, [1, 6, 6], new Prng(9), { shift: 1, rotate: 15, scale: 0.1 });
  assert.deepEqual(seen[0], want);
  assert.notDeepEqual(want, x.data);
  assert.equal(net.augments, true);
  assert.equal(plain.augments, false);
  assert.throws(() => Classifier.create({ input: [12], classes: 2, rotate: 10 }), /rotate: moves images \[channels, height, width\], but the input is \[12\]/);
  assert.throws(() => Classifier.create({ input: [1, 6, 6], classes: 2, scale: 0.9 }), /classifier config: scale/);
});
