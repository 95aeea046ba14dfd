/**
 * A variational autoencoder's torchrun job end to end: `aekit export torchrun --preset vae` records
 * the dynamic binarisation and writes the validation and test rows binarised as aekit scores them;
 * `torchrun --nproc_per_node 2` trains it (KL term, warm-up, eps and binarisation from torch's
 * generator: the objective itself is checked in parity.test.ts); the job's validation loss, the
 * negative ELBO with aekit's own draws of eps, is what aekit computes for the job's weights on the
 * same rows, and `aekit eval` of its run folder gives the job's test sse and bce.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpy } from '../../../src/data/npy.js';
import type { TorchrunJob } from '../../../src/export/torchrun/job-folder.js';
import { recordedData } from '../../../src/run/run-data.js';
import { loadRun } from '../../../src/run/save-load.js';
import { meanObjective } from '../../../src/training/evaluate.js';
import { aekitInProcess } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { jobLines, runTorchrun } from './run-torchrun.js';
import { torchrunSkip } from './torch-available.js';

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(a);

test('a VAE trained by torchrun with 2 ranks: binarised held-out rows, its validation ELBO as aekit computes it, aekit eval gives its test loss', { skip: torchrunSkip }, async () => {
  const dir = tempDir('torchrun-vae');
  const job = join(dir, 'job');
  // 2,400 rows, half for validation: two of aekit's evaluation batches (1,000 and 200 rows), one on each rank.
  const exported = await aekitInProcess('export', 'torchrun', '--preset', 'vae', '--limit', '2400', '--val-fraction', '0.5', '--test-limit', '1200', '--epochs', '1', '--batch-size', '400', '--out', job, '--json');
  assert.equal(exported.code, 0, exported.stderr);
  const spec = JSON.parse(readFileSync(join(job, 'job.json'), 'utf8')) as TorchrunJob;
  assert.equal(spec.training.binarize, 'dynamic');
  assert.deepEqual(spec.data.heldOut, { validation: { x: 'data/validation.npy' }, test: { x: 'data/test.npy' } });
  assert.deepEqual(spec.stacks.encoder.at(-1), { type: 'gaussian', modules: [4, 5], gaussian: { units: 50, beta: 1, freeBits: 0, warmup: 5, samples: 5 } });
  const heldTest = readNpy(join(job, 'data', 'test.npy'));
  assert.deepEqual(heldTest.shape, [1200, 784]);
  assert.ok(heldTest.data.every((v) => v === 0 || v === 1), 'the test rows are binary');

  const run = await runTorchrun(join(job, 'train.py'));
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  const epochs = jobLines(run.stdout).filter((l) => 'epoch' in l) as { trainLoss: number; valLoss: number }[];
  assert.equal(epochs.length, 1);
  const finished = jobLines(run.stdout).find((l) => 'run' in l) as { test: { sse: number; bce: number }; bestEpoch: number };

  // aekit's negative ELBO of the job's (best) weights on the run's validation rows: the job's own figure.
  const runDir = join(job, 'run');
  const { model, record } = loadRun(runDir);
  assert.equal(record.training?.binarize, 'dynamic');
  const { validation } = recordedData(record, runDir, { testLimit: 1200 });
  assert.equal(validation.n, 1200);
  const aekitElbo = meanObjective(model, validation);
  const jobElbo = epochs[finished.bestEpoch - 1].valLoss;
  assert.ok(relative(aekitElbo, jobElbo) < 1e-5, `validation -ELBO: aekit ${aekitElbo}, the job ${jobElbo}`);

  const evaluated = await aekitInProcess('eval', '--model', runDir, '--test-limit', '1200', '--samples', '2', '--json');
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const scored = JSON.parse(evaluated.stdout) as { test: { sse: number; bce: number } };
  assert.ok(relative(finished.test.sse, scored.test.sse) < 1e-5, `aekit eval sse ${scored.test.sse}, the job's ${finished.test.sse}`);
  assert.ok(relative(finished.test.bce, scored.test.bce) < 1e-5, `aekit eval bce ${scored.test.bce}, the job's ${finished.test.bce}`);
});
