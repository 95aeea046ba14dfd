/** Greedy layer-wise pretraining: where the stages are cut, and that each stage is a denoising autoencoder of its own whose weights land in the stack. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../src/index.js';
import { UsageError } from '../../src/errors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { sdaeModel } from '../../src/training/presets.js';
import { evaluate } from '../../src/training/evaluate.js';
import { fit } from '../../src/training/fit.js';
import { greedyStages, pretrainGreedy } from '../../src/training/greedy.js';
import { lowRankData } from '../helpers/data.js';

test('stages end at each weight layer and take the layers before it; trailing layers join the last', () => {
  assert.deepEqual(greedyStages(['noise', 'dense', 'noise', 'dense', 'noise', 'dense']), [{ start: 0, end: 2 }, { start: 2, end: 4 }, { start: 4, end: 6 }]);
  assert.deepEqual(greedyStages(['conv2d', 'conv2d', 'flatten', 'dense', 'noise', 'activation']), [{ start: 0, end: 1 }, { start: 1, end: 2 }, { start: 2, end: 6 }]);
  assert.throws(() => greedyStages(['flatten', 'noise']), (e: unknown) => e instanceof UsageError && /no dense or convolutional layer/.test(e.message));
});

test('each stage trains alone as a denoising autoencoder on the codes below, and its weights fill the stack', async () => {
  const data = lowRankData(200, 24, 3, 1);
  const options = { epochs: 3, batchSize: 20, lr: 1e-2, seed: 4 };
  const model = Autoencoder.create(sdaeModel([24, 16, 8], 'mask:0.2'), 1);
  const before = evaluate(model, data).sse;
  const result = await pretrainGreedy(model, data, options);
  assert.equal(result.stages.length, 2);
  assert.equal(result.trainLoss.length, 6);
  // Sigmoid codes lie in [0, 1]: the second stage reconstructs them with a sigmoid and cross-entropy.
  assert.deepEqual(result.stages.map((s) => s.output), [{ activation: 'sigmoid', loss: 'bce' }, { activation: 'sigmoid', loss: 'bce' }]);
  assert.ok(evaluate(model, data).sse < before, `sse ${before} -> ${evaluate(model, data).sse}`);

  // The first stage is exactly the one-layer denoising autoencoder [noise, dense] trained alone
  // from the same seed: the stack holds its encoder weight and its decoder bias.
  const alone = Autoencoder.create({ ...sdaeModel([24, 16], 'mask:0.2') }, options.seed);
  await fit(alone, data, options);
  const tensor = (m: Autoencoder, name: string) => [...m.parameters()].find((p) => p.name === name)!.tensor.data;
  assert.deepEqual(tensor(model, 'encoder.0.weight'), tensor(alone, 'encoder.0.weight'));
  assert.deepEqual(tensor(model, 'encoder.0.bias'), tensor(alone, 'encoder.0.bias'));
  // The stack's decoder: tied layers restoring 16 then 24 values; the last restores the input.
  assert.deepEqual(tensor(model, 'decoder.2.bias'), tensor(alone, 'decoder.0.bias'));
});

test('a model whose decoder is not the mirror of its encoder is refused', async () => {
  const model = Autoencoder.create({ input: [6], encoder: [{ type: 'dense', units: 3 }], decoder: [{ type: 'dense', units: 4 }, { type: 'dense', units: 6 }] });
  await assert.rejects(pretrainGreedy(model, lowRankData(20, 6, 2), { epochs: 1 }), /greedy pretraining: stage 1's mirror does not match the model's decoder/);
});
