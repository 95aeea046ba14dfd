/** The README's library examples run as written (with 'aekit' pointing at the sources). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { RUN_RECORD_VERSION } from '../src/run/run-record.js';
import { tempDir } from './helpers/temp-dir.js';

const readme = readFileSync('README.md', 'utf8');

/** Runs the README's ```ts TAG block as an ES module and returns what it printed. */
function runExample(tag: string): string {
  const match = new RegExp('```ts ' + tag + '\\n([\\s\\S]*?)```').exec(readme);
  assert.ok(match, `README has a \`\`\`ts ${tag} block`);
  const code = match[1].replace(/from 'aekit'/, `from '${resolve('src/index.ts')}'`);
  const dir = tempDir(`readme-${tag}`);
  const file = join(dir, 'example.mts'); // ESM, for the top-level await
  writeFileSync(file, code);
  // Run where the example may write its files (models/first), not in the checkout.
  const run = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), file], { encoding: 'utf8', cwd: dir });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

test('the README library example trains, prints metrics, saves, loads and encodes', () => {
  const out = runExample('example');
  // Codes of three digits from the saved and reloaded model, then of one digit given as a row.
  assert.match(out, /\[ 3, 64 \] \[ [\d.e-]+, [\d.e-]+, [\d.e-]+ \]/);
  assert.match(out, /\[ 1, 64 \]/);
  // Three epochs of training losses, then the metrics object.
  const losses = /\[\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)\s*\]/.exec(out);
  assert.ok(losses, out);
  assert.ok(Number(losses[3]) < Number(losses[1]), 'the loss falls');
  assert.match(out, /sse: \d+\.\d+/);
  assert.match(out, /bce: \d+\.\d+/);
});

test('the README spec example builds a model layer by layer, mirrors it and trains it', () => {
  const out = runExample('spec-example');
  // The decoder the mirror rules wrote, then the test metrics.
  assert.match(out, /decoder: dense 256 leaky_relu, dense 784 identity, reshape 1x28x28/);
  assert.match(out, /parameters: encoder\.1\.weight, encoder\.1\.bias, encoder\.4\.weight, encoder\.4\.bias, decoder\.0\.weight/);
  assert.match(out, /sse: \d+\.\d+/);
  // The prose after the example names the first weight as the example prints it.
  const named = /here the first dense layer's weight is\s+`([a-z]+\.\d+\.weight)`/.exec(readme);
  assert.ok(named, 'README names the spec example\'s first weight');
  assert.equal(/parameters: ([a-z]+\.\d+\.weight)/.exec(out)?.[1], named[1]);
});

test('the README gives the run record\'s format version that aekit writes', () => {
  const said = [...readme.matchAll(/format version (\d+)/g)].map((m) => Number(m[1]));
  assert.ok(said.length >= 2, `found ${said.length} mentions`);
  for (const version of said) assert.equal(version, RUN_RECORD_VERSION);
});

test('the README regularized example trains a tied sparse denoising autoencoder and prints PSNRs', () => {
  const out = runExample('regularized-example');
  for (const key of ['psnrNoisy', 'psnrDenoised', 'sseNoisy', 'sseDenoised']) assert.match(out, new RegExp(`${key}: \\d+\\.\\d+`));
});

test('the README classification example pretrains without labels, fine-tunes a classifier and prints its accuracy', () => {
  const out = runExample('classify-example');
  const match = /^accuracy (0\.\d{3}), digit 0 predicted as (\d+( \d+){9})$/m.exec(out);
  assert.ok(match, out);
  // Ten classes: chance is 0.1.
  assert.ok(Number(match[1]) > 0.5, out);
});
