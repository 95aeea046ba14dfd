/**
 * What a new user hit in the first hour (issue 25), each checked as they met it: the line they
 * read, the exit code, the file they got. In-process CLI, tiny data.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Prng } from '../../src/util/prng.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const work = tempDir('new-user');
// A 20-column table of real values (about −2 to 2), as a user's own data would be.
const rng = new Prng(3);
const table = join(work, 'mydata.csv');
writeFileSync(table, [
  Array.from({ length: 20 }, (_, j) => `f${j}`).join(','),
  ...Array.from({ length: 120 }, () => Array.from({ length: 20 }, () => rng.normal().toFixed(3)).join(',')),
].join('\n'));
const config = (name: string, value: object) => {
  writeFileSync(join(work, name), JSON.stringify(value));
  return join(work, name);
};

test('data outside [0, 1] for a sigmoid output: one plain sentence that names the config keys', async () => {
  const mse = config('mse.json', { layers: [20, 4], loss: 'mse' });
  const r = await aekitInProcess('train', '--config', mse, '--data', table, '--out', join(work, 'r1'));
  assert.equal(r.code, 2);
  // Squared error asked for, the sigmoid output left to its default: said before anything else.
  assert.match(r.stderr, /mse\.json: "loss": "mse" keeps the default "outputActivation": "sigmoid", so outputs lie in \[0, 1\]; for real-valued data write "outputActivation": "identity"/);
  assert.match(r.stderr, /mydata\.csv: values lie in \[-?[0-9.]+, [0-9.]+\], but this model's sigmoid output needs data in \[0, 1\]; pass --scale unit .*, or give the model a linear output with squared error \("outputActivation": "identity" and "loss": "mse" in a --config file\)\n$/);
  assert.doesNotMatch(r.stderr, /model's a |--preset linear/);
  const bce = await aekitInProcess('train', '--config', config('bce.json', { layers: [20, 4] }), '--data', table, '--out', join(work, 'r2'));
  assert.equal(bce.code, 2);
  assert.match(bce.stderr, /this model's binary cross-entropy on a sigmoid output needs data in \[0, 1\]/);
  assert.doesNotMatch(bce.stderr, /keeps the default/, 'no note when the loss is the default');
});

/** A small MNIST run, trained once for the tests that need one. */
let digitsRun: Promise<string> | null = null;
function smallRun(): Promise<string> {
  digitsRun ??= (async () => {
    const dir = join(work, 'digits');
    const r = await aekitInProcess('train', '--preset', 'undercomplete', '--limit', '300', '--test-limit', '50', '--epochs', '1', '--out', dir, '--json');
    assert.equal(r.code, 0, r.stderr);
    return dir;
  })();
  return digitsRun;
}

test('export into a folder that does not exist: what the other commands say, no temporary name', async () => {
  const run = await smallRun();
  for (const [kind, file] of [['onnx', 'm.onnx'], ['pytorch', 'm.py']]) {
    const r = await aekitInProcess('export', kind, '--model', run, '--output', join(work, 'no', 'such', file));
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `aekit: ${join(work, 'no', 'such', file)}: the folder ${join(work, 'no', 'such')} does not exist; create it first\n`);
  }
});
