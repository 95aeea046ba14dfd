/** The README's regularized-autoencoder example runs as written (with 'aekit' pointing at the sources). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './helpers/temp-dir.js';

test('the README regularized example trains a tied sparse denoising autoencoder and prints PSNRs', () => {
  const readme = readFileSync('README.md', 'utf8');
  const match = /```ts regularized-example\n([\s\S]*?)```/.exec(readme);
  assert.ok(match, 'README has a ```ts regularized-example block');
  const code = match[1].replace(/from 'aekit'/, `from '${resolve('src/index.ts')}'`);
  const file = join(tempDir('readme-reg'), 'example.mts'); // ESM, for the top-level await
  writeFileSync(file, code);
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  for (const key of ['psnrNoisy', 'psnrDenoised', 'sseNoisy', 'sseDenoised']) assert.match(run.stdout, new RegExp(`${key}: \\d+\\.\\d+`));
});
