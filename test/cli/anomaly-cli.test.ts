/**
 * `aekit anomaly` end to end: the one-class benchmark on a small slice (its JSON, an AUC a broken
 * scorer could not reach, the picture and the saved model), scoring files with that model into
 * CSV and NPY that read back, and one line with exit code 2 for bad input.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCsv } from '../../src/data/csv.js';
import { loadData } from '../../src/data/load-data.js';
import { readNpy, writeNpy } from '../../src/data/npy.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** `aekit ...args` in this process (see test/helpers/cli.ts): a command's work, not process start-up, is what these tests check. */
const aekit = (...args: string[]) => aekitInProcess(...args);

const work = tempDir('anomaly-cli');
const out = join(work, 'one-class');
const model = join(out, 'class-1');

interface OneClassJson {
  perDigit: { digit: number; auc: number; prAuc: number; pca: { auc: number; components: number } | null; train: number; epochs: number; model: string }[];
  meanAuc: number;
  meanPrAuc: number;
  preset: string;
  metric: string;
  test: number;
  picture: string;
}

test('one-class on a slice: the JSON, an AUC well above chance, the picture and the model', async () => {
  const r = await aekit('anomaly', '--one-class', '1', '--limit', '600', '--epochs', '2', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as OneClassJson;
  assert.deepEqual(Object.keys(result.perDigit[0]).slice(0, 3), ['digit', 'auc', 'prAuc']);
  assert.equal(result.perDigit.length, 1);
  const [one] = result.perDigit;
  assert.deepEqual([one.digit, one.train, one.epochs, result.test, result.preset, result.metric], [1, 600, 2, 10000, 'anomaly', 'relative-sse']);
  // Scores that did not depend on the image would give about 0.5.
  assert.ok(one.auc > 0.85 && one.auc <= 1, `AUC ${one.auc}`);
  assert.ok(one.prAuc > 0.9 && one.prAuc <= 1, `PR-AUC ${one.prAuc}`);
  assert.equal(result.meanAuc, one.auc);
  assert.equal(one.pca?.components, 16);
  assert.ok(one.pca.auc > 0.85, `PCA's AUC ${one.pca.auc}`);
  assert.equal(one.model, model);
  assert.ok(existsSync(join(model, 'model.safetensors')));
  assert.equal(result.picture, join(out, 'anomaly.png'));
  assert.ok(existsSync(result.picture));
  assert.match(r.stderr, /\[1\/1\] digit 1 \(600 training images\)/);
});

test('a model scores a file: CSV and NPY with one row per input row, flags at the contamination share', async () => {
  const digits = loadData('mnist', { split: 'test', limit: 200 });
  const input = join(work, 'digits.npy');
  writeNpy(input, digits.x, [200, 784]);
  const csv = join(work, 'scores.csv');
  let r = await aekit('anomaly', '--model', model, '--input', input, '--contamination', '0.1', '--output', csv, '--json');
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { rows: number; metric: string; anomalies: number; threshold: number; auc: null; mostAnomalous: { row: number; score: number }[] };
  assert.deepEqual([summary.rows, summary.metric, summary.anomalies, summary.auc], [200, 'sse', 20, null]);
  const table = readCsv(csv);
  assert.deepEqual(table.columns, ['sse', 'anomaly']);
  assert.equal(table.n, 200);
  let flagged = 0;
  for (let i = 0; i < 200; i++) {
    const [score, flag] = [table.x[2 * i], table.x[2 * i + 1]];
    assert.equal(flag, score > summary.threshold ? 1 : 0);
    flagged += flag;
  }
  assert.equal(flagged, 20);
  const top = summary.mostAnomalous[0];
  assert.ok(Math.abs(table.x[2 * top.row] - top.score) <= 1e-6 * top.score, `${table.x[2 * top.row]} vs ${top.score}`);

  // NPY without a threshold: one column; labels from the digits give an AUC; the per-feature errors sum to the score.
  const npy = join(work, 'scores.npy');
  const perFeature = join(work, 'errors.npy');
  const labels = join(work, 'labels.csv');
  writeFileSync(labels, `anomaly\n${Array.from(digits.labels!, (l) => (l === 1 ? 0 : 1)).join('\n')}\n`);
  r = await aekit('anomaly', '--model', model, '--input', input, '--labels', labels, '--output', npy, '--per-feature', perFeature);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /200 rows scored by sse .*\n {2}ROC-AUC 0\.\d+, PR-AUC 0\.\d+ against .*labels\.csv/);
  const scores = readNpy(npy);
  assert.deepEqual(scores.shape, [200, 1]);
  const errors = readNpy(perFeature);
  assert.deepEqual(errors.shape, [200, 784]);
  for (const i of [0, 57, 199]) {
    const sum = errors.data.subarray(i * 784, (i + 1) * 784).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sum - scores.data[i]) < 1e-3 * scores.data[i], `row ${i}: ${sum} vs ${scores.data[i]}`);
  }
  // The same scores as the CSV's, to float32 precision.
  for (const i of [0, 99]) assert.ok(Math.abs(scores.data[i] - table.x[2 * i]) <= 1e-6 * table.x[2 * i], `row ${i}`);

  // A threshold from rows known to be normal: the test set's ones.
  const ones = join(work, 'ones.npy');
  const oneRows = Array.from(digits.labels!.keys()).filter((i) => digits.labels![i] === 1);
  writeNpy(ones, Float32Array.from(oneRows.flatMap((i) => Array.from(digits.x.subarray(i * 784, (i + 1) * 784)))), [oneRows.length, 784]);
  r = await aekit('anomaly', '--model', model, '--input', input, '--validation', ones, '--quantile', '0.9', '--json');
  assert.equal(r.code, 0, r.stderr);
  const byNormal = JSON.parse(r.stdout) as { anomalies: number; rule: { quantile: number } };
  assert.equal(byNormal.rule.quantile, 0.9);
  assert.ok(byNormal.anomalies > 100, `${byNormal.anomalies} flagged`);
});

test('bad input gets one line naming the problem and exit code 2', async () => {
  const input = join(work, 'digits.npy');
  const labels3 = join(work, 'three-labels.csv');
  writeFileSync(labels3, '0\n1\n0\n');
  const twoLabels = join(work, 'two-labels.csv');
  writeFileSync(twoLabels, `${Array.from({ length: 200 }, (_, i) => (i % 2) * 2).join('\n')}\n`);
  const unlabelled = join(work, 'unlabelled.csv');
  writeFileSync(unlabelled, '0.1,0.2\n0.3,0.4\n');
  for (const [args, message] of [
    [['--model', model, '--input', input, '--contamination', '0.7'], /--contamination.*expected the share of anomalies in the data, in \(0, 0\.5\], got "0\.7"/],
    [['--model', model, '--input', input, '--contamination', '0'], /in \(0, 0\.5\], got "0"/],
    [['--one-class', '12'], /--one-class.*expected a digit 0-9, digits separated by commas \(2,8\) or "all", got "12"/],
    [['--one-class', 'seven'], /got "seven"/],
    [['--model', model], /--model needs --input FILE/],
    [['--input', input], /--input needs --model DIR/],
    [[], /give --model DIR --input FILE to score data, or --one-class D\|all/],
    [['--one-class', '3', '--model', model], /--one-class trains and scores its own models; --model belongs to scoring a file/],
    [['--model', model, '--input', input, '--epochs', '3'], /--epochs goes with --one-class/],
    [['--model', model, '--input', input, '--output', join(work, 'scores.txt')], /--output .*scores\.txt: unknown extension "\.txt"; expected a \.csv, \.npy, \.arrow or \.feather file name/],
    [['--model', model, '--input', input, '--output', join(work, 'missing', 'scores.csv')], /the folder .*missing does not exist/],
    [['--model', model, '--input', input, '--labels', labels3], /three-labels\.csv: 3 labels for 200 input rows/],
    [['--model', model, '--input', input, '--labels', twoLabels], /two-labels\.csv: row 1: expected a label 0 \(normal\) or 1 \(anomaly\), found 2/],
    [['--model', model, '--input', input, '--quantile', '0.9'], /--quantile needs --validation FILE/],
    [['--model', model, '--input', input, '--contamination', '0.1', '--validation', input], /give one of them/],
    [['--model', model, '--input', unlabelled], /unlabelled\.csv: rows have 2 values, expected 784/],
    [['--one-class', '1', '--data', unlabelled], /unlabelled\.csv: one-class anomaly detection needs a class label per example/],
    [['--one-class', '1', '--preset', 'nope'], /unknown preset "nope"/],
  ] as const) {
    const r = await aekitInProcess('anomaly', ...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  // And as a process: the exit code and the one line.
  const r = await aekit('anomaly', '--model', model, '--input', input, '--contamination', '0.7');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^error: option '--contamination <p>' argument '0\.7' is invalid\. expected the share of anomalies/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
});
