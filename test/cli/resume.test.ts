/**
 * Crashes and resume, as they happen: real training processes killed with SIGKILL at random
 * moments (seeded), again and again, then resumed with `aekit train --resume` until they finish,
 * must end with the same model.safetensors bytes as a run that was never interrupted.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeNpy } from '../../src/data/npy.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { loadData } from '../../src/data/load-data.js';
import { runStopped } from '../../src/serve/run-summary.js';
import { Prng } from '../../src/util/prng.js';
import { tempDir } from '../helpers/temp-dir.js';

const main = resolve('src/cli/main.ts');
const tsx = import.meta.resolve('tsx');
const work = tempDir('resume');
// The denoising preset draws masking noise every step, so the generator's state matters too.
const training = ['train', '--preset', 'denoising', '--limit', '1200', '--test-limit', '100', '--epochs', '4', '--batch-size', '20', '--checkpoint-every', '7'];

const aekit = (args: string[]) => spawnSync(process.execPath, ['--import', tsx, main, ...args], { encoding: 'utf8' });

/** Runs aekit, killing it with SIGKILL after `ms` unless it ends first; resolves with its exit code (null when killed). */
function runKilledAfter(args: string[], ms: number): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', tsx, main, ...args], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
}

test('runs killed at random moments and resumed end with the bytes of an uninterrupted run', async () => {
  const reference = join(work, 'reference');
  const r = aekit([...training, '--out', reference]);
  assert.equal(r.status, 0, r.stderr);
  const expected = readFileSync(join(reference, 'model.safetensors'));
  const rng = new Prng(2026);
  // Two trials of up to three kills each: every kill lands at a new moment (seeded), and the
  // streamed-run test below kills once more.
  for (let trial = 0; trial < 2; trial++) {
    const dir = join(work, `trial-${trial}`);
    let kills = 0;
    let code: number | null = null;
    for (let attempt = 0; code !== 0; attempt++) {
      assert.ok(attempt < 12, `trial ${trial}: still not done after ${attempt} attempts`);
      // Kill somewhere between start-up and the end of training (about 1.5 s and 4 s); later attempts may run to the end.
      const ms = attempt < 3 ? 800 + rng.uniform() * 3500 : 60_000;
      const started = existsSync(join(dir, 'model.json'));
      code = await runKilledAfter(started ? ['train', '--resume', dir] : [...training, '--out', dir, '--force'], ms);
      if (code === null) kills++;
      else assert.equal(code, 0, `trial ${trial}, attempt ${attempt} exited ${code}`);
    }
    assert.ok(kills > 0, `trial ${trial} was never killed`);
    assert.ok(readFileSync(join(dir, 'model.safetensors')).equals(expected), `trial ${trial} (${kills} kills): the model differs from the uninterrupted run's`);
    assert.equal(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).status, 'done');
    assert.ok(!existsSync(join(dir, 'checkpoint.safetensors')), 'a finished run keeps no checkpoint');
  }
});

/** Polls `condition` every 50 ms until it holds (true) or `ms` pass (false). */
async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; !condition(); await sleep(50)) if (Date.now() > end) return false;
  return true;
}

test('resume: a finished run is left alone (exit 0); other data is refused by its fingerprint; flags that would change the run are refused', async () => {
  const again = aekit(['train', '--resume', join(work, 'reference')]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /the run had finished; nothing to do/);
  const digits = loadData('mnist', { split: 'test', limit: 300 });
  const file = join(work, 'digits.npy');
  writeNpy(file, digits.x, [digits.n, 784]);
  const dir = join(work, 'on-file');
  // Killed once its first checkpoint is written, then the data file changes under it.
  const child = spawn(process.execPath, ['--import', tsx, main, 'train', '--preset', 'undercomplete', '--data', file, '--epochs', '400', '--out', dir], { stdio: 'ignore' });
  const exited = new Promise((done) => child.on('exit', done));
  const checkpointed = await waitFor(() => existsSync(join(dir, 'checkpoint.safetensors')), 120_000);
  // While it trains, a second process may not train the same folder, by --resume or by --force.
  for (const args of [['train', '--resume', dir], ['train', '--preset', 'undercomplete', '--data', file, '--out', dir, '--force']]) {
    const busy = aekit(args);
    assert.equal(busy.status, 2, busy.stderr);
    assert.equal(busy.stderr, `aekit: ${dir}: is being trained now by process ${child.pid} on this machine; wait for it to end, or stop it (Ctrl-C in its terminal, or kill ${child.pid}) and resume with aekit train --resume ${dir}\n`);
  }
  child.kill('SIGKILL');
  await exited;
  assert.ok(checkpointed, 'a checkpoint was written before the kill');
  // The record still says training, and names the process that is now gone: the dashboard shows it stopped.
  const record = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.equal(record.status, 'training');
  assert.equal(record.trainer.pid, child.pid);
  assert.equal(record.trainer.host, hostname());
  assert.equal(runStopped(dir), true);
  writeNpy(file, Float32Array.from(digits.x, (v) => 1 - v), [digits.n, 784]);
  const refused = aekit(['train', '--resume', dir]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /digits\.npy: is not the data .* trained on \(its fingerprint is [0-9a-f]{16}, the run's [0-9a-f]{16}\); resume it with the same data/);
  const flags = aekit(['train', '--resume', dir, '--epochs', '3']);
  assert.equal(flags.status, 2);
  assert.match(flags.stderr, /--resume goes on with the run's own settings; drop --epochs/);
});

test('a run streamed from disk (--max-memory), killed and resumed, ends with the bytes of an uninterrupted one', async () => {
  // 6,000 rows of 6 features (144 kB) under a 64 kB budget: streamed, shuffled within a window.
  const n = 6000;
  const rng = new Prng(11);
  const file = join(work, 'streamed.npy');
  writeNpy(file, Float32Array.from({ length: n * 6 }, () => rng.normal()), [n, 6]);
  const config = join(work, 'linear.json');
  writeFileSync(config, JSON.stringify({ layers: [6, 3], codeActivation: 'identity', outputActivation: 'identity', loss: 'mse' }));
  const args = ['train', '--config', config, '--data', file, '--max-memory', '64KB', '--epochs', '40', '--batch-size', '16', '--lr', '0.01', '--checkpoint-every', '50'];
  const reference = aekit([...args, '--out', join(work, 'streamed-reference')]);
  assert.equal(reference.status, 0, reference.stderr);
  const dir = join(work, 'streamed-killed');
  const child = spawn(process.execPath, ['--import', tsx, main, ...args, '--out', dir], { stdio: 'ignore' });
  const exited = new Promise((done) => child.on('exit', done));
  assert.ok(await waitFor(() => existsSync(join(dir, 'checkpoint.safetensors')), 120_000), 'a checkpoint was written');
  child.kill('SIGKILL');
  assert.equal(await exited, null, 'killed before it finished');
  assert.equal(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).training.maxMemory, 65536);
  const resumed = aekit(['train', '--resume', dir]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.ok(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(work, 'streamed-reference', 'model.safetensors'))));
});

test('a diverging run stops at the step it diverged, names the op, suggests a smaller rate and keeps its last good checkpoint', () => {
  const dir = join(work, 'diverged');
  const r = aekit(['train', '--preset', 'linear', '--limit', '500', '--test-limit', '50', '--epochs', '3', '--lr', '10', '--optimizer', 'sgd', '--checkpoint-every', '2', '--out', dir]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^aekit: step 4: the output of linear\(identity\) \(shape \[74, 784\]\) holds NaN or Inf; training diverged: try a smaller learning rate \(it was [\d.]+\)\n$/);
  // The checkpoint of step 2, before the weights went bad, is whole and finite.
  const checkpoint = readSafetensors(join(dir, 'checkpoint.safetensors'));
  assert.equal(JSON.parse(checkpoint.metadata.state).steps, 2);
  for (const [name, t] of checkpoint.tensors) assert.ok(t.data.every(Number.isFinite), `${name} is finite`);
});
