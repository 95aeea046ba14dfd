/**
 * Denoising: the PSNR and sse arithmetic, seeded corruption, and what training with noise buys.
 *
 * The MNIST claim (trained with mask 0.25, tested with mask 0.5, the denoised PSNR at
 * least 5 dB above the noisy input's) needs the `denoising` preset trained on all of MNIST: about
 * two minutes on the native backend, hours on the reference one. Measured on small slices it is
 * not true (20,000 examples × 5 epochs reached 3.9 dB), so it runs on the native backend (as in
 * CI) and is skipped on the reference one unless AEKIT_SLOW_TESTS=1; the same effect is also
 * checked on small synthetic data.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corruptRows, denoiseEval, meanSse, psnr } from '../../../src/apps/denoise/denoise.js';
import { selectBackend } from '../../../src/backend/select.js';
import { loadData } from '../../../src/data/load-data.js';
import { Autoencoder } from '../../../src/models/autoencoder.js';
import { PRESETS } from '../../../src/models/presets.js';
import { parseNoise } from '../../../src/nn/noise.js';
import { setBackend } from '../../../src/tensor/index.js';
import { fit } from '../../../src/training/fit.js';
import { lowRankData } from '../../helpers/data.js';

setBackend(selectBackend());

test('psnr and meanSse by hand', () => {
  // PSNR = 10·log10(1/mse): mse 0.01 is 20 dB, 1e-4 is 40 dB, 1 is 0 dB.
  assert.equal(psnr(0.01), 20);
  assert.ok(Math.abs(psnr(1e-4) - 40) < 1e-12);
  assert.equal(psnr(1), 0);
  assert.ok(Math.abs(psnr(0.01, 255) - (20 + 20 * Math.log10(255))) < 1e-9);
  // Two rows of two: errors (0.1, 0.2) and (0.3, 0): sse per row 0.05 and 0.09, mean 0.07.
  const a = { x: Float32Array.of(0.1, 0.2, 0.3, 0), n: 2, features: 2 };
  const zero = { x: new Float32Array(4), n: 2, features: 2 };
  assert.ok(Math.abs(meanSse(a, zero) - 0.07) < 1e-7);
});

test('corruptRows copies, and the same seed gives the same noise', () => {
  const clean = lowRankData(20, 10, 2, 1);
  const before = clean.x.slice();
  const a = corruptRows(clean, parseNoise('salt-pepper:0.3'), 5);
  const b = corruptRows(clean, parseNoise('salt-pepper:0.3'), 5);
  const c = corruptRows(clean, parseNoise('salt-pepper:0.3'), 6);
  assert.deepEqual(clean.x, before);
  assert.deepEqual(a.x, b.x);
  assert.notDeepEqual(a.x, c.x);
  assert.notDeepEqual(a.x, clean.x);
});

test('on small data, training with mask 0.25 denoises mask 0.5 far better than training on clean inputs', async () => {
  const train = lowRankData(600, 64, 4, 1);
  const heldOut = lowRankData(300, 64, 4, 2);
  const gain = async (noise?: string) => {
    const model = Autoencoder.create({ layers: [64, 16], codeActivation: 'sigmoid', regularization: noise ? { noise } : undefined }, 1);
    await fit(model, train, { epochs: 20, batchSize: 20, lr: 1e-2, seed: 1 });
    const { metrics } = denoiseEval(model, heldOut, parseNoise('mask:0.5'), 3);
    assert.ok(metrics.sseDenoised < metrics.sseNoisy);
    return metrics.psnrDenoised - metrics.psnrNoisy;
  };
  // Measured: 3.6 dB with noise, 1.8 dB without.
  const denoising = await gain('mask:0.25');
  const plain = await gain();
  assert.ok(denoising >= 3, `denoising autoencoder gains ${denoising.toFixed(2)} dB`);
  assert.ok(denoising >= plain + 1, `${denoising.toFixed(2)} dB with noise vs ${plain.toFixed(2)} dB without`);
});

const runMnist = selectBackend().name === 'native' || process.env.AEKIT_SLOW_TESTS === '1';

test('MNIST: the denoising preset (trained with mask 0.25) lifts mask-0.5 PSNR by at least 5 dB', {
  skip: runMnist ? false : 'hours on the reference backend: build the addon, or force it with AEKIT_SLOW_TESTS=1',
  timeout: 60 * 60 * 1000,
}, async (t) => {
  const preset = PRESETS.denoising;
  const train = loadData('mnist', { split: 'train' });
  const test = loadData('mnist', { split: 'test' });
  const model = Autoencoder.create(preset.model, 0);
  const { epochs, batchSize, lr, schedule } = preset.training;
  await fit(model, train, { epochs, batchSize, lr, schedule, seed: 0 });
  const { metrics } = denoiseEval(model, test, parseNoise('mask:0.5'), 1);
  const gain = metrics.psnrDenoised - metrics.psnrNoisy;
  t.diagnostic(`mask 0.5: PSNR ${metrics.psnrNoisy.toFixed(2)} -> ${metrics.psnrDenoised.toFixed(2)} dB`);
  assert.ok(gain >= 5, `PSNR ${metrics.psnrNoisy.toFixed(2)} dB noisy -> ${metrics.psnrDenoised.toFixed(2)} dB denoised (${gain.toFixed(2)} dB)`);
});
