/**
 * The generative commands end to end on a small VAE trained on 300 dynamically binarised digits:
 * the run folder's pictures (a 2-d code, so the latent grid too), `aekit eval`'s likelihood
 * (`test.nll`, `test.elbo`, with the bound's order), `aekit sample` and `aekit interpolate` (and
 * interpolate on a deterministic autoencoder, labelled as such; sample refused for one).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpy } from '../../src/data/npy.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const work = tempDir('generative');
const config = join(work, 'vae.json');
writeFileSync(config, JSON.stringify({
  input: [784], encoder: [{ type: 'dense', units: 32, activation: 'relu' }, { type: 'gaussian', units: 2, warmup: 1 }], output: { activation: 'sigmoid', loss: 'bce' },
}));
const run = join(work, 'vae');

test('a VAE run: dynamic binarisation recorded, its pictures drawn, and eval gives test.nll and test.elbo', async () => {
  const trained = await aekitInProcess('train', '--config', config, '--binarize', 'dynamic', '--limit', '300', '--test-limit', '12', '--epochs', '2', '--out', run, '--json');
  assert.equal(trained.code, 0, trained.stderr);
  assert.equal(JSON.parse(readFileSync(join(run, 'model.json'), 'utf8')).training.binarize, 'dynamic');
  for (const file of ['samples.png', 'interpolations.png', 'latent-grid.png', 'kl-per-unit.svg']) assert.ok(existsSync(join(run, file)), file);
  const report = readFileSync(join(run, 'report.html'), 'utf8');
  for (const file of ['samples.png', 'kl-per-unit.svg']) assert.ok(report.includes(`<figcaption>${file}</figcaption>`), `${file} is in the report`);
  const evaluated = await aekitInProcess('eval', '--model', run, '--samples', '50', '--test-limit', '12', '--json');
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const result = JSON.parse(evaluated.stdout);
  assert.equal(result.examples, 12);
  assert.equal(result.likelihood.samples, 50);
  assert.match(result.likelihood.binarization, /^dynamic/);
  // Binary test images: the NLL of 784 pixels is positive, and the IS bound is tighter than the ELBO.
  assert.ok(result.test.nll > 0 && Number.isFinite(result.test.nll));
  assert.ok(result.test.nll < -result.test.elbo, `NLL ${result.test.nll} vs −ELBO ${-result.test.elbo}`);
  assert.equal(result.likelihood.klPerUnit.length, 2);
});

test('aekit sample writes decoded prior draws; aekit interpolate walks spherically for a VAE', async () => {
  const out = join(work, 'samples.npy');
  const sampled = await aekitInProcess('sample', '--model', run, '--count', '7', '--temperature', '0.8', '--output', out, '--codes', join(work, 'z.npy'), '--png', join(work, 's.png'), '--json');
  assert.equal(sampled.code, 0, sampled.stderr);
  const samples = readNpy(out);
  assert.deepEqual(samples.shape, [7, 784]);
  assert.ok(Array.from(samples.data).every((v) => v >= 0 && v <= 1), 'Bernoulli means are probabilities');
  assert.deepEqual(readNpy(join(work, 'z.npy')).shape, [7, 2]);
  const walked = await aekitInProcess('interpolate', '--model', run, '--from', '0', '--to', '3', '--steps', '5', '--png', join(work, 'walk.png'), '--output', join(work, 'walk.npy'), '--json');
  assert.equal(walked.code, 0, walked.stderr);
  assert.deepEqual(JSON.parse(walked.stdout).kind, 'spherical');
  assert.deepEqual(readNpy(join(work, 'walk.npy')).shape, [5, 784]);
  const outside = await aekitInProcess('interpolate', '--model', run, '--from', '0', '--to', '99', '--png', join(work, 'w2.png'));
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /--to 99 is not an example/);
});

test('a deterministic autoencoder: interpolate walks straight and says so; sample is refused with a reason', async () => {
  const deterministic = join(work, 'ae');
  const trained = await aekitInProcess('train', '--preset', 'undercomplete', '--limit', '200', '--test-limit', '4', '--epochs', '1', '--out', deterministic, '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const walked = await aekitInProcess('interpolate', '--model', deterministic, '--from', '0', '--to', '1', '--png', join(work, 'ae-walk.png'), '--json');
  assert.equal(walked.code, 0, walked.stderr);
  assert.deepEqual(JSON.parse(walked.stdout), { kind: 'linear', variational: false, from: 0, to: 1, steps: 10, png: join(work, 'ae-walk.png'), output: null });
  const sampled = await aekitInProcess('sample', '--model', deterministic, '--output', join(work, 'x.npy'));
  assert.equal(sampled.code, 2);
  assert.match(sampled.stderr, /deterministic autoencoder, which has no prior/);
  const evaluated = await aekitInProcess('eval', '--model', deterministic, '--json');
  assert.equal(JSON.parse(evaluated.stdout).test.nll, undefined);
});
