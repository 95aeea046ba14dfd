/** fit's checkpoints: resuming from any of them, mid-epoch or between epochs, ends where an uninterrupted run ends. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { fit, type FitOptions, type FitState } from '../../src/training/fit.js';
import { lowRankData } from '../helpers/data.js';

const data = lowRankData(130, 24, 3, 1);
const validation = lowRankData(40, 24, 3, 2);
// Noise and dropout draw from the loop's generator, so its state must come back exactly too.
const config = { input: [24], encoder: [{ type: 'noise', spec: 'gaussian:0.1' }, { type: 'dense', units: 12, activation: 'tanh' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 3 }], decoder: 'mirror' } as const;
const model = () => Autoencoder.create(structuredClone(config) as never, 5);
const weights = (m: Autoencoder) => m.parameters().map((p) => Array.from(p.tensor.data));

for (const [name, options] of [
  ['adam with validation', { epochs: 4, batchSize: 32, lr: 5e-3, schedule: 'cosine', seed: 3, validation }],
  ['sgd with momentum, no validation', { epochs: 3, batchSize: 50, lr: 5e-2, optimizer: 'sgd', seed: 4 }],
] as [string, FitOptions][]) {
  test(`${name}: resuming from every checkpoint gives the uninterrupted run's weights and losses`, async () => {
    const states: FitState[] = [];
    const whole = model();
    const expected = await fit(whole, data, { ...options, checkpointEvery: 2, onCheckpoint: (s) => states.push(structuredClone(s)) });
    assert.ok(states.some((s) => s.order !== null) && states.some((s) => s.order === null), 'checkpoints inside and between epochs');
    for (const state of states) {
      const resumed = model();
      const result = await fit(resumed, data, { ...options, resume: structuredClone(state) });
      assert.deepEqual(weights(resumed), weights(whole), `from epoch ${state.epoch}, example ${state.start}`);
      assert.deepEqual([result.trainLoss, result.valLoss, result.bestEpoch], [expected.trainLoss, expected.valLoss, expected.bestEpoch]);
    }
  });
}
