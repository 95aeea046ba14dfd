/**
 * Anomaly scores from a model: per-example and per-feature errors by hand on models whose output
 * is known, agreement with `evaluate`, thresholds, and the one-class run on a small slice of
 * MNIST, where a scorer that did not score would fall to an AUC near 0.5.
 */
import '../../../src/index.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import {
  anomalyScores, featureErrors, flagAnomalies, reconstructionErrors, relativeSse, summarizeScores,
} from '../../../src/apps/anomaly/anomaly.js';
import { oneClass } from '../../../src/apps/anomaly/one-class.js';
import { loadRun } from '../../../src/run/save-load.js';
import type { Matrix } from '../../../src/data/dataset.js';
import { DataError, UsageError } from '../../../src/errors.js';
import { Autoencoder } from '../../../src/models/autoencoder.js';
import { evaluate } from '../../../src/training/evaluate.js';
import { Prng } from '../../../src/util/prng.js';
import { tempDir } from '../../helpers/temp-dir.js';

const close = (actual: number, expected: number, tol: number) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} differs from ${expected} by more than ${tol}`);

/** A model whose weights and biases are all zero: its logits are 0 whatever the input. */
function zeroModel(config: Parameters<typeof Autoencoder.create>[0]): Autoencoder {
  const model = Autoencoder.create(config, 0);
  for (const p of model.parameters()) p.tensor.data.fill(0);
  return model;
}

const rows: Matrix = { x: Float32Array.of(0, 1, 0.5, 0.25, 1, 1, 1, 1), n: 2, features: 4 };

test('per-example and per-feature errors by hand: zero weights reconstruct 0 (linear) or ½ (sigmoid)', () => {
  // Linear output: x̂ = 0, so sse = Σ x²: 0 + 1 + 0.25 + 0.0625 = 1.3125, and 4.
  const linear = zeroModel({ layers: [4, 2], codeActivation: 'identity', outputActivation: 'identity', loss: 'mse' });
  const errors = reconstructionErrors(linear, rows);
  close(errors.sse[0], 1.3125, 1e-6);
  close(errors.sse[1], 4, 1e-6);
  assert.equal(errors.bce, null);
  assert.throws(() => anomalyScores(linear, rows, 'bce'), (e: unknown) => e instanceof UsageError && /bce score needs a model with a sigmoid output/.test(e.message));

  // Sigmoid output: x̂ = ½ everywhere; sse = Σ (x − ½)² = ¼ + ¼ + 0 + 1/16 = 0.5625 and 4 · ¼ = 1;
  // bce per pixel is −[x log ½ + (1 − x) log ½] = ln 2 whatever x, so 4 ln 2 per image.
  const sigmoid = zeroModel({ layers: [4, 2], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce' });
  const both = reconstructionErrors(sigmoid, rows);
  close(both.sse[0], 0.5625, 1e-6);
  close(both.sse[1], 1, 1e-6);
  for (const v of both.bce!) close(v, 4 * Math.LN2, 1e-5);
  assert.deepEqual([...anomalyScores(sigmoid, rows)], [...both.sse]);
  assert.deepEqual([...anomalyScores(sigmoid, rows, 'bce')], [...both.bce!]);
  const perFeature = featureErrors(sigmoid, rows);
  assert.deepEqual([perFeature.n, perFeature.features], [2, 4]);
  assert.deepEqual([...perFeature.x], [0.25, 0.25, 0, 0.0625, 0.25, 0.25, 0.25, 0.25]);
  assert.throws(() => reconstructionErrors(sigmoid, { x: new Float32Array(6), n: 2, features: 3 }), (e: unknown) => e instanceof UsageError && /^anomaly scores: rows have 3 values, expected 4 \(the model's input size\)$/.test(e.message));
});

test('the mean of the per-example errors is evaluate\'s sse and bce; per-feature errors sum to the sse', () => {
  const rng = new Prng(3);
  const n = 250; // over two batches of scoring, the second partial
  const data: Matrix = { x: Float32Array.from({ length: n * 20 }, () => rng.uniform()), n, features: 20 };
  const model = Autoencoder.create({ layers: [20, 8, 3], hiddenActivation: 'relu', codeActivation: 'identity', outputActivation: 'sigmoid', loss: 'bce' }, 5);
  const { sse, bce } = reconstructionErrors(model, data, 100);
  const metrics = evaluate(model, data);
  close(sse.reduce((s, v) => s + v, 0) / n, metrics.sse, 1e-4);
  close(bce!.reduce((s, v) => s + v, 0) / n, metrics.bce!, 1e-3);
  const perFeature = featureErrors(model, data, 64);
  for (let i = 0; i < n; i++) {
    const sum = perFeature.x.subarray(i * 20, (i + 1) * 20).reduce((s, v) => s + v, 0);
    close(sum, sse[i], 1e-4);
  }
});

test('relative-sse by hand: each sse over the root of its row\'s energy plus one', () => {
  const rows: Matrix = { x: Float32Array.from([1, 1, 1, 0, 0, 0, 0.5, 0.5, 0]), n: 3, features: 3 };
  // Energies 3, 0 and 0.5: divisors 2, 1 and sqrt(1.5).
  assert.deepEqual(Array.from(relativeSse(Float64Array.from([3, 8, 1.5]), rows)), [1.5, 8, 1.5 / Math.sqrt(1.5)]);
  const model = Autoencoder.create({ layers: [3, 2], codeActivation: 'identity', outputActivation: 'identity', loss: 'mse' }, 1);
  assert.deepEqual(anomalyScores(model, rows, 'relative-sse'), relativeSse(reconstructionErrors(model, rows).sse, rows));
});

test('thresholds flag the rows above them; the summary by hand', () => {
  const scores = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10];
  // 20% of 10 distinct scores: the 0.8-quantile is 8.2, so 9 and 10 are flagged.
  const byShare = flagAnomalies(scores, { kind: 'contamination', share: 0.2 });
  close(byShare.threshold, 8.2, 1e-12);
  assert.equal(byShare.anomalies, 2);
  assert.deepEqual([...byShare.flags], [0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
  // Normal scores 1..5: their 0.75-quantile is 4, so 5, 9, 7, 8, 6 and 10 lie above.
  const byNormal = flagAnomalies(scores, { kind: 'validation', normalScores: [1, 2, 3, 4, 5], quantile: 0.75 });
  assert.equal(byNormal.threshold, 4);
  assert.equal(byNormal.anomalies, 6);
  assert.deepEqual(summarizeScores([6, 1, 2]), { mean: 3, min: 1, median: 2, max: 6 });
  assert.deepEqual(summarizeScores([4, 1, 2, 3]), { mean: 2.5, min: 1, median: 2.5, max: 4 });
});

test('one-class: trained on 300 ones, the model tells the test set\'s ones from the other digits', async () => {
  const out = tempDir('one-class');
  const result = await oneClass({ classes: [1], preset: 'undercomplete', limit: 300, epochs: 2, batchSize: 16, testLimit: 1000, out });
  assert.equal(result.perDigit.length, 1);
  const [one] = result.perDigit;
  assert.deepEqual([one.digit, one.train, one.epochs, result.test, result.metric, result.preset], [1, 300, 2, 1000, 'relative-sse', 'undercomplete']);
  // A scorer that ranked at random would give about 0.5; ones are far simpler than the rest.
  assert.ok(one.auc > 0.85, `AUC ${one.auc}`);
  assert.ok(one.prAuc > 0.9, `PR-AUC ${one.prAuc}`);
  assert.equal(result.meanAuc, one.auc);
  // PCA with as many components as the code, on the same images, beside it.
  assert.equal(one.pca?.components, 64);
  assert.ok(one.pca.auc > 0.85 && one.pca.prAuc > 0.9, JSON.stringify(one.pca));
  assert.equal(result.meanPcaAuc, one.pca.auc);
  // The model is saved, and so is the report.
  const { model } = loadRun(one.model);
  assert.equal(model.codeSize, 64);
  const saved = JSON.parse(readFileSync(join(out, 'anomaly.json'), 'utf8')) as { perDigit: { auc: number }[] };
  assert.equal(saved.perDigit[0].auc, one.auc);
  // Two labelled rows of ten digits (least, then most anomalous), a title above and a caption below.
  assert.ok(result.picture && existsSync(result.picture));
  const png = PNG.sync.read(readFileSync(result.picture));
  assert.ok(png.height > 2 * 56 + 30 && png.height < 2 * 56 + 150 && png.width > 10 * 56 + 100, `${png.width}x${png.height}`);

  await assert.rejects(oneClass({ classes: [1], out: tempDir('one-class-bad'), preset: 'nope' }), (e: unknown) => e instanceof UsageError && /unknown preset "nope"/.test(e.message));
  await assert.rejects(oneClass({ classes: [1], data: 'test/fixtures/nowhere.csv', out: tempDir('one-class-bad') }), (e: unknown) => e instanceof DataError);
});
