import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { readArrow, writeArrowFile } from '../../src/data/arrow.js';
import { encodeNpy } from '../../src/data/npy.js';
import { FASHION_MNIST_DIR } from '../../src/data/mnist.js';
import { tempDir } from '../helpers/temp-dir.js';

const main = resolve('src/cli/main.ts');
const tsx = import.meta.resolve('tsx');
function aekit(args: string[]) {
  const run = spawnSync(process.execPath, ['--import', tsx, main, ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const work = tempDir('data-in-cli');
const linear = join(work, 'linear.json');
writeFileSync(linear, JSON.stringify({ layers: [6, 3], codeActivation: 'identity', outputActivation: 'identity', loss: 'mse' }));
// 2,400 rows of 6 features around 50 with spread 10 (plainly not in [0, 1], nor standardized),
// made from 2 hidden factors so that a 3-number code can reconstruct them.
const n = 2400;
const x = Float32Array.from({ length: n * 6 }, (_, i) => {
  const r = Math.floor(i / 6);
  const j = i % 6;
  return 50 + 10 * (Math.sin(r * 0.37) * (j - 2.5) + Math.cos(r * 0.11) * (j % 2 ? 1 : -0.5));
});
const npy = join(work, 'x.npy');
writeFileSync(npy, encodeNpy(x, [n, 6]));

test('--max-memory streams a file larger than the budget; --scale standardize is saved per feature and encode applies it', () => {
  const out = join(work, 'streamed');
  const run = aekit(['train', '--config', linear, '--data', npy, '--scale', 'standardize', '--max-memory', '64KB', '--epochs', '4', '--batch-size', '32', '--lr', '0.01', '--out', out, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const record = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
  assert.equal(record.training.maxMemory, 65536);
  assert.equal(record.training.scale, 'standardize');
  assert.equal(record.data.scale.offset.length, 6);
  // 64 KB / 8 for the held-out rows = 341 rows of 24 bytes; the rest (about 3/4 of 2,400) trains.
  assert.ok(record.data.train > 1500 && record.data.train < 1900, `train rows ${record.data.train}`);
  assert.ok(record.data.validation + record.data.test <= 341);
  const result = JSON.parse(run.stdout);
  assert.ok(result.test.mse < 0.2, `standardized features have variance 1; a 3-d code of 2 factors must do far better, got mse ${result.test.mse}`);
  // eval finds the same held-out rows again (the same scan, the same budget): the same test sse.
  const evaluated = aekit(['eval', '--model', out, '--json']);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const again = JSON.parse(evaluated.stdout);
  assert.equal(again.examples, record.data.test);
  assert.ok(Math.abs(again.test.sse - result.test.sse) <= 1e-9 * result.test.sse, `eval ${again.test.sse} vs training's ${result.test.sse}`);
  const codes = join(work, 'codes.arrow');
  const encoded = aekit(['encode', '--model', out, '--input', npy, '--output', codes, '--json']);
  assert.equal(encoded.code, 0, encoded.stderr);
  const table = readArrow(codes);
  assert.equal(table.n, n);
  assert.equal(table.features, 3);
  // A mixture prior is fitted to every training row's code, which a streamed run does not hold:
  // the refusal names the flags sample has, not --data or --input, which it has not.
  const sampled = aekit(['sample', '--model', out, '--prior', 'mixture', '--count', '4', '--output', join(work, 'samples.npy')]);
  assert.equal(sampled.code, 2, sampled.stderr);
  assert.match(sampled.stderr, /trained by streaming its data \(--max-memory\).*use --prior standard, or train without --max-memory/);
});

test('a sigmoid/BCE model refuses standardized data after scaling, exit code 2', () => {
  const sigmoid = join(work, 'sigmoid.json');
  writeFileSync(sigmoid, JSON.stringify({ layers: [6, 3], codeActivation: 'sigmoid' }));
  const run = aekit(['train', '--config', sigmoid, '--data', npy, '--scale', 'standardize', '--epochs', '1', '--out', join(work, 'bce')]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /x\.npy: values lie in \[-\d.*\] after --scale standardize, but this model's binary cross-entropy on a sigmoid output needs data in \[0, 1\]; use --scale unit instead/);
  // One line besides the one that states a config run's own training settings.
  assert.equal(run.stderr.trim().split('\n').filter((line) => !line.includes('a config\'s defaults')).length, 1);
});

test('Arrow training data with a label column; a ragged CSV streamed fails with file:line and exit code 2', () => {
  const arrow = join(work, 't.arrow');
  const cols = Array.from({ length: 6 }, (_, j) => ({ name: `f${j}`, values: Array.from({ length: 600 }, (_, r) => x[r * 6 + j]) }));
  writeArrowFile(arrow, [...cols, { name: 'class', values: Array.from({ length: 600 }, (_, r) => r % 3) }]);
  const run = aekit(['train', '--config', linear, '--data', arrow, '--label-column', 'class', '--scale', 'unit', '--epochs', '1', '--out', join(work, 'arrow-run'), '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(readFileSync(join(work, 'arrow-run', 'model.json'), 'utf8')).data.labelColumn, 'class');
  const ragged = join(work, 'ragged.csv');
  const lines = Array.from({ length: 5000 }, (_, r) => Array.from(x.subarray(r % n * 6, r % n * 6 + 6)).join(','));
  lines[3000] = '1,2,3';
  writeFileSync(ragged, `${lines.join('\n')}\n`);
  const bad = aekit(['train', '--config', linear, '--data', ragged, '--max-memory', '64KB', '--epochs', '1', '--out', join(work, 'ragged-run')]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').filter((line) => !line.includes('a config\'s defaults')).join('\n'), `aekit: ${ragged}:3001: expected 6 columns like the first line, found 3`);
  assert.equal(existsSync(join(work, 'ragged-run')), false);
});

test('fashion-mnist from Debian\'s package, when installed', (t) => {
  if (!existsSync(FASHION_MNIST_DIR)) {
    t.skip(`${FASHION_MNIST_DIR} is not there (apt-get install dataset-fashion-mnist)`);
    return;
  }
  const run = aekit(['train', '--preset', 'undercomplete', '--data', 'fashion-mnist', '--limit', '2000', '--test-limit', '500', '--epochs', '1', '--out', join(work, 'fashion'), '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(readFileSync(join(work, 'fashion', 'model.json'), 'utf8')).data.name, 'fashion-mnist (train)');
});
