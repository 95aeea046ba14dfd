/**
 * The generative commands end to end on a small VAE trained on 300 dynamically binarised digits:
 * the run folder's pictures (a 2-d code, so the latent grid too), `aekit eval`'s likelihood
 * (`test.nll`, `test.elbo`, with the bound's order), `aekit sample` and `aekit interpolate` (and
 * interpolate on a deterministic autoencoder, labelled as such; sample from the prior refused for
 * one), and `aekit sample --prior mixture` for both: the mixture fitted to the training codes, its
 * size chosen on validation codes, stored in the run folder and read back.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpy } from '../../src/data/npy.js';
import { sampleGaussianMixture } from '../../src/linalg/gaussian-mixture.js';
import { Prng } from '../../src/util/prng.js';
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
  // With a density fitted to its codes, a deterministic autoencoder samples too.
  const mixed = await aekitInProcess('sample', '--model', deterministic, '--prior', 'mixture:3', '--count', '5', '--output', join(work, 'ae-m.npy'), '--codes', join(work, 'ae-z.npy'), '--json');
  assert.equal(mixed.code, 0, mixed.stderr);
  const result = JSON.parse(mixed.stdout);
  assert.equal(result.prior, 'mixture');
  assert.equal(result.mixture.codes, 'code');
  assert.equal(result.mixture.components, 3);
  assert.deepEqual(readNpy(join(work, 'ae-m.npy')).shape, [5, 784]);
  assert.deepEqual(readNpy(join(work, 'ae-z.npy')).shape, [5, 64]);
});

test('aekit sample --prior mixture: fitted to the training codes, sized on validation codes, stored and read back', async () => {
  const args = ['sample', '--model', run, '--prior', 'mixture:1,2,4', '--count', '300', '--seed', '3', '--codes', join(work, 'mz.npy'), '--png', join(work, 'm.png'), '--force', '--json'];
  const first = await aekitInProcess(...args, '--output', join(work, 'm1.npy'));
  assert.equal(first.code, 0, first.stderr);
  const fitted = JSON.parse(first.stdout);
  assert.equal(fitted.mixture.reused, false);
  assert.equal(fitted.mixture.codes, 'posterior-mean');
  // The limit of 300 less a validation twelfth: 275 training rows, 25 validation rows.
  assert.deepEqual([fitted.mixture.trainRows, fitted.mixture.validationRows], [275, 25]);
  const candidates: { components: number; validationLogLikelihood: number; trainLogLikelihood: number }[] = fitted.mixture.candidates;
  assert.deepEqual(candidates.map((c) => c.components), [1, 2, 4]);
  const best = candidates.reduce((a, c) => (c.validationLogLikelihood > a.validationLogLikelihood ? c : a));
  assert.equal(fitted.mixture.components, best.components);
  // More components never fit the training codes worse by much (EM from a k-means++ start).
  assert.ok(candidates[2].trainLogLikelihood > candidates[0].trainLogLikelihood);
  const stored = JSON.parse(readFileSync(join(run, 'code-mixture.json'), 'utf8'));
  assert.equal(stored.components, best.components);
  assert.equal(stored.trainBinarization, 'dynamic');
  assert.equal(stored.mixture.weights.length, best.components);
  // The codes are the stored mixture's draws with the seed given, exactly.
  assert.deepEqual(readNpy(join(work, 'mz.npy')).data, sampleGaussianMixture(stored.mixture, 300, new Prng(3)));
  // A second call with the same sizes and seed reads the file back and draws the same samples.
  const written = statSync(join(run, 'code-mixture.json')).mtimeMs;
  const again = await aekitInProcess(...args, '--output', join(work, 'm2.npy'));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).mixture.reused, true);
  assert.equal(statSync(join(run, 'code-mixture.json')).mtimeMs, written);
  assert.deepEqual(readNpy(join(work, 'm2.npy')).data, readNpy(join(work, 'm1.npy')).data);
  const bad = await aekitInProcess('sample', '--model', run, '--prior', 'mixture:0', '--output', join(work, 'm3.npy'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /expected standard, mixture, mixture:K/);
});
