/** The README's library example runs as written (with 'aekit' pointing at the sources). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers/temp-dir.js';

test('the README library example trains and prints metrics', () => {
  const readme = readFileSync('README.md', 'utf8');
  const match = /```ts example\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, 'README has a ```ts example block');
  const entry = resolve('src/index.ts');
  const code = match[1].replace(/from 'aekit'/, `from '${entry}'`);
  const file = join(tempDir('readme'), 'example.mts');
  writeFileSync(file, code);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  // Three epochs of training losses, then the metrics object.
  const losses = /\[\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)\s*\]/.exec(run.stdout);
  assert.ok(losses, run.stdout);
  assert.ok(Number(losses[3]) < Number(losses[1]), 'the loss falls');
  assert.match(run.stdout, /sse: \d+\.\d+/);
  assert.match(run.stdout, /bce: \d+\.\d+/);
});
