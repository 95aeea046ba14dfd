/**
 * The tuning cache (src/backend/native/tuning.ts): applied when it was measured on this CPU and
 * ISA, ignored (with the reason) when not, when unreadable, or when AEKIT_TUNING=off; written
 * atomically to $AEKIT_CACHE_DIR. A recording stand-in for the addon shows what reaches it.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConvGeometry } from '../../src/backend/backend.js';
import { applyTuning, cpuIdentity, tuningPath, writeTuning, type TuningAddon, type TuningFile } from '../../src/backend/native/tuning.js';
import { tempDir } from '../helpers/temp-dir.js';

const g: ConvGeometry = { batch: 32, inChannels: 16, inHeight: 64, inWidth: 64, outChannels: 16, outHeight: 64, outWidth: 64,
  kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1 };

function recorder(): TuningAddon & { calls: [number, number[], number][]; cleared: number } {
  const r = { calls: [] as [number, number[], number][], cleared: 0,
    setConvTuned(pass: number, sizes: number[], algo: number) { r.calls.push([pass, sizes, algo]); },
    clearConvTuned() { r.cleared++; },
    convRule: () => 'im2col' as const };
  return r;
}

const here = { isa: 'avx512', kernels: 'build-a' };
const fileFor = (isa: string, name?: string): TuningFile => ({
  format: 'aekit-tuning', version: 1, cpu: { ...cpuIdentity(isa), ...(name ? { name } : {}) }, kernels: 'build-a', measuredAt: '2026-12-06T00:00:00Z',
  conv: [{ pass: 'backwardInput', geometry: g, algorithm: 'direct', rule: 'im2col', im2colMs: 2, directMs: 1 },
    { pass: 'forward', geometry: g, algorithm: 'im2col', rule: 'direct', im2colMs: 1, directMs: 2 }],
});

test('a cache measured on this CPU and ISA reaches the addon, pass and algorithm by number', () => {
  const env = { AEKIT_CACHE_DIR: tempDir('tuning') };
  const path = writeTuning(fileFor('avx512'), env);
  assert.equal(path, join(env.AEKIT_CACHE_DIR, 'tuning.json'));
  assert.ok(!existsSync(`${path}.${process.pid}.tmp`), 'written through a temporary file renamed into place');
  const addon = recorder();
  assert.deepEqual(applyTuning(addon, here, env), { state: 'applied', path, choices: 2 });
  assert.equal(addon.cleared, 1);
  assert.deepEqual(addon.calls.map(([pass, sizes, algo]) => [pass, sizes[1], sizes[2], algo]), [[1, 16, 64, 2], [0, 16, 64, 1]]);
});

test('a cache from another CPU, ISA or build of the kernels, one measured under contention, an unreadable one, or AEKIT_TUNING=off is not applied', () => {
  const env = { AEKIT_CACHE_DIR: tempDir('tuning-other') };
  const addon = recorder();
  assert.equal(applyTuning(addon, here, env).state, 'absent');
  writeTuning(fileFor('avx2'), env);
  const isa = applyTuning(addon, here, env);
  assert.equal(isa.state, 'ignored');
  assert.match((isa as { reason: string }).reason, /avx2\), this is .* avx512\)/);
  writeTuning(fileFor('avx512', 'Some Other CPU'), env);
  assert.match((applyTuning(addon, here, env) as { reason: string }).reason, /measured on Some Other CPU/);
  writeTuning({ ...fileFor('avx512'), contended: true }, env);
  assert.match((applyTuning(addon, here, env) as { reason: string }).reason, /measured while other work held the cores/);
  writeTuning({ ...fileFor('avx512'), kernels: 'build-b' }, env);
  assert.match((applyTuning(addon, here, env) as { reason: string }).reason, /measured with another build of the native kernels \(build-b, this is build-a\); run aekit tune again/);
  writeTuning({ ...fileFor('avx512'), kernels: undefined }, env);
  assert.match((applyTuning(addon, here, env) as { reason: string }).reason, /another build of the native kernels \(unrecorded/);
  writeFileSync(tuningPath(env), '{ not json');
  assert.match((applyTuning(addon, here, env) as { reason: string }).reason, /unreadable/);
  writeTuning(fileFor('avx512'), env);
  assert.deepEqual(applyTuning(addon, here, { ...env, AEKIT_TUNING: 'off' }), { state: 'off' });
  assert.deepEqual(addon.calls, [], 'nothing reached the addon');
});

test('the cache lives in the platform cache folder unless AEKIT_CACHE_DIR says otherwise', () => {
  assert.equal(tuningPath({ AEKIT_CACHE_DIR: '/x' }), join('/x', 'tuning.json'));
  if (process.platform === 'linux') assert.equal(tuningPath({ XDG_CACHE_HOME: '/c' }), join('/c', 'aekit', 'tuning.json'));
});
