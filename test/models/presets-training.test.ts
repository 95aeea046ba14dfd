/**
 * The sigmoid presets leave the mean-image plateau within a small budget: the first thing a
 * user trains must show an autoencoder working. Before the decoder's bias started at the data's
 * mean (and before their batches of 32 at 1e-2), each of these sat at the mean image's error
 * (test sse 47-52 here against the mean image's 52), their code units saturated and dead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectBackend } from '../../src/backend/select.js';
import { loadData } from '../../src/data/load-data.js';
import { Autoencoder } from '../../src/models/autoencoder.js';
import { PRESETS } from '../../src/models/presets.js';
import { setBackend } from '../../src/tensor/index.js';
import { evaluate } from '../../src/training/evaluate.js';
import { fit } from '../../src/training/fit.js';

setBackend(selectBackend());
const train = loadData('mnist', { split: 'train', limit: 3000 });
const test500 = loadData('mnist', { split: 'test', limit: 500 });

/** The sse of drawing the training mean for every test example: the plateau. */
function meanImageSse(): number {
  const mean = new Float64Array(784);
  for (let i = 0; i < train.n; i++) for (let j = 0; j < 784; j++) mean[j] += train.x[i * 784 + j] / train.n;
  let sse = 0;
  for (let i = 0; i < test500.n; i++) for (let j = 0; j < 784; j++) sse += (test500.x[i * 784 + j] - mean[j]) ** 2;
  return sse / test500.n;
}

test('undercomplete, tied, l2, sparse and contractive beat the mean image by far in 3 epochs on 3,000 digits', async () => {
  const plateau = meanImageSse();
  assert.ok(plateau > 45 && plateau < 60, `the mean image's sse ${plateau}`);
  for (const name of ['undercomplete', 'tied', 'l2', 'sparse', 'contractive'] as const) {
    const preset = PRESETS[name];
    const model = Autoencoder.create(preset.model, 0);
    await fit(model, train, { ...preset.training, epochs: 3 });
    const { sse } = evaluate(model, test500);
    assert.ok(sse < 0.6 * plateau, `${name}: test sse ${sse.toFixed(2)}, the mean image's ${plateau.toFixed(2)}`);
  }
});
