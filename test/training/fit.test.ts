import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NumericError, UsageError } from '../../src/errors.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { evaluate, meanObjective } from '../../src/training/evaluate.js';
import { fit, type TrainingEvent } from '../../src/training/fit.js';
import { lowRankData } from '../helpers/data.js';

const data = lowRankData(300, 24, 3, 1);
const validation = lowRankData(100, 24, 3, 2);
const small = () => Autoencoder.create({ layers: [24, 12, 3], hiddenActivation: 'tanh', loss: 'bce' }, 5);

test('training lowers the validation loss, reports events and keeps the best epoch', async () => {
  const model = small();
  const before = meanObjective(model, validation);
  const events: TrainingEvent[] = [];
  const result = await fit(model, data, { epochs: 8, batchSize: 32, lr: 5e-3, schedule: 'cosine', validation, onEvent: (e) => events.push(e) });
  assert.equal(result.trainLoss.length, 8);
  assert.equal(result.valLoss.length, 8);
  assert.ok(result.valLoss[7] < before * 0.95, `validation loss ${before} -> ${result.valLoss[7]}`);
  const best = Math.min(...result.valLoss);
  assert.equal(result.valLoss[result.bestEpoch - 1], best);
  assert.ok(Math.abs(meanObjective(model, validation) - best) < 1e-3 * best, 'the model holds the best epoch');
  assert.equal(events.filter((e) => e.type === 'epoch').length, 8);
  assert.equal(events.filter((e) => e.type === 'step').length, 8 * Math.ceil(300 / 32));
  const metrics = evaluate(model, validation);
  assert.ok(metrics.bce !== null && Math.abs(metrics.bce - meanObjective(model, validation)) < 1e-3 * metrics.bce);
  assert.ok(Math.abs(metrics.mse - metrics.sse / 24) < 1e-9);
});

test('the same seed gives the same training run', async () => {
  const a = await fit(small(), data, { epochs: 2, batchSize: 50, lr: 1e-3, seed: 9 });
  const b = await fit(small(), data, { epochs: 2, batchSize: 50, lr: 1e-3, seed: 9 });
  assert.deepEqual(a.trainLoss, b.trainLoss);
});

test('an abort stops after the current step and keeps the best complete epoch', async () => {
  const model = small();
  const controller = new AbortController();
  let steps = 0;
  const result = await fit(model, data, {
    epochs: 5, batchSize: 30, lr: 5e-3, validation,
    onEvent: (e) => { if (e.type === 'step' && ++steps === 25) controller.abort(); },
    signal: controller.signal,
  });
  assert.ok(result.aborted);
  assert.equal(result.steps, 25);
  assert.equal(result.valLoss.length, 2); // epochs of 10 steps: two complete, the third cut short
  assert.ok(Math.abs(meanObjective(model, validation) - Math.min(...result.valLoss)) < 1e-3 * result.valLoss[0]);
});

test('early stopping ends training once validation stops improving', async () => {
  // lr 0 never improves after epoch 1.
  const result = await fit(small(), data, { epochs: 20, batchSize: 100, lr: 1e-12, validation, patience: 2, optimizer: 'sgd', momentum: 0 });
  assert.ok(result.stoppedEarly);
  assert.ok(result.valLoss.length < 20);
});

test('a NaN in the data is reported with the step and where it appeared', async () => {
  const bad = lowRankData(10, 24, 3, 1);
  bad.x[5] = Number.NaN;
  await assert.rejects(() => fit(small(), bad, { epochs: 1, batchSize: 10, lr: 1e-3 }), (e) => e instanceof NumericError && /step 1: an input of linear\(tanh\)/.test(e.message));
});

test('a diverging step names the op that overflowed', async () => {
  const model = Autoencoder.create({ layers: [24, 12], hiddenActivation: 'relu', codeActivation: 'relu', outputActivation: 'identity', loss: 'mse' }, 1);
  // 24 inputs near 0.5 times weights of 1e38 exceed float32's 3.4e38 in the first layer.
  for (const p of model.parameters()) p.tensor.data.fill(1e38);
  await assert.rejects(() => fit(model, data, { epochs: 1, batchSize: 10, lr: 1e-3 }), (e) => e instanceof NumericError && /step 1: the output of linear\(relu\)/.test(e.message));
});

test('bad options are usage errors', async () => {
  await assert.rejects(() => fit(small(), data, { epochs: 0, batchSize: 10, lr: 1e-3 }), (e) => e instanceof UsageError && /epochs/.test(e.message));
  await assert.rejects(() => fit(small(), lowRankData(5, 7, 2), { epochs: 1, batchSize: 10, lr: 1e-3 }), (e) => e instanceof UsageError && /^fit: the training data: rows have 7 values, expected 24 \(the model's input size\)$/.test(e.message));
  await assert.rejects(() => fit(small(), data, { checkpointEvery: 0 }), (e) => e instanceof UsageError && /checkpointEvery must be a positive integer, got 0/.test(e.message));
});

test('decoupled weight decay reaches the optimizer: the same run with it ends with smaller weights', async () => {
  const weightNorm = (model: Autoencoder) => model.parameters()
    .filter((p) => p.kind === 'weight')
    .reduce((sum, p) => sum + p.tensor.data.reduce((s, v) => s + v * v, 0), 0);
  for (const optimizer of ['adam', 'sgd'] as const) {
    const lr = optimizer === 'adam' ? 5e-3 : 5e-2;
    const plain = small();
    await fit(plain, data, { epochs: 3, batchSize: 32, lr, optimizer, seed: 3 });
    const decayed = small();
    await fit(decayed, data, { epochs: 3, batchSize: 32, lr, optimizer, seed: 3, weightDecay: 2 });
    // 30 steps, each scaling the weights by 1 − 2·lr: 0.99³⁰ ≈ 0.74 (Adam) or 0.9³⁰ ≈ 0.04 (SGD)
    // of their size; the squared norms measured 0.61 and 0.02 of the plain run's. Were the option
    // lost on its way to the optimizer, the two runs would be identical.
    assert.ok(weightNorm(decayed) < 0.9 * weightNorm(plain), `${optimizer}: ${weightNorm(decayed)} vs ${weightNorm(plain)}`);
  }
});
