/**
 * Label columns wherever a table goes in: a run trained on a CSV with `--label-column` is
 * classified with those labels, a later table is read without the run's label column whether
 * or not it has one, anomaly labels come from a column as they do from a file, and a label
 * column for a source without named columns is refused.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeNpy } from '../../src/data/npy.js';
import { Prng } from '../../src/util/prng.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const work = tempDir('label-column');
// 900 rows of 8 features around three centres (classes 0, 1, 2), plainly apart; class 2 is the anomaly.
const rng = new Prng(7);
const centres = [0, 1, 2].map(() => Array.from({ length: 8 }, () => rng.uniform()));
const rows = Array.from({ length: 900 }, (_, i) => {
  const label = i % 3;
  return { label, x: centres[label].map((c) => +(c + 0.05 * rng.normal()).toFixed(4)) };
});
const header = Array.from({ length: 8 }, (_, j) => `f${j}`);
const csv = (name: string, lines: string[]) => {
  writeFileSync(join(work, name), `${lines.join('\n')}\n`);
  return join(work, name);
};
const labelled = csv('labelled.csv', [['class', ...header].join(','), ...rows.map((r) => [r.label, ...r.x].join(','))]);
const features = csv('features.csv', [header.join(','), ...rows.map((r) => r.x.join(','))]);
const flagged = csv('flagged.csv', [['anomaly', ...header].join(','), ...rows.map((r) => [r.label === 2 ? 1 : 0, ...r.x].join(','))]);
const flags = csv('flags.csv', ['anomaly', ...rows.map((r) => String(r.label === 2 ? 1 : 0))]);
const config = join(work, 'linear.json');
writeFileSync(config, JSON.stringify({ layers: [8, 3], codeActivation: 'identity', outputActivation: 'identity', loss: 'mse' }));
const run = join(work, 'run');

test('a run trained on a table with --label-column: classify and eval read its data with that column', async () => {
  const trained = await aekitInProcess('train', '--config', config, '--data', labelled, '--label-column', 'class', '--epochs', '5', '--lr', '0.01', '--out', run, '--json');
  assert.equal(trained.code, 0, trained.stderr);
  assert.equal(JSON.parse(readFileSync(join(run, 'model.json'), 'utf8')).data.labelColumn, 'class');
  const classified = await aekitInProcess('classify', '--model', run, '--no-baselines', '--out', join(work, 'clf'), '--json');
  assert.equal(classified.code, 0, classified.stderr);
  const result = JSON.parse(classified.stdout);
  // Three clusters far apart: a softmax on the codes separates them.
  assert.ok(result.accuracy > 0.95, `accuracy ${result.accuracy}`);
  const evaluated = await aekitInProcess('eval', '--model', join(work, 'clf'), '--json');
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.equal(JSON.parse(evaluated.stdout).test.accuracy, result.accuracy);
  // Another table, its labels in a column named on the command line.
  const other = await aekitInProcess('classify', '--model', run, '--data', flagged, '--label-column', 'anomaly', '--no-baselines', '--out', join(work, 'clf-other'), '--json');
  assert.equal(other.code, 0, other.stderr);
  assert.equal(JSON.parse(other.stdout).classes, 2);
});

test("a later table is read without the run's label column, whether it has it or not", async () => {
  const withColumn = await aekitInProcess('encode', '--model', run, '--input', labelled, '--output', join(work, 'a.npy'));
  const without = await aekitInProcess('encode', '--model', run, '--input', features, '--output', join(work, 'b.npy'));
  assert.equal(withColumn.code, 0, withColumn.stderr);
  assert.equal(without.code, 0, without.stderr);
  assert.ok(readFileSync(join(work, 'a.npy')).equals(readFileSync(join(work, 'b.npy'))), 'the same codes');
  const a = JSON.parse((await aekitInProcess('eval', '--model', run, '--data', labelled, '--json')).stdout);
  const b = JSON.parse((await aekitInProcess('eval', '--model', run, '--data', features, '--json')).stdout);
  assert.equal(a.examples, 900);
  assert.deepEqual(a.test, b.test);
});

test('anomaly: labels from a column of the input give the ROC-AUC that the same labels from a file give', async () => {
  const fromColumn = await aekitInProcess('anomaly', '--model', run, '--input', flagged, '--label-column', 'anomaly', '--json');
  const fromFile = await aekitInProcess('anomaly', '--model', run, '--input', features, '--labels', flags, '--json');
  assert.equal(fromColumn.code, 0, fromColumn.stderr);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  const [c, f] = [JSON.parse(fromColumn.stdout), JSON.parse(fromFile.stdout)];
  assert.equal(c.rows, 900);
  assert.ok(c.auc >= 0 && c.auc <= 1);
  assert.equal(c.auc, f.auc);
  assert.equal(c.prAuc, f.prAuc);
  assert.deepEqual(c.scores, f.scores);
  // For a person, the labels are named: the column and its file, or the labels file.
  const human = await aekitInProcess('anomaly', '--model', run, '--input', flagged, '--label-column', 'anomaly');
  assert.match(human.stdout, /PR-AUC [0-9.]+ against the column "anomaly" of .*flagged\.csv$/m);
  assert.match((await aekitInProcess('anomaly', '--model', run, '--input', features, '--labels', flags)).stdout, /against .*flags\.csv$/m);
});

test('a label column for a source without named columns, or one that is not there, is one line and exit code 2', async () => {
  const npy = join(work, 'x.npy');
  writeFileSync(npy, encodeNpy(new Float32Array(80), [10, 8]));
  const cases: [string[], RegExp][] = [
    [['encode', '--model', run, '--input', npy, '--output', join(work, 'c.npy'), '--label-column', 'class'], /x\.npy: has no named columns, so no label column "class"; --label-column goes with CSV and Arrow files/],
    [['train', '--config', config, '--data', npy, '--label-column', 'class', '--out', join(work, 't')], /x\.npy: has no named columns/],
    [['anomaly', '--model', run, '--input', features, '--label-column', 'anomaly'], /features\.csv: no label column "anomaly": the header names "f0", "f1", .*"f7"$/m],
    [['anomaly', '--model', run, '--input', flagged, '--label-column', 'anomaly', '--labels', flags], /--labels and --label-column each give the labels; give one of them/],
    [['eval', '--model', run, '--label-column', 'class'], /eval: --label-column goes with --data/],
    [['classify', '--model', run, '--label-column', 'class'], /classify: --label-column goes with --data/],
  ];
  for (const [args, message] of cases) {
    const r = await aekitInProcess(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').filter((line) => !line.includes('a config\'s defaults')).length, 1, r.stderr);
  }
});
