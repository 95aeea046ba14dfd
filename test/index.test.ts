/** The library entry: importing it chooses no backend and prints nothing; the first op does choose. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';

const entry = resolve('src/index.ts');
const run = (code: string, env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, ...env } });

test('importing aekit has no side effect: a bad AEKIT_BACKEND only fails at the first op', () => {
  const imported = run(`await import(${JSON.stringify(entry)}); console.log('imported');`, { AEKIT_BACKEND: 'bogus' });
  assert.equal(imported.status, 0, imported.stderr);
  assert.equal(imported.stdout, 'imported\n');
  assert.equal(imported.stderr, '');
  const used = run(`const { Tensor, add } = await import(${JSON.stringify(entry)}); add(Tensor.from([1]), Tensor.from([2]));`, { AEKIT_BACKEND: 'bogus' });
  assert.notEqual(used.status, 0);
  assert.match(used.stderr, /AEKIT_BACKEND must be "native", "wasm" or "reference", got "bogus"/);
});

test('the first op runs on the chosen backend, and setBackend before it wins', () => {
  const chosen = run(`const a = await import(${JSON.stringify(entry)}); a.add(a.Tensor.from([1]), a.Tensor.from([2])); console.log(a.getBackend().name);`, { AEKIT_BACKEND: 'reference' });
  assert.equal(chosen.stdout.trim(), 'reference', chosen.stderr);
  const set = run(`const a = await import(${JSON.stringify(entry)}); a.setBackend(a.createReferenceBackend()); console.log(a.getBackend().name);`, { AEKIT_BACKEND: 'native' });
  assert.equal(set.stdout.trim(), 'reference', set.stderr);
  assert.equal(set.stderr, '');
});
