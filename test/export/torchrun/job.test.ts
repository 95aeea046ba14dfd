/**
 * The torchrun job end to end on this machine: exported by the CLI, trained by `torchrun
 * --nproc_per_node 2` (gloo, CPU) on a slice of MNIST, it goes as `aekit train` goes with the same
 * settings (same initial weights, batches and order: the same losses up to float sums), and its
 * run folder is aekit's: `aekit eval` gives the job's own test loss, `aekit import torchrun`
 * checks and completes it, `aekit report` and `aekit encode` read it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpy } from '../../../src/data/npy.js';
import { aekitInProcess } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { jobLines, runTorchrun } from './run-torchrun.js';
import { torchrunSkip } from './torch-available.js';
import { refuseUntrainable } from '../../../src/export/torchrun/job-folder.js';
import { Segmenter, type SegmenterSpecInput } from '../../../src/models/segmenter.js';

const SETTINGS = ['--preset', 'undercomplete', '--limit', '720', '--test-limit', '300', '--epochs', '2', '--batch-size', '64'];
const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(a);

test('a job trained by torchrun with 2 ranks comes back as aekit\'s run: the losses of aekit train, and aekit eval gives its test loss', { skip: torchrunSkip }, async () => {
  const dir = tempDir('torchrun-job');
  const job = join(dir, 'job');
  const exported = await aekitInProcess('export', 'torchrun', ...SETTINGS, '--out', job, '--json');
  assert.equal(exported.code, 0, exported.stderr);
  const summary = JSON.parse(exported.stdout) as { files: string[]; data: { train: number; validation: number; test: number } };
  assert.deepEqual(summary.files, ['README.md', 'init.safetensors', 'job.json', 'model.py', 'train.py']);
  assert.deepEqual(summary.data, { ...summary.data, train: 660, validation: 60, test: 300 });

  const run = await runTorchrun(join(job, 'train.py'));
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const lines = jobLines(run.stdout);
  const epochs = lines.filter((l) => 'epoch' in l) as { trainLoss: number; valLoss: number }[];
  assert.equal(epochs.length, 2);
  const finished = lines.find((l) => 'run' in l) as { test: { sse: number; bce: number } };
  for (const file of ['model.json', 'model.safetensors', 'metrics.json']) assert.ok(existsSync(join(job, 'run', file)), `run/${file}`);
  const metrics = JSON.parse(readFileSync(join(job, 'run', 'metrics.json'), 'utf8')) as { trainLoss: number[]; torchrun: { world: number; steps: number } };
  assert.equal(metrics.torchrun.world, 2);
  // 660 training rows in global batches of 64: 11 steps an epoch
  assert.equal(metrics.torchrun.steps, 22);
  assert.deepEqual(metrics.trainLoss, epochs.map((e) => e.trainLoss));

  // aekit's own run of the same settings: same weights, batches and order.
  const own = await aekitInProcess('train', ...SETTINGS, '--out', join(dir, 'own'), '--json');
  assert.equal(own.code, 0, own.stderr);
  const aekit = JSON.parse(own.stdout) as { trainLoss: number[]; valLoss: number[]; test: { sse: number } };
  epochs.forEach((e, i) => {
    assert.ok(relative(aekit.trainLoss[i], e.trainLoss) < 1e-4, `epoch ${i + 1}: train loss aekit ${aekit.trainLoss[i]}, job ${e.trainLoss}`);
    assert.ok(relative(aekit.valLoss[i], e.valLoss) < 1e-4, `epoch ${i + 1}: validation loss aekit ${aekit.valLoss[i]}, job ${e.valLoss}`);
  });
  assert.ok(relative(aekit.test.sse, finished.test.sse) < 1e-4, `test sse aekit ${aekit.test.sse}, job ${finished.test.sse}`);

  // aekit reads the job's folder: its own evaluation gives the job's test loss.
  const evaluated = await aekitInProcess('eval', '--model', join(job, 'run'), '--test-limit', '300', '--json');
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const scored = JSON.parse(evaluated.stdout) as { test: { sse: number; bce: number }; examples: number };
  assert.equal(scored.examples, 300);
  assert.ok(relative(finished.test.sse, scored.test.sse) < 1e-5, `aekit eval sse ${scored.test.sse}, the job's ${finished.test.sse}`);
  assert.ok(relative(finished.test.bce, scored.test.bce) < 1e-5, `aekit eval bce ${scored.test.bce}, the job's ${finished.test.bce}`);

  const imported = await aekitInProcess('import', 'torchrun', job, '--json');
  assert.equal(imported.code, 0, imported.stderr);
  const back = JSON.parse(imported.stdout) as { test: { sse: number }; jobTest: { sse: number }; trainLoss: number[] };
  assert.ok(relative(back.jobTest.sse, back.test.sse) < 1e-5, `import: aekit's sse ${back.test.sse}, the job's ${back.jobTest.sse}`);
  assert.deepEqual(back.trainLoss, metrics.trainLoss);
  assert.ok(existsSync(join(job, 'run', 'report.html')));
  const report = await aekitInProcess('report', '--model', join(job, 'run'), '--json');
  assert.equal(report.code, 0, report.stderr);
  const encoded = await aekitInProcess('encode', '--model', join(job, 'run'), '--input', 'mnist', '--output', join(dir, 'codes.npy'), '--json');
  assert.equal(encoded.code, 0, encoded.stderr);
  assert.deepEqual(readNpy(join(dir, 'codes.npy')).shape, [10000, 64]);
});

test('a segmenter trained with a soft Jaccard term is refused before any file is written, as the job trains with the cross-entropy only', () => {
  const spec: SegmenterSpecInput = { input: [1, 8, 8], classes: 3, encoder: [{ type: 'conv2d', filters: 2, kernel: 3, padding: 1 }] };
  assert.doesNotThrow(() => refuseUntrainable(Segmenter.create(spec)));
  assert.throws(() => refuseUntrainable(Segmenter.create({ ...spec, jaccardWeight: 1 })), /soft Jaccard term .* train with jaccardWeight 0 to export a job/);
});
