/**
 * `aekit export torchrun` and `aekit import torchrun` without PyTorch: what the job folder holds
 * (the layers as train.py runs them, the settings, the data where the script reads it, the initial
 * weights aekit draws for the seed) and the one-line refusals, exit code 2.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadRunData } from '../../../src/data/data-split.js';
import { CONFIG_TRAINING, DEFAULT_VALIDATION_FRACTION } from '../../../src/training/settings.js';
import { readNpy, writeNpy } from '../../../src/data/npy.js';
import type { TorchrunJob } from '../../../src/export/torchrun/job-folder.js';
import { readSafetensors } from '../../../src/io/safetensors.js';
import { Autoencoder } from '../../../src/models/autoencoder.js';
import { PRESETS } from '../../../src/training/presets.js';
import { tableModel } from '../../../src/training/table-model.js';
import { aekitInProcess } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('a job folder from a CSV file: the table as NPY, each layer with its modules and penalties, aekit\'s initial weights', async () => {
  const dir = tempDir('torchrun-export');
  const csv = join(dir, 'table.csv');
  const rows = Array.from({ length: 40 }, (_, i) => `${(i % 7) / 7},${(i % 3) / 3},${(i % 5) / 5},${i % 2},${i % 4}`);
  writeFileSync(csv, `a,b,c,d,label\n${rows.join('\n')}\n`);
  const job = join(dir, 'job');
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ layers: [4, 3], codeActivation: 'sigmoid', outputActivation: 'sigmoid', loss: 'bce', regularization: { sparsity: { rho: 0.1, beta: 2 }, noise: 'mask:0.2' } }));
  const out = await aekitInProcess('export', 'torchrun', '--config', config, '--data', csv, '--label-column', 'label', '--epochs', '3', '--batch-size', '8', '--seed', '5', '--out', job, '--json');
  assert.equal(out.code, 0, out.stderr);
  const result = JSON.parse(out.stdout) as { data: { train: number; validation: number; test: number }; command: string };
  // 40 rows: a sixth held out for test (7), then a twelfth of the rest for validation (3).
  assert.deepEqual({ ...result.data, name: undefined, source: undefined }, { name: undefined, source: undefined, train: 30, validation: 3, test: 7 });
  const npy = readNpy(join(job, 'data', 'train.npy'));
  assert.deepEqual(npy.shape, [40, 4]);
  assert.equal(npy.data[4 * 3 + 0], Math.fround(3 / 7));

  const spec = JSON.parse(readFileSync(join(job, 'job.json'), 'utf8')) as TorchrunJob;
  assert.equal(spec.kind, 'autoencoder');
  assert.deepEqual(spec.data.source, { train: { x: 'data/train.npy' }, test: null });
  assert.deepEqual(spec.stacks.encoder, [
    { type: 'noise', noise: { kind: 'mask', amount: 0.2 } },
    { type: 'dense', modules: [0, 2], penalty: { kl: { rho: 0.1, beta: 2 } } },
  ]);
  assert.deepEqual(spec.stacks.decoder, [{ type: 'dense', modules: [0, 1] }]);
  assert.deepEqual(spec.parameters.map((p) => `${p.name}:${p.kind}`), ['encoder.0.weight:weight', 'encoder.0.bias:bias', 'decoder.0.weight:weight', 'decoder.0.bias:bias']);
  assert.deepEqual({ epochs: spec.training.epochs, batchSize: spec.training.batchSize, seed: spec.training.seed }, { epochs: 3, batchSize: 8, seed: 5 });
  // a config with no preset: aekit train's own settings for it, not the default deep preset's weight decay
  assert.deepEqual({ weightDecay: spec.training.weightDecay, lr: spec.training.lr }, { weightDecay: CONFIG_TRAINING.weightDecay, lr: CONFIG_TRAINING.lr });
  assert.equal((spec.record.data as { labelColumn?: string } | null)?.labelColumn, 'label');

  // The initial weights are aekit train's: the draw for the seed, prepared on the training rows (the output starts at their mean).
  const init = readSafetensors(join(job, 'init.safetensors')).tensors;
  const fresh = Autoencoder.create(JSON.parse(readFileSync(config, 'utf8')) as never, 5);
  fresh.prepare(loadRunData({ data: csv, labelColumn: 'label', validationFraction: DEFAULT_VALIDATION_FRACTION, seed: 5 }).train);
  for (const p of fresh.parameters()) assert.deepEqual(init.get(p.name)?.data, p.tensor.data, p.name);
  for (const file of ['train.py', 'model.py', 'README.md']) assert.ok(existsSync(join(job, file)), file);
  assert.match(readFileSync(join(job, 'model.py'), 'utf8'), /class Autoencoder\(nn\.Module\)/);
  assert.match(result.command, /^torchrun --standalone --nproc_per_node 2 .*train\.py$/);
});

test('a job for a CSV file with no preset trains the table preset sized to its width, as aekit train would; a dense preset takes the width too', async () => {
  const dir = tempDir('torchrun-table');
  const csv = join(dir, 'table.csv');
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i % 3) * 10},${i % 5},${i % 2},${i % 4},${i % 6}`);
  writeFileSync(csv, `a,b,c,d,e,f\n${rows.join('\n')}\n`);
  const table = await aekitInProcess('export', 'torchrun', '--data', csv, '--limit', '30', '--out', join(dir, 'table'), '--json');
  assert.equal(table.code, 0, table.stderr);
  const spec = JSON.parse(readFileSync(join(dir, 'table', 'job.json'), 'utf8')) as TorchrunJob;
  assert.equal(spec.record.preset, 'table');
  assert.deepEqual(spec.record.model, Autoencoder.create(tableModel(6), 0).config);
  assert.equal(spec.training.scale, 'standardize');
  // one offset and one factor per column: each column's own mean and spread
  assert.equal(((spec.record.data as { scale?: { offset: number[] } | null }).scale?.offset as number[]).length, 6);
  const linear = await aekitInProcess('export', 'torchrun', '--preset', 'linear', '--data', csv, '--limit', '30', '--out', join(dir, 'linear'), '--json');
  assert.equal(linear.code, 0, linear.stderr);
  assert.deepEqual((JSON.parse(linear.stdout) as { input: number[] }).input, [6]);
});

test('export torchrun refuses a greedy preset, the inpaint preset\'s holes, a folder in use and a job that has not run, in one line, exit code 2', async () => {
  const dir = tempDir('torchrun-refuse');
  const greedy = await aekitInProcess('export', 'torchrun', '--preset', 'sdae', '--limit', '100', '--out', join(dir, 'sdae'));
  assert.equal(greedy.code, 2);
  assert.match(greedy.stderr, /sdae preset pretrains greedily/);
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  // 24 digits' worth of pixels, so that no export here reads MNIST
  const data = join(dir, 'pixels.npy');
  writeNpy(data, Float32Array.from({ length: 24 * 784 }, (_, i) => (i % 11) / 11), [24, 784]);
  const taken = await aekitInProcess('export', 'torchrun', '--preset', 'undercomplete', '--data', data, '--out', dir, '--force');
  assert.equal(taken.code, 2);
  assert.match(taken.stderr, /holds files that are not an aekit job/);
  const holes = await aekitInProcess('export', 'torchrun', '--preset', 'inpaint', '--data', data, '--out', join(dir, 'inpaint'));
  assert.equal(holes.code, 2);
  assert.equal(holes.stderr.trim().split('\n').length, 1, holes.stderr);
  assert.match(holes.stderr, /does not reproduce holes noise/);
  assert.ok(!existsSync(join(dir, 'inpaint')), 'nothing is written for a refused model');
  const job = join(dir, 'job');
  assert.equal((await aekitInProcess('export', 'torchrun', '--preset', 'undercomplete', '--data', data, '--out', job)).code, 0);
  const again = await aekitInProcess('export', 'torchrun', '--preset', 'undercomplete', '--data', data, '--out', job);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /exists and is not empty; pass --force/);
  const early = await aekitInProcess('import', 'torchrun', job);
  assert.equal(early.code, 2);
  assert.match(early.stderr, /the job has not written .*model\.safetensors yet; run it first/);
  assert.ok(PRESETS.sdae.training.greedy);
});

test('export torchrun --model goes on from a run: its weights, settings and data; an encoder exported alone is refused', async () => {
  const dir = tempDir('torchrun-from-run');
  const data = join(dir, 'pixels.npy');
  writeNpy(data, Float32Array.from({ length: 60 * 784 }, (_, i) => ((i * 7) % 13) / 13), [60, 784]);
  const run = join(dir, 'run');
  const trained = await aekitInProcess('train', '--preset', 'undercomplete', '--data', data, '--epochs', '1', '--batch-size', '16', '--seed', '3', '--out', run, '--json');
  assert.equal(trained.code, 0, trained.stderr);
  const job = join(dir, 'job');
  const out = await aekitInProcess('export', 'torchrun', '--model', run, '--epochs', '4', '--out', job, '--json');
  assert.equal(out.code, 0, out.stderr);
  const spec = JSON.parse(readFileSync(join(job, 'job.json'), 'utf8')) as TorchrunJob;
  assert.deepEqual({ epochs: spec.training.epochs, batchSize: spec.training.batchSize, seed: spec.training.seed }, { epochs: 4, batchSize: 16, seed: 3 });
  assert.equal(spec.record.preset, 'undercomplete');
  assert.deepEqual(spec.data.source, { train: { x: data }, test: null });
  const weights = readSafetensors(join(run, 'model.safetensors')).tensors;
  const init = readSafetensors(join(job, 'init.safetensors')).tensors;
  for (const [name, t] of weights) assert.deepEqual(init.get(name)?.data, t.data, name);

  const encoder = join(dir, 'encoder');
  assert.equal((await aekitInProcess('export', 'encoder', '--model', run, '--out', encoder)).code, 0);
  const refused = await aekitInProcess('export', 'torchrun', '--model', encoder, '--out', join(dir, 'job2'));
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--model takes the run folder of an autoencoder .*, a classifier run .* or a segment folder .*; an encoder exported alone has no decoder or head to train/);
});
