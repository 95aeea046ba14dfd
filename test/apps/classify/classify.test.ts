/**
 * Classification on learned features, on a small slice of MNIST: the codes of a briefly trained
 * autoencoder classify far above chance, fine-tuning moves the encoder's weights and frozen mode
 * leaves them as pretrained; the classifier run folder loads back to the same predictions; and the
 * encoder exported alone classifies like the run it came from.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import '../../../src/index.js';
import { exportEncoder, loadClassifier, loadEncoder } from '../../../src/run/classifier-run.js';
import { classify, scoreClassifier } from '../../../src/apps/classify/classify.js';
import { loadRun } from '../../../src/run/save-load.js';
import { trainRun } from '../../../src/apps/train/train-run.js';
import { loadData } from '../../../src/data/load-data.js';
import { UsageError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/temp-dir.js';

const work = tempDir('classify');
const pretrained = join(work, 'ae');
const small = { labels: 200, epochs: 50, testLimit: 500, seed: 1 };

test('pretrained codes classify far above chance; frozen mode keeps the encoder, fine-tuning moves it', async () => {
  await trainRun({ preset: 'undercomplete', limit: 1000, testLimit: 200, epochs: 3, out: pretrained });
  const { model: ae } = loadRun(pretrained);
  const frozen = await classify({ ...small, model: pretrained, out: join(work, 'frozen') });
  // Ten classes: chance is 10%.
  assert.ok(frozen.accuracy > 0.5, `frozen accuracy ${frozen.accuracy}`);
  assert.equal(frozen.labels, 200);
  assert.equal(frozen.examples, 500);
  assert.equal(frozen.code, 64);
  assert.equal(frozen.pcaComponents, 64);
  for (const v of Object.values(frozen.baselines!)) assert.ok(v > 0.1 && v <= 1, `baseline accuracy ${v}`);

  const tuned = await classify({ ...small, model: pretrained, finetune: true, baselines: false, out: join(work, 'tuned') });
  assert.ok(tuned.accuracy > 0.5, `fine-tuned accuracy ${tuned.accuracy}`);
  assert.equal(tuned.baselines, null);

  const weight = (tensors: { name: string; tensor: { data: Float32Array } }[]) => tensors.find((p) => p.name === 'encoder.0.weight')!.tensor.data;
  const original = weight(ae.parameters());
  assert.deepEqual(weight(loadClassifier(join(work, 'frozen')).model.allParameters()), original);
  assert.notDeepEqual(weight(loadClassifier(join(work, 'tuned')).model.allParameters()), original);
});

test('a classifier run loads back with its record and gives the same predictions', () => {
  const { model, record } = loadClassifier(join(work, 'frozen'));
  assert.equal(record.format, 'aekit-classifier');
  assert.equal(record.training.finetune, false);
  assert.equal(record.training.labels, 200);
  assert.equal(record.model.classes, 10);
  const test = loadData('mnist', { split: 'test', limit: 500 });
  assert.equal(scoreClassifier(model, test).accuracy, record.metrics!.test.accuracy);
});

test('the encoder exported alone: its own run folder, noise layers left out, classified like its source', async () => {
  const noisy = join(work, 'noisy');
  await trainRun({ preset: 'undercomplete', modelOverrides: { regularization: { noise: 'mask:0.2' } }, limit: 300, testLimit: 100, epochs: 1, out: noisy });
  const out = join(work, 'encoder');
  const record = exportEncoder(noisy, out);
  assert.deepEqual(record.model.encoder.map((s) => s.type), ['dense']);
  const loaded = loadEncoder(out);
  assert.deepEqual(loaded.weights.map((w) => w.name).sort(), ['encoder.0.bias', 'encoder.0.weight']);
  // The noise layer takes no nn.Sequential place: the names are the autoencoder's.
  const { model: ae } = loadRun(noisy);
  assert.deepEqual(loaded.weights.find((w) => w.name === 'encoder.0.weight')!.data, ae.parameters().find((p) => p.name === 'encoder.0.weight')!.tensor.data);
  const options = { labels: 100, epochs: 5, testLimit: 200, baselines: false, out: null };
  const fromRun = await classify({ ...options, model: noisy });
  const fromEncoder = await classify({ ...options, model: out });
  assert.equal(fromEncoder.accuracy, fromRun.accuracy);
  assert.throws(() => exportEncoder(noisy, noisy, { force: true }), (e: unknown) => e instanceof UsageError && /is the run folder the encoder comes from/.test(e.message));
});
