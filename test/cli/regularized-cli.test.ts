/**
 * End-to-end runs of the regularization flags of `aekit train` and of `aekit denoise` on small
 * slices of MNIST.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadData } from '../../src/data/load-data.js';
import { readNpy, writeNpy } from '../../src/data/npy.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { tempDir } from '../helpers/temp-dir.js';
import { aekitInProcess } from '../helpers/cli.js';

/** `aekit ...args` in this process (see test/helpers/cli.ts): a command's work, not process start-up, is what these tests check. */
const aekit = (...args: string[]) => aekitInProcess(...args);

const work = tempDir('reg-cli');
const runDir = join(work, 'tied-sparse-denoising');
const plainDir = join(work, 'plain');

test('train with --tied --noise --sparsity --l2 --contractive: one config in model.json, tied weights stored once', async () => {
  const r = await aekit('train', '--preset', 'undercomplete', '--tied', '--noise', 'mask:0.25', '--sparsity', '0.1:1', '--l2', '1e-4',
    '--contractive', '0.01', '--l1-activity', '1e-3', '--limit', '600', '--test-limit', '100', '--epochs', '2', '--batch-size', '50', '--out', runDir, '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.preset, 'undercomplete');
  assert.ok(out.test.sse > 0);
  const model = JSON.parse(readFileSync(join(runDir, 'model.json'), 'utf8'));
  assert.equal(model.preset, 'undercomplete');
  // The flags became layer specs: a noise layer in front, the regularizers on the dense layer, a tied decoder.
  assert.deepEqual(model.model.encoder[0], { type: 'noise', spec: 'mask:0.25' });
  const code = model.model.encoder[1];
  assert.deepEqual([code.type, code.units, code.kernelRegularizer, code.contractive, code.activityRegularizer],
    ['dense', 64, { l2: 1e-4 }, 0.01, { kl: { rho: 0.1, beta: 1 }, l1: 1e-3 }]);
  assert.deepEqual(model.model.decoder.map((s: { type: string }) => s.type), ['tied_dense']);
  assert.equal(model.model.decoder[0].partner, 'encoder.1');
  const names = [...readSafetensors(join(runDir, 'model.safetensors')).tensors.keys()].sort();
  // The noise layer takes no nn.Sequential place.
  assert.deepEqual(names, ['decoder.0.bias', 'encoder.0.bias', 'encoder.0.weight']);
  // The reloaded model (config and weights) evaluates to what training reported.
  const e = await aekit('eval', '--model', runDir, '--test-limit', '100', '--json');
  assert.equal(e.code, 0, e.stderr);
  assert.ok(Math.abs(JSON.parse(e.stdout).test.sse - out.test.sse) < 1e-6 * out.test.sse);
});

test('a regularized preset trains from its name', async () => {
  const r = await aekit('train', '--preset', 'sparse', '--limit', '300', '--test-limit', '50', '--epochs', '1', '--out', join(work, 'sparse'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const model = JSON.parse(readFileSync(join(work, 'sparse', 'model.json'), 'utf8'));
  assert.deepEqual(model.model.encoder[0].activityRegularizer, { kl: { rho: 0.05, beta: 3 } });
});

test('denoise the test set: PSNR and sse of the noisy and denoised images, with the trained noise by default', async () => {
  let r = await aekit('denoise', '--model', runDir, '--noise', 'mask:0.5', '--test-limit', '100', '--png', join(work, 'denoise.png'), '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const key of ['psnrNoisy', 'psnrDenoised', 'sseNoisy', 'sseDenoised']) assert.equal(typeof out[key], 'number', key);
  assert.equal(out.noise, 'mask:0.5');
  assert.equal(out.examples, 100);
  // PSNR (peak 1) from the pooled per-pixel error: 10·log10(784 / sse).
  assert.ok(Math.abs(out.psnrNoisy - 10 * Math.log10(784 / out.sseNoisy)) < 1e-9);
  assert.ok(Math.abs(out.psnrDenoised - 10 * Math.log10(784 / out.sseDenoised)) < 1e-9);
  // Masking half the pixels of MNIST digits loses about half their ink: sse ≈ 0.5 Σ x².
  const clean = loadData('mnist', { split: 'test', limit: 100 });
  const ink = clean.x.reduce((s, v) => s + v * v, 0) / 100;
  assert.ok(Math.abs(out.sseNoisy - 0.5 * ink) < 0.05 * ink, `${out.sseNoisy} vs ${0.5 * ink}`);
  assert.ok(existsSync(join(work, 'denoise.png')));
  // Without --noise: the noise the model was trained with. The same seed, the same noise.
  r = await aekit('denoise', '--model', runDir, '--test-limit', '100', '--json');
  assert.equal(JSON.parse(r.stdout).noise, 'mask:0.25');
  const again = await aekit('denoise', '--model', runDir, '--test-limit', '100', '--json');
  assert.deepEqual(JSON.parse(again.stdout), JSON.parse(r.stdout));
  r = await aekit('denoise', '--model', runDir, '--test-limit', '100');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /PSNR noisy [\d.]+ dB -> denoised [\d.]+ dB/);
});

test('denoise a file: with --noise it is the clean reference; without, it is what gets cleaned', async () => {
  const input = join(work, 'digits.npy');
  const digits = loadData('mnist', { split: 'test', limit: 20 });
  writeNpy(input, digits.x, [20, 784]);
  const output = join(work, 'clean.npy');
  let r = await aekit('denoise', '--model', runDir, '--input', input, '--output', output, '--noise', 'gaussian:0.3', '--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.rows, 20);
  assert.ok(out.psnrNoisy > 0 && out.psnrDenoised > 0);
  assert.deepEqual(readNpy(output).shape, [20, 784]);
  r = await aekit('denoise', '--model', runDir, '--input', input, '--output', output, '--force', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).psnrNoisy, undefined);
  assert.equal(JSON.parse(r.stdout).noise, null);
});

test('bad regularization flags and denoise misuse: one line, exit 2', async () => {
  const p = await aekit('train', '--preset', 'undercomplete', '--limit', '100', '--epochs', '1', '--out', plainDir, '--json');
  assert.equal(p.code, 0, p.stderr);
  const cases: [string[], RegExp][] = [
    // Every flag's parser is tested in-process (regularization-options.test.ts); one shows the path.
    [['train', '--noise', 'blur:0.1'], /--noise.*unknown kind "blur"; expected mask, gaussian, salt-pepper/],
    [['train', '--preset', 'deep', '--sparsity', '0.05:3', '--limit', '10', '--out', join(work, 'x')], /regularization\.sparsity: the KL sparsity penalty needs a sigmoid code/],
    [['denoise', '--model', plainDir, '--test-limit', '10'], /was trained without noise; pass --noise SPEC/],
    [['denoise', '--model', runDir, '--input', join(work, 'digits.npy')], /--input needs --output/],
  ];
  for (const [args, message] of cases) {
    const r = await aekit(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${args.join(' ')} printed a stack trace`);
  }
});

test('help lists the denoise command and the regularization flags', async () => {
  assert.match((await aekit('--help')).stdout, /denoise/);
  const train = (await aekit('train', '--help')).stdout;
  for (const flag of ['--tied', '--l2', '--sparsity', '--contractive', '--noise', 'overcomplete-denoising']) assert.ok(train.includes(flag), flag);
  assert.match((await aekit('denoise', '--help')).stdout, /PSNR[\s\S]*Examples:/);
});
