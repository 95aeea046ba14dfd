/**
 * A torchrun job whose rank 1 is killed (SIGKILL) in the middle of training resumes from its last
 * checkpoint (torchrun restarts the ranks: --max_restarts 1) and ends with the same weights as the
 * same job run without a stop, on the same 2 ranks (CPU, one thread a rank: deterministic).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSafetensors } from '../../../src/io/safetensors.js';
import { aekitInProcess } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { freePort, jobLines, localFlags, runTorchrun } from './run-torchrun.js';
import { torchrunSkip } from './torch-available.js';

/** The worker process of `rank` among the children of `parent`, or undefined while there is none. */
function workerOf(parent: number, rank: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`RANK=${rank}`)) return Number(entry);
    } catch {
      // a process that ended while we looked
    }
  }
  return undefined;
}

/** How long the killed-and-restarted job may take after the kill (it needs a few seconds). */
const RESUME_DEADLINE_MS = 300_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a job with one rank killed mid-training resumes from its checkpoint to the weights of a job never stopped', { skip: torchrunSkip }, async () => {
  const dir = tempDir('torchrun-resume');
  const config = join(dir, 'config.json');
  // Masking noise and dropout draw on every step: the resumed steps must draw the same.
  writeFileSync(config, JSON.stringify({
    input: [784],
    encoder: [{ type: 'noise', spec: 'mask:0.25' }, { type: 'dense', units: 24, activation: 'sigmoid' }, { type: 'dropout', rate: 0.1 }],
    decoder: [{ type: 'dense', units: 784 }],
    output: { activation: 'sigmoid', loss: 'bce' },
  }));
  const job = join(dir, 'job');
  const exported = await aekitInProcess('export', 'torchrun', '--config', config, '--limit', '900', '--test-limit', '200', '--epochs', '3', '--batch-size', '50', '--lr', '3e-3', '--out', job, '--json');
  assert.equal(exported.code, 0, exported.stderr);
  const [whole, killed] = ['whole', 'killed'].map((name) => {
    cpSync(job, join(dir, name), { recursive: true });
    return join(dir, name);
  });
  const args = ['--threads', '1', '--checkpoint-every', '5'];

  const uninterrupted = await runTorchrun(join(whole, 'train.py'), args.slice(2));
  assert.equal(uninterrupted.status, 0, `torchrun ended with ${uninterrupted.status} (signal ${uninterrupted.signal}):\n${uninterrupted.stdout}\n${uninterrupted.stderr}`);

  const checkpoint = join(killed, 'checkpoints', 'last.pt');
  // Its own process group, so that a job that never ends can be stopped whole (agent and ranks).
  const child = spawn('torchrun', [...localFlags(await freePort()), '--max_restarts', '1', join(killed, 'train.py'), ...args], { env: { ...process.env, OMP_NUM_THREADS: '1' }, detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
  // Kill rank 1 once the first checkpoint (5 steps into epoch 1 of 3) is there.
  let victim: number | undefined;
  for (let waited = 0; victim === undefined && waited < 240_000; waited += 25) {
    if (existsSync(checkpoint)) victim = workerOf(child.pid!, 1);
    if (victim === undefined) await sleep(25);
  }
  assert.ok(victim !== undefined, `no checkpoint or no rank 1 to kill: ${stderr}`);
  process.kill(victim, 'SIGKILL');
  // The job takes seconds; a restart that never comes would otherwise hold the suite until
  // gloo's 30-minute timeout ends the surviving rank.
  const deadline = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), RESUME_DEADLINE_MS);
  const status = await ended;
  clearTimeout(deadline);
  assert.notEqual(status, null, `the job did not end within ${RESUME_DEADLINE_MS / 1000} s of the kill and was stopped:\n${stdout}\n${stderr}`);
  assert.equal(status, 0, `${stdout}\n${stderr}`);
  const lines = jobLines(stdout);
  const resumed = lines.find((l) => 'resumed' in l) as { epoch: number; step: number } | undefined;
  assert.ok(resumed, `the restarted ranks did not resume from the checkpoint:\n${stdout}`);
  assert.ok(resumed.step > 0 && resumed.step < 51, `resumed at step ${resumed.step} of 51 (17 a epoch)`);
  const finishedEpochs = lines.filter((l) => 'epoch' in l && 'trainLoss' in l).map((l) => l.epoch);
  assert.ok(finishedEpochs.includes(3), `the resumed job did not finish: epochs ${finishedEpochs.join(', ')}`);

  const a = readSafetensors(join(whole, 'run', 'model.safetensors')).tensors;
  const b = readSafetensors(join(killed, 'run', 'model.safetensors')).tensors;
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [name, t] of a) {
    const other = b.get(name)!.data;
    let diff = 0;
    for (let i = 0; i < t.data.length; i++) diff = Math.max(diff, Math.abs(t.data[i] - other[i]));
    assert.ok(diff <= 1e-6, `${name}: max |diff| ${diff} between the killed-and-resumed job and the whole one`);
  }
  const metrics = (d: string) => JSON.parse(readFileSync(join(d, 'run', 'metrics.json'), 'utf8')) as { trainLoss: number[]; valLoss: number[] };
  assert.deepEqual(metrics(killed).trainLoss, metrics(whole).trainLoss);
  assert.deepEqual(metrics(killed).valLoss, metrics(whole).valLoss);
});
