/** `aekit classify`, `aekit eval` on a classifier, `aekit export encoder` and `aekit train --preset sdae` end to end on small slices, and one line for bad input. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { saveClassifier } from '../../src/run/classifier-run.js';
import { loadData } from '../../src/data/load-data.js';
import { writeNpy } from '../../src/data/npy.js';
import { Classifier } from '../../src/models/classifier.js';
import { tempDir } from '../helpers/temp-dir.js';
import { aekitInProcess } from '../helpers/cli.js';

/** `aekit ...args` in this process (see test/helpers/cli.ts): a command's work, not process start-up, is what these tests check. */
const aekit = (...args: string[]) => aekitInProcess(...args);

const work = tempDir('classify-cli');
const pretrained = join(work, 'ae');
const classifier = join(work, 'classifier');

test('classify a tiny pretrained model: the JSON, accuracy far above chance, and eval\'s confusion matrix', async () => {
  let r = await aekit('train', '--preset', 'undercomplete', '--limit', '1000', '--test-limit', '100', '--epochs', '3', '--out', pretrained, '--json');
  assert.equal(r.code, 0, r.stderr);
  r = await aekit('classify', '--model', pretrained, '--labels', '200', '--epochs', '50', '--test-limit', '500', '--out', classifier, '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out.baselines).sort(), ['pca', 'pixels', 'scratch']);
  assert.equal(out.labels, 200);
  // Ten classes: chance is 10%.
  assert.ok(out.accuracy > 0.5, `accuracy ${out.accuracy}`);
  for (const v of Object.values<number>(out.baselines)) assert.ok(v >= 0 && v <= 1);
  assert.match(r.stderr, /training the classifier\n[^]*training the scratch baseline/);

  r = await aekit('eval', '--model', classifier, '--test-limit', '300', '--json');
  assert.equal(r.code, 0, r.stderr);
  const evaluated = JSON.parse(r.stdout);
  const labels = loadData('mnist', { split: 'test', limit: 300 }).labels!;
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]++;
  assert.deepEqual(evaluated.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0)), counts);
  const diagonal = evaluated.confusion.reduce((s: number, row: number[], i: number) => s + row[i], 0);
  assert.equal(evaluated.test.accuracy, diagonal / 300);
  assert.equal(evaluated.examples, 300);

  r = await aekit('eval', '--model', classifier, '--test-limit', '300');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^mnist \(test\) \(300 examples\): accuracy 0\.\d{4} {2}error 0\.\d{4}\nconfusion \(rows: true class, columns: predicted\):\n/);
});

test('sdae: greedy pretraining, then classify --finetune on its encoder, and the encoder exported alone', async () => {
  const sdae = join(work, 'sdae');
  let r = await aekit('train', '--preset', 'sdae', '--limit', '300', '--test-limit', '50', '--epochs', '1', '--out', sdae, '--json');
  assert.equal(r.code, 0, r.stderr);
  const trained = JSON.parse(r.stdout);
  // Three stages of one epoch each.
  assert.equal(trained.trainLoss.length, 3);
  r = await aekit('export', 'encoder', '--model', sdae, '--out', join(work, 'sdae-encoder'), '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).layers, ['dense', 'dense', 'dense']);
  r = await aekit('classify', '--model', join(work, 'sdae-encoder'), '--finetune', '--labels', '100', '--epochs', '2', '--test-limit', '100', '--no-baselines', '--out', join(work, 'sdae-classifier'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.finetune, true);
  assert.equal(out.baselines, null);
  assert.equal(out.code, 1000);
});

test('bad input gets one line naming the problem and exit code 2', async () => {
  // A model that learned from a file without labels.
  const file = join(work, 'digits.npy');
  writeNpy(file, loadData('mnist', { limit: 120 }).x, [120, 784]);
  const unlabelled = join(work, 'unlabelled');
  let r = await aekit('train', '--preset', 'undercomplete', '--data', file, '--epochs', '1', '--out', unlabelled);
  assert.equal(r.code, 0, r.stderr);
  // A PCA run, and a classifier with a 5-class head and no encoder, saved from the library.
  const pca = join(work, 'pca');
  r = await aekit('pca', '--limit', '200', '--test-limit', '20', '--components', '4', '--out', pca);
  assert.equal(r.code, 0, r.stderr);
  const fiveClasses = join(work, 'five-classes');
  saveClassifier(Classifier.create({ input: [784], classes: 5 }), fiveClasses, {
    status: 'done', source: null, data: { spec: 'mnist', path: null, name: 'mnist/train', train: 1000, validation: 0, test: 100, features: 784, shape: [1, 28, 28], fingerprint: '-', scale: null },
    split: { limit: 1000, validationFraction: 0, seed: 0 }, training: { finetune: false, labels: 1000, epochs: 1, batchSize: 64, lr: 0.01, schedule: 'cosine', seed: 0 },
  }, {});
  for (const [args, message] of [
    [['classify', '--model', pretrained, '--labels', '205'], /^aekit: --labels 205: the labelled examples are balanced over the 10 classes, so their number must be a positive multiple of 10 \(e\.g\. 200 or 210\)$/],
    [['classify', '--model', pretrained, '--labels', '5000'], /^aekit: --labels 5000: class \d has \d+ training examples, fewer than the 500 per class that 5000 balanced labels need$/],
    [['classify', '--model', pretrained, '--labels', 'ten'], /^error: option '--labels <n>' argument 'ten' is invalid\. expected a whole number ≥ 1, got "ten"$/],
    [['classify', '--model', pretrained, '--rotate', '10'], /^aekit: --shift, --rotate, --scale: frozen codes are computed once, from unmoved images; moving them needs --finetune$/],
    [['classify', '--model', unlabelled], /digits\.npy \(train\): has no class labels \(one per example\), and classification needs them/],
    [['classify', '--model', pca], /pca: is a PCA run \(aekit pca\), which has no encoder to reuse; give the run folder of aekit train$/],
    [['classify', '--model', fiveClasses, '--finetune'], /five-classes: its encoder \(no layers\) has no weights, so there is no encoder to reuse$/],
    [['eval', '--model', fiveClasses, '--test-limit', '50'], /mnist \(test\): has labels up to 9, but .*five-classes's head scores 5 classes \(0\.\.4\)$/],
    [['encode', '--model', classifier, '--input', 'mnist', '--output', join(work, 'codes.npy')], /classifier\/model\.json: holds a classifier \(aekit classify\), not an autoencoder; aekit eval and aekit classify take it$/],
    [['export', 'encoder', '--model', pca, '--out', join(work, 'nothing')], /is a PCA run \(aekit pca\), which has no encoder to reuse/],
  ] as const) {
    r = await aekit(...args, ...(args[0] === 'classify' ? ['--test-limit', '20'] : []));
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
