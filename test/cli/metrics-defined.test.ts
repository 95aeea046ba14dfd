/**
 * No command prints NaN for a metric and succeeds: an empty test split is refused before
 * training, in one line with exit 2, and any NaN left in a result stops the command (exit 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { emit } from '../../src/cli/output.js';
import { DataError } from '../../src/errors.js';
import { aekitInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir('metrics-defined');

function pngFolder(name: string, count: number): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (let k = 0; k < count; k++) {
    const img = new PNG({ width: 4, height: 4 });
    for (let p = 0; p < 16; p++) img.data.set([(p * 16 + k) & 255, 0, 0, 255], 4 * p);
    writeFileSync(join(dir, `img${k}.png`), PNG.sync.write(img));
  }
  return dir;
}

test('a data file too small for a test split: one line naming it, exit 2, before any training', async () => {
  const config = join(root, 'model.json');
  writeFileSync(config, JSON.stringify({ layers: [16, 4] }));
  const out = join(root, 'run-one');
  const { code, stdout, stderr } = await aekitInProcess('train', '--data', pngFolder('one', 1), '--config', config, '--epochs', '1', '--out', out, '--json');
  assert.equal(code, 2, stderr);
  assert.match(JSON.parse(stdout).error.message, /no test examples/, 'with --json, the failure as one JSON object');
  // Besides the line that states a config run's own training settings, the failure is one line.
  assert.equal(stderr.trim().split('\n').filter((line) => !line.includes('a config\'s defaults')).length, 1, stderr);
  assert.match(stderr, /one \(test\): no test examples, so the test metrics cannot be computed/);
  assert.doesNotMatch(stderr, /NaN/);
  assert.ok(!existsSync(join(out, 'model.safetensors')));
  // Enough rows for a test sixth trains and reports finite metrics.
  const ok = await aekitInProcess('train', '--data', pngFolder('six', 6), '--config', config, '--epochs', '1', '--out', join(root, 'run-six'), '--json');
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(Number.isFinite(JSON.parse(ok.stdout).test.sse));
});

test('a result holding NaN anywhere is refused, naming the field, and never printed', () => {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => printed.push(chunk) > 0);
  try {
    for (const json of [true, false]) {
      assert.throws(() => emit(json, { test: { sse: Number.NaN, mse: 1 } }, () => 'sse NaN'), (e: unknown) => e instanceof DataError && /test\.sse could not be computed/.test(e.message));
      assert.throws(() => emit(json, { perDigit: [{ auc: 0.5 }, { auc: Number.NaN }] }, () => ''), /perDigit\[1\]\.auc could not be computed/);
    }
    emit(true, { test: { sse: 1.5, bce: null } }, () => '');
  } finally {
    process.stdout.write = write;
  }
  assert.deepEqual(printed, ['{"test":{"sse":1.5,"bce":null}}\n']);
});
