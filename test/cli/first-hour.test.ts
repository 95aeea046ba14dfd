/**
 * What a new user hit in their first hour, each checked the way they met it: at the command
 * line, with the exit code and the one line they read.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { describeTrainRun } from '../../src/cli/commands/train.js';
import { loadData } from '../../src/data/load-data.js';
import { readNpy, writeNpy } from '../../src/data/npy.js';
import { tempDir } from '../helpers/temp-dir.js';

const main = resolve('src/cli/main.ts');
const tsx = import.meta.resolve('tsx');
function aekit(args: string[], cwd?: string) {
  const run = spawnSync(process.execPath, ['--import', tsx, main, ...args], { encoding: 'utf8', cwd });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const work = tempDir('first-hour');
const digits = loadData('mnist', { split: 'test', limit: 60 });
const digitsFile = join(work, 'digits.npy');
writeNpy(digitsFile, digits.x, [digits.n, 784]);
const model = join(work, 'model');

test('a model trained on a file, evaluated on a file: all of it, from any folder; moved data is named', () => {
  const r = aekit(['train', '--preset', 'undercomplete', '--data', 'digits.npy', '--epochs', '1', '--out', 'model', '--json'], work);
  assert.equal(r.code, 0, r.stderr);
  const record = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8'));
  assert.equal(record.data.path, digitsFile, 'the data is recorded by its absolute path');
  // --data FILE: every example of the file, under the file's name.
  const all = aekit(['eval', '--model', model, '--data', digitsFile, '--json']);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual([JSON.parse(all.stdout).examples, JSON.parse(all.stdout).data], [60, digitsFile]);
  // No --data, from another folder: the run's own test split (the sixth held out at training).
  const own = aekit(['eval', '--model', model, '--json'], tempDir('elsewhere'));
  assert.equal(own.code, 0, own.stderr);
  assert.equal(JSON.parse(own.stdout).examples, 10);
  renameSync(digitsFile, `${digitsFile}.moved`);
  try {
    const moved = aekit(['eval', '--model', model]);
    assert.equal(moved.code, 2);
    assert.equal(moved.stderr, `aekit: ${digitsFile}: the data ${model} was trained on is not there any more (moved or deleted?); pass --data with its new place\n`);
  } finally {
    renameSync(`${digitsFile}.moved`, digitsFile);
  }
});

test('encode takes no --png (codes are not images); outputs are not overwritten without --force, nor an input', () => {
  const png = aekit(['encode', '--model', model, '--input', digitsFile, '--output', join(work, 'c.npy'), '--png', join(work, 'c.png')]);
  assert.equal(png.code, 2);
  assert.match(png.stderr, /unknown option '--png'/);
  const codes = join(work, 'codes.npy');
  assert.equal(aekit(['encode', '--model', model, '--input', digitsFile, '--output', codes]).code, 0);
  const again = aekit(['encode', '--model', model, '--input', digitsFile, '--output', codes]);
  assert.equal(again.code, 2);
  assert.equal(again.stderr, `aekit: ${codes}: exists; pass --force to overwrite it\n`);
  assert.equal(aekit(['encode', '--model', model, '--input', digitsFile, '--output', codes, '--force']).code, 0);
  const self = aekit(['reconstruct', '--model', model, '--input', digitsFile, '--output', digitsFile, '--force']);
  assert.equal(self.code, 2);
  assert.match(self.stderr, /digits\.npy: is also an input of this command/);
  assert.deepEqual(readNpy(digitsFile).shape, [60, 784], 'the input is intact');
  const nowhere = aekit(['decode', '--model', model, '--input', codes, '--output', join(work, 'no', 'such', 'x.npy')]);
  assert.equal(nowhere.code, 2);
  assert.match(nowhere.stderr, /the folder .*no\/such does not exist; create it first/);
});

test('pixels in 0–255 are refused for a sigmoid/BCE model with what to do; --scale unit trains and every command applies it', () => {
  const x255 = join(work, 'x255.npy');
  writeNpy(x255, Float32Array.from(digits.x, (v) => v * 255), [digits.n, 784]);
  const refused = aekit(['train', '--preset', 'undercomplete', '--data', x255, '--epochs', '1', '--out', join(work, 'm255')]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /x255\.npy: values lie in \[0, 255\], but this model's binary cross-entropy on a sigmoid output needs data in \[0, 1\]; pass --scale unit/);
  const scaled = aekit(['train', '--preset', 'undercomplete', '--data', x255, '--scale', 'unit', '--epochs', '1', '--out', join(work, 'm255'), '--json']);
  assert.equal(scaled.code, 0, scaled.stderr);
  const out = JSON.parse(scaled.stdout);
  assert.ok(out.trainLoss[0] > 0 && out.test.bce > 0, `a positive loss: ${out.trainLoss[0]}`);
  assert.deepEqual(JSON.parse(readFileSync(join(work, 'm255', 'model.json'), 'utf8')).data.scale, { offset: 0, factor: 1 / 255 });
  // The same examples in the model's units and in 0–255 evaluate alike: eval scales the file.
  const a = JSON.parse(aekit(['eval', '--model', join(work, 'm255'), '--data', x255, '--json']).stdout).test.sse;
  // Reconstructions come back in the data's own units (0–255).
  const recon = join(work, 'recon255.npy');
  assert.equal(aekit(['reconstruct', '--model', join(work, 'm255'), '--input', x255, '--output', recon]).code, 0);
  const values = readNpy(recon).data;
  assert.ok(Math.max(...values) > 2 && Math.max(...values) <= 255, `max ${Math.max(...values)}`);
  assert.ok(a > 0);
});

test('five examples: none left for validation, so the training loss is monitored and the output says so (no NaN)', () => {
  // One of the five is the test example; a twelfth of the other four rounds to no validation example.
  const tiny = join(work, 'tiny.npy');
  writeNpy(tiny, digits.x.subarray(0, 5 * 784), [5, 784]);
  const r = aekit(['train', '--preset', 'undercomplete', '--data', tiny, '--epochs', '2', '--out', join(work, 'tiny')]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, /NaN/);
  assert.match(r.stdout, /the last epoch's weights: no validation examples, so the training loss was monitored/);
  const json = aekit(['train', '--preset', 'undercomplete', '--data', tiny, '--epochs', '2', '--out', join(work, 'tiny'), '--force', '--json']);
  const out = JSON.parse(json.stdout);
  assert.deepEqual([out.monitored, out.bestEpoch, out.valLoss], ['training', 2, []]);
});

test('flags: numbers in decimal notation only, the help shows 1/12, and the data is named as loaded', () => {
  const hex = aekit(['train', '--lr', '0x10', '--out', join(work, 'hex')]);
  assert.equal(hex.code, 2);
  assert.match(hex.stderr, /option '--lr <x>' argument '0x10' is invalid/);
  const help = aekit(['train', '--help']);
  assert.match(help.stdout, /\(default: 1\/12\)/);
  assert.doesNotMatch(help.stdout, /0\.0833/);
  const exp = aekit(['train', '--preset', 'undercomplete', '--limit', '2e2', '--test-limit', '1e2', '--epochs', '1e0', '--out', join(work, 'exp'), '--json']);
  assert.equal(exp.code, 0, exp.stderr);
  assert.equal(JSON.parse(readFileSync(join(work, 'exp', 'model.json'), 'utf8')).data.name, 'mnist (train)');
  // --force replaces an old run whole: nothing of it stays beside the new one.
  writeFileSync(join(work, 'exp', 'stale.png'), 'old');
  assert.equal(aekit(['train', '--preset', 'undercomplete', '--limit', '100', '--epochs', '1', '--out', join(work, 'exp'), '--force']).code, 0);
  assert.throws(() => readFileSync(join(work, 'exp', 'stale.png')));
  mkdirSync(join(work, 'mine'));
  writeFileSync(join(work, 'mine', 'notes.txt'), 'mine');
  const foreign = aekit(['train', '--out', join(work, 'mine'), '--force']);
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /holds files aekit did not write/);
});

test('the training summary reads right: one epoch, stopped by Ctrl-C, a config instead of a preset', () => {
  const result = {
    preset: null, epochs: 1, seconds: 2, samplesPerSecond: 1000, trainLoss: [1], valLoss: [1], bestEpoch: 1, monitored: 'validation' as const,
    aborted: true, stoppedEarly: false, test: { sse: 1, mse: 0.1, bce: 2 }, outDir: 'runs/x', backend: 'native',
  };
  const text = describeTrainRun(result, 'my.json');
  assert.match(text, /^Stopped by Ctrl-C after 1 epoch of the model of my\.json in 2\.0s/);
  assert.match(text, /\(the weights of epoch 1, the best on validation\)/);
  assert.match(describeTrainRun({ ...result, preset: 'deep', aborted: false, epochs: 3 }), /^Trained deep for 3 epochs in/);
});

test('odd names get one line and exit 2: a preset called __proto__, missing data, an --out or --output under /proc', () => {
  const cases: [string[], RegExp][] = [
    [['train', '--preset', '__proto__', '--out', join(work, 'p')], /^aekit: unknown preset "__proto__"; expected one of: undercomplete/],
    [['train', '--data', '/nonexistent/dir', '--out', join(work, 'q')], /^aekit: \/nonexistent\/dir: no such file or folder\n$/],
    // Node's recursive mkdir never returns under /proc; aekit must answer.
    [['train', '--preset', 'undercomplete', '--limit', '50', '--epochs', '1', '--out', '/proc/aekit-run'], /^aekit: \/proc\/aekit-run: cannot create the folder \/proc\/aekit-run \(ENOENT\)\n$/],
    [['encode', '--model', model, '--input', digitsFile, '--output', '/proc/aekit-codes.npy'], /^aekit: \/proc\/aekit-codes\.npy: no such file or directory/],
  ];
  for (const [args, pattern] of cases) {
    const run = spawnSync(process.execPath, ['--import', tsx, main, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
});
