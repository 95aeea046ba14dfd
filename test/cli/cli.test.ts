/**
 * End-to-end runs of the command line on small slices of MNIST: what a user types, what they get
 * back on stdout, stderr and in the exit code, and what lands in the run folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpy, writeNpy } from '../../src/data/npy.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { tempDir } from '../helpers/temp-dir.js';
import { aekitInProcess } from '../helpers/cli.js';

/** `aekit ...args` in this process (see test/helpers/cli.ts): a command's work, not process start-up, is what these tests check. */
const aekit = (...args: string[]) => aekitInProcess(...args);

const work = tempDir('cli');
const runDir = join(work, 'run');

test('train --json prints one JSON object and writes a complete run folder', async () => {
  const r = await aekit('train', '--preset', 'undercomplete', '--limit', '600', '--test-limit', '200', '--epochs', '2', '--batch-size', '50', '--weight-decay', '0.01', '--out', runDir, '--json', '--test-curve');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  for (const key of ['preset', 'epochs', 'seconds', 'samplesPerSecond', 'trainLoss', 'valLoss', 'test', 'outDir']) assert.ok(key in out, key);
  assert.equal(out.preset, 'undercomplete');
  assert.equal(out.trainLoss.length, 2);
  // --test-curve: the test sse after each epoch, the last one being the final test sse.
  assert.equal(out.testSseCurve.length, 2);
  assert.ok(Math.abs(out.testSseCurve[1] - out.test.sse) < 1e-9 * out.test.sse);
  assert.ok(out.test.sse > 0 && out.test.bce > 0 && Math.abs(out.test.mse - out.test.sse / 784) < 1e-9);
  assert.match(r.stderr, /epoch 2\/2/);
  for (const f of ['model.json', 'model.safetensors', 'metrics.json', 'reconstructions.png', 'filters.png']) assert.ok(existsSync(join(runDir, f)), f);
  const weights = readSafetensors(join(runDir, 'model.safetensors'));
  assert.deepEqual(weights.tensors.get('encoder.0.weight')?.shape, [64, 784]);
  assert.deepEqual(weights.tensors.get('decoder.0.weight')?.shape, [784, 64]);
  const model = JSON.parse(readFileSync(join(runDir, 'model.json'), 'utf8'));
  assert.equal(model.status, 'done');
  assert.equal(model.training.weightDecay, 0.01);
  assert.equal(model.metrics.test.sse, out.test.sse);
});

test('eval of the saved model gives the numbers training ended with', async () => {
  const trained = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8'));
  const r = await aekit('eval', '--model', runDir, '--test-limit', '200', '--json');
  assert.equal(r.code, 0, r.stderr);
  const { test: metrics } = JSON.parse(r.stdout);
  assert.ok(Math.abs(metrics.sse - trained.test.sse) < 1e-9 * trained.test.sse, `${metrics.sse} vs ${trained.test.sse}`);
  assert.ok(Math.abs(metrics.bce - trained.test.bce) < 1e-9 * trained.test.bce);
});

test('encode, decode and reconstruct write .npy files of the right shape', async () => {
  const codes = join(work, 'codes.npy');
  let r = await aekit('encode', '--model', runDir, '--input', 'mnist', '--limit', '30', '--output', codes, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readNpy(codes).shape, [30, 64]);
  const decoded = join(work, 'decoded.npy');
  r = await aekit('decode', '--model', runDir, '--input', codes, '--output', decoded, '--png', join(work, 'decoded.png'));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readNpy(decoded).shape, [30, 784]);
  assert.ok(existsSync(join(work, 'decoded.png')));
  const recon = join(work, 'recon.npy');
  r = await aekit('reconstruct', '--model', runDir, '--input', 'mnist', '--limit', '30', '--output', recon);
  assert.equal(r.code, 0, r.stderr);
  // Decoding the codes is reconstructing: the two paths agree.
  const a = readNpy(decoded).data;
  const b = readNpy(recon).data;
  assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-6));
});

test('bad input: one line on stderr, exit code 2, no stack trace', async () => {
  const cases: [string[], RegExp][] = [
    [['train', '--preset', 'nope'], /unknown preset "nope"; expected one of/],
    [['train', '--epochs', 'x'], /--epochs.*expected a whole number/],
    [['train', '--bogus'], /unknown option '--bogus'/],
    [['train', '--weight-decay', '-1'], /--weight-decay.*expected a number ≥ 0, got "-1"/],
    [['train', '--preset', 'undercomplete', '--limit', '10', '--out', runDir], /exists and is not empty; pass --force/],
    [['eval', '--model', work], /not a run folder/],
    [['train', '--config', join(work, 'missing.json')], /missing\.json: cannot read model config file \(ENOENT\)/],
    [['train', '--config', work], /: expected a model config file, found a folder/],
  ];
  const badJson = join(work, 'bad.json');
  writeFileSync(badJson, '{"layers": [784');
  cases.push([['train', '--config', badJson], /bad\.json: not valid JSON/]);
  const badConfig = join(work, 'bad-config.json');
  writeFileSync(badConfig, '{"layers": [784, 32], "loss": "hinge"}');
  cases.push([['train', '--config', badConfig, '--limit', '10'], /model config: loss/]);
  const wrongWidth = join(work, 'wide.npy');
  writeNpy(wrongWidth, new Float32Array(10 * 5), [10, 5]);
  cases.push([['encode', '--model', runDir, '--input', wrongWidth, '--output', join(work, 'x.npy')], /wide\.npy: rows have 5 values, expected 784/]);
  const notNpy = join(work, 'fake.npy');
  writeFileSync(notNpy, 'hello');
  cases.push([['encode', '--model', runDir, '--input', notNpy, '--output', join(work, 'x.npy')], /fake\.npy/]);
  for (const [args, message] of cases) {
    const r = await aekit(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${args.join(' ')} printed a stack trace`);
  }
});

test('--help teaches: presets and examples', async () => {
  const r = await aekit('train', '--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Presets:[\s\S]*deep/);
  assert.match(r.stdout, /Examples:/);
});

test('Ctrl-C stops after the current step, keeps the best model so far and exits with 130', async () => {
  const { spawn } = await import('node:child_process');
  const dir = join(work, 'interrupted');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--preset', 'undercomplete', '--limit', '600',
    '--test-limit', '100', '--epochs', '1000', '--batch-size', '50', '--out', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const code = await new Promise<number | null>((resolve) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      // Interrupt once two epochs are done, as a user would press Ctrl-C.
      if (/epoch 2\/1000/.test(stderr) && !child.killed) child.kill('SIGINT');
    });
    child.on('close', resolve);
  });
  // 128 + SIGINT, as shells report an interrupted program, after the model was saved.
  assert.equal(code, 130, stderr);
  const out = JSON.parse(stdout);
  assert.equal(out.aborted, true);
  assert.ok(out.epochs >= 2 && out.epochs < 1000);
  const model = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.equal(model.status, 'aborted');
  assert.ok(existsSync(join(dir, 'model.safetensors')));
  const r = await aekit('eval', '--model', dir, '--test-limit', '100', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Math.abs(JSON.parse(r.stdout).test.sse - out.test.sse) < 1e-9 * out.test.sse);
});

test('data that does not fit the model, or holds NaN, is refused with the file named', async () => {
  const narrow = join(work, 'narrow.npy');
  writeNpy(narrow, new Float32Array(20 * 10).fill(0.5), [20, 10]);
  // A preset follows the data's width; a config that names its own input keeps it, and is refused.
  const wide = join(work, 'wide.json');
  writeFileSync(wide, JSON.stringify({ layers: [784, 64], codeActivation: 'sigmoid' }));
  let r = await aekit('train', '--config', wide, '--data', narrow, '--out', join(work, 'n1'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /narrow\.npy.*: rows have 10 values, expected 784 \(the model's input size\)/);
  const nan = join(work, 'nan.npy');
  const values = new Float32Array(20 * 784).fill(0.5);
  values[3 * 784 + 7] = Number.NaN;
  writeNpy(nan, values, [20, 784]);
  r = await aekit('train', '--preset', 'undercomplete', '--data', nan, '--out', join(work, 'n2'));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nan\.npy.*row 3, column 7/);
});

test('a reader that stops early (aekit --help | head -1) ends the output quietly, exit code 0', () => {
  const run = spawnSync('sh', ['-c', `"${process.execPath}" --import tsx src/cli/main.ts inpaint --help | head -c 10 >/dev/null; exit 0`], { encoding: 'utf8' });
  assert.equal(run.status, 0);
  assert.doesNotMatch(run.stderr, /EPIPE|Unhandled/);
});
