/**
 * Determinism as the README states it: the same seed, data and backend give the same model bytes,
 * run after run, and on the native backend whatever the thread count (its GEMM splits the output,
 * never a sum).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/temp-dir.js';
import { availableBackends } from '../helpers/backends.js';

const tsx = import.meta.resolve('tsx');
const work = tempDir('determinism');

function train(out: string, env: Record<string, string>): Buffer {
  const run = spawnSync(process.execPath, ['--import', tsx, resolve('src/cli/main.ts'), 'train', '--preset', 'denoising', '--limit', '1500',
    '--test-limit', '100', '--epochs', '2', '--seed', '7', '--out', out], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(run.status, 0, run.stderr);
  return readFileSync(join(out, 'model.safetensors'));
}

test('the same seed gives the same bytes, run after run', () => {
  assert.ok(train(join(work, 'a'), {}).equals(train(join(work, 'b'), {})));
});

test('native: one thread and two give the same bytes', { skip: (await availableBackends()).length < 2 && 'the native addon is not built' }, () => {
  const one = train(join(work, 't1'), { AEKIT_BACKEND: 'native', AEKIT_THREADS: '1' });
  const two = train(join(work, 't2'), { AEKIT_BACKEND: 'native', AEKIT_THREADS: '2' });
  assert.ok(one.equals(two));
});
