/**
 * `npm run bench -- --json`: the object the compute-core issue asks for, on a tiny run (two
 * steps, no peer, no WebAssembly section: its TensorFlow.js peers take a minute even then). Speed is not judged here, only the contract and the memory facts: the steady
 * state allocates nothing and the process stays under 1 GiB.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ConvGeometry } from '../../src/backend/backend.js';
import { cpuIdentity, writeTuning } from '../../src/backend/native/tuning.js';
import { tempDir } from '../helpers/temp-dir.js';

const script = fileURLToPath(new URL('../../bench/train-bench.ts', import.meta.url));

/** The ISA the addon dispatches to here, or null without the addon. */
async function nativeBuild(): Promise<{ isa: string; kernels: string } | null> {
  try {
    const native = await import('../../src/backend/native/native-backend.js');
    return { isa: native.nativeInfo().isa, kernels: native.nativeKernelsDigest() };
  } catch {
    return null;
  }
}

// The conv bench model's first convolution (batch 128, 1->32 on 28x28, stride 2).
const conv1: ConvGeometry = { batch: 128, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 32, outHeight: 14, outWidth: 14,
  kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };

test('train bench --json: samples/s, GEMM against the peak, no peer, no steady-state allocation', async () => {
  // A tuning cache for this CPU, so that the tuned-against-rule section reads it instead of measuring.
  const build = await nativeBuild();
  const env = { ...process.env, AEKIT_CACHE_DIR: tempDir('bench-tuning') };
  if (build) {
    writeTuning({ format: 'aekit-tuning', version: 1, cpu: cpuIdentity(build.isa), kernels: build.kernels, measuredAt: new Date().toISOString(), conv: [
      { pass: 'forward', geometry: conv1, algorithm: 'im2col', rule: 'direct', im2colMs: 1, directMs: 2 },
      { pass: 'backwardFilter', geometry: conv1, algorithm: 'direct', rule: 'direct', im2colMs: 2, directMs: 1 },
    ] }, env);
  }
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--no-peer', '--no-wasm', '--reps', '1', '--steps', '2', '--warmup', '2', '--json'],
    { encoding: 'utf8', env });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'one JSON object on stdout');
  const r = JSON.parse(lines[0]);
  assert.ok(r.samplesPerSecond > 0);
  // The machine is named, so that figures from different CPUs are never compared by mistake.
  assert.equal(typeof r.machine.cpuModel, 'string');
  assert.ok(r.machine.cpuModel.length > 0 && r.machine.logicalCpus >= 1);
  assert.equal(typeof r.machine.features.avx512f, 'boolean');
  assert.equal(r.peer, null);
  assert.equal(r.ratio, null);
  assert.equal(r.wasm, null, '--no-wasm leaves the section out');
  assert.equal(r.memory.steadyStateAllocatedBytes, 0);
  assert.ok(r.memory.rssBytes > 0 && r.memory.rssBytes < 2 ** 30, `RSS ${r.memory.rssBytes}`);
  // The convolutional model, under `conv`, by the same rules.
  assert.ok(r.conv.samplesPerSecond > 0 && r.conv.batch === 128);
  assert.equal(r.conv.peer, null);
  assert.equal(r.conv.memory.steadyStateAllocatedBytes, 0);
  // A model with max pooling: its argmax index buffers are recycled too.
  assert.equal(r.pooling.steps, 2);
  assert.equal(r.pooling.steadyStateAllocatedBytes, 0);
  if (r.backend !== 'native') {
    assert.equal(r.gemm, null, 'the GEMM section needs the native addon');
    assert.equal(r.conv.tuning, null, 'so does the tuned-against-rule section');
    return;
  }
  // The conv model with the cache's choices and with the built-in rule, side by side.
  assert.equal(r.tuning.state, 'applied');
  const t = r.conv.tuning;
  assert.equal(t.source, 'cache');
  assert.equal(t.tuneSeconds, null);
  assert.deepEqual([t.choices, t.differFromRule], [2, 1]);
  assert.ok(t.tunedSamplesPerSecond > 0 && t.ruleSamplesPerSecond > 0 && t.ratio > 0);
  const g = r.gemm;
  // Which kernels ran: never an ISA the CPU lacks, and the blocking that ISA uses.
  assert.ok(['avx512', 'avx2', 'baseline'].includes(g.isa), g.isa);
  if (g.isa === 'avx512') assert.ok(r.machine.features.avx512f, 'AVX-512 kernels on a CPU without avx512f');
  if (g.isa === 'avx2') assert.ok(r.machine.features.avx2);
  assert.ok(g.threads >= 1);
  for (const key of ['mr', 'nr', 'kc', 'mc']) assert.ok(Number.isInteger(g.blocking[key]) && g.blocking[key] > 0, key);
  assert.ok(g.peakGflops > 0 && g.gflops > 0);
  // The median round can never beat the best one.
  assert.ok(g.peakBestGflops >= g.peakGflops, `best ${g.peakBestGflops} < median ${g.peakGflops}`);
  assert.ok(Math.abs(g.fractionOfPeak - g.gflops / g.peakGflops) < 1e-9);
  assert.ok(Math.abs(g.fractionOfBestPeak - g.gflops / g.peakBestGflops) < 1e-9);
  assert.equal(typeof g.peakContended, 'boolean');
  assert.equal(g.shapes.length, 24, 'forward, weight and input gradient for each of the 8 layers');
});

test('train bench: a bad option is one line on stderr and exit code 2', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--steps', '0'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.equal(run.stderr.trim(), 'bench: --steps needs a whole number ≥ 1');
  assert.equal(run.stdout, '');
});
