/**
 * End-to-end runs of `aekit pca` and `aekit compare` on small slices of MNIST: the JSON they
 * print, the files they write, and the values that must hold whatever the slice.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp-dir.js';
import { aekitInProcess } from '../helpers/cli.js';

/** `aekit ...args` in this process (see test/helpers/cli.ts): a command's work, not process start-up, is what these tests check. */
const aekit = (...args: string[]) => aekitInProcess(...args);

const work = tempDir('pca');
const slice = ['--limit', '800', '--test-limit', '200'];

test('pca --json: more components, lower test sse and more variance explained; the linear autoencoder is measured', async () => {
  const small = await aekit('pca', ...slice, '--components', '5', '--compare-linear-ae', '--epochs', '2', '--json');
  assert.equal(small.code, 0, small.stderr);
  const a = JSON.parse(small.stdout);
  const big = await aekit('pca', ...slice, '--components', '20', '--out', join(work, 'pca20'), '--json');
  assert.equal(big.code, 0, big.stderr);
  const b = JSON.parse(big.stdout);

  assert.equal(a.components, 5);
  assert.equal(b.components, 20);
  assert.equal(a.train, 800);
  assert.equal(a.testExamples, 200);
  for (const r of [a, b]) {
    assert.ok(r.test.sse > 0 && Math.abs(r.test.mse - r.test.sse / 784) < 1e-12);
    assert.ok(r.explainedVarianceRatio > 0 && r.explainedVarianceRatio <= 1, `${r.explainedVarianceRatio}`);
    assert.equal(r.componentRatios.length, r.components);
    for (let i = 1; i < r.components; i++) assert.ok(r.componentRatios[i] <= r.componentRatios[i - 1]);
  }
  // Nested subspaces: the top 20 contain the top 5, so they reconstruct better and explain more.
  assert.ok(b.test.sse < a.test.sse, `${b.test.sse} vs ${a.test.sse}`);
  assert.ok(b.explainedVarianceRatio > a.explainedVarianceRatio);
  // Same data, same fit: the first five ratios agree.
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(a.componentRatios[i] - b.componentRatios[i]) < 1e-12);

  assert.equal(b.linearAe, undefined);
  const ae = a.linearAe;
  for (const key of ['largestAngleDegrees', 'meanCos2', 'sse', 'epochs']) assert.ok(key in ae, key);
  assert.ok(ae.largestAngleDegrees >= 0 && ae.largestAngleDegrees <= 90);
  assert.ok(ae.meanCos2 >= 0 && ae.meanCos2 <= 1);
  assert.ok(ae.sse > 0);
  assert.equal(ae.epochs, 2);
  assert.match(small.stderr, /epoch 2\/2/);

  for (const f of ['components.png', 'reconstructions.png', 'pca.json']) assert.ok(existsSync(join(work, 'pca20', f)), f);
  assert.deepEqual(JSON.parse(readFileSync(join(work, 'pca20', 'pca.json'), 'utf8')).test, b.test);
});

test('compare --code 2 --json: four rows in order, a run folder per autoencoder, compare.png and codes.png', async () => {
  const out = join(work, 'compare');
  const r = await aekit('compare', '--limit', '120', '--test-limit', '50', '--epochs', '1', '--code', '2', '--out', out, '--json');
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.equal(result.code, 2);
  assert.deepEqual(result.rows.map((row: { method: string }) => row.method), ['pca', 'logistic-pca', 'shallow', 'deep']);
  for (const row of result.rows) {
    assert.ok(Number.isFinite(row.sse) && row.sse > 0, `${row.method}: ${row.sse}`);
    assert.ok(Math.abs(row.mse - row.sse / 784) < 1e-9);
  }
  assert.equal(result.rows[0].bce, null);
  assert.equal(result.rows[3].epochs, 1);
  assert.equal(result.test, 50);
  assert.equal(result.aborted, false);
  assert.deepEqual(result.pictures, ['compare.png', 'codes.png', 'codes.svg']);
  // The scatter says what each panel is, and what its axes are.
  const codes = readFileSync(join(out, 'codes.svg'), 'utf8');
  for (const label of ['PCA: the first two components', 'deep autoencoder: its 2-unit code', 'code unit 1', 'code unit 2']) assert.ok(codes.includes(label), label);
  for (const f of ['compare.json', 'compare.png', 'codes.png', 'report.html', 'deep/model.json', 'shallow/model.safetensors', 'logistic-pca/metrics.json']) {
    assert.ok(existsSync(join(out, f)), f);
  }
  assert.match(r.stderr, /\[4\/4\] deep/);
  // Each sub-run records the preset it trained (the dashboard lists it), and the comparison's
  // report says its status and the aekit that made it.
  const presetOf = (m: string): unknown => (JSON.parse(readFileSync(join(out, m, 'model.json'), 'utf8')) as { preset: unknown }).preset;
  assert.deepEqual(['logistic-pca', 'shallow', 'deep'].map(presetOf), ['logistic-pca', 'undercomplete', 'deep']);
  const report = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(report, /<tr><th>status<\/th><td>done<\/td><\/tr>/);
  assert.match(report, /<tr><th>aekit<\/th><td>\d+\.\d+\.\d+<\/td><\/tr>/);
  // The deep run folder is an ordinary one: eval gives back the sse of the table.
  const evaluated = await aekit('eval', '--model', join(out, 'deep'), '--test-limit', '50', '--json');
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const sse = JSON.parse(evaluated.stdout).test.sse;
  assert.ok(Math.abs(sse - result.rows[3].sse) < 1e-6 * sse, `${sse} vs ${result.rows[3].sse}`);
});

test('pca and compare: bad input is one line and exit code 2', async () => {
  const cases: [string[], RegExp][] = [
    [['pca', '--components', '0'], /--components.*expected a whole number ≥ 1/],
    [['pca', '--limit', '50', '--components', '785'], /components must be a whole number in 1\.\.784/],
    [['pca', '--solver', 'svd'], /expected one of exact, randomized/],
    [['compare', '--code', 'x'], /--code.*expected a whole number/],
    [['compare', '--limit', '10', '--out', work], /exists and is not empty; pass --force/],
  ];
  for (const [args, message] of cases) {
    const r = await aekit(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});
